import { safeHref } from '@kefu/core';
import type { VisitorDetails } from '@kefu/protocol';
import type { ReactNode } from 'react';
import { useI18n } from '../../lib/use-i18n';
import styles from './desk.module.css';

/** Shopper-supplied URLs are shown as text, and linked only when they are http(s). */
function PageLink({ url }: { url: string }) {
  const href = safeHref(url);
  return href && /^https?:/.test(href) ? (
    <a href={href} target="_blank" rel="noopener noreferrer">
      {url}
    </a>
  ) : (
    <span>{url}</span>
  );
}

/** The shopper's details; their other conversations (the open one is on screen, with its live status). */
export function VisitorPanel({ visitor, openConversationId, children }: { visitor: VisitorDetails; openConversationId: string; children?: ReactNode }) {
  const { t, date } = useI18n();
  const past = visitor.pastConversations.filter((c) => c.id !== openConversationId);
  return (
    <aside className={styles.panel} aria-label={t('visitor.label')}>
      <h3>{t('visitor.label')}</h3>
      <dl>
        <dt>{t('visitor.name')}</dt>
        <dd>{visitor.name ?? '—'}</dd>
        <dt>{t('visitor.email')}</dt>
        <dd>{visitor.email ?? '—'}</dd>
        <dt>{t('visitor.page')}</dt>
        <dd>{visitor.page ? <PageLink url={visitor.page.url} /> : '—'}</dd>
        {visitor.page?.title && (
          <>
            <dt>{t('visitor.pageTitle')}</dt>
            <dd>{visitor.page.title}</dd>
          </>
        )}
        <dt>{t('visitor.referrer')}</dt>
        <dd>{visitor.page?.referrer ? <PageLink url={visitor.page.referrer} /> : '—'}</dd>
        <dt>{t('visitor.browser')}</dt>
        <dd>{visitor.userAgent ?? '—'}</dd>
      </dl>
      <h3>{t('visitor.past')}</h3>
      {past.length === 0 ? (
        <p>{t('visitor.pastNone')}</p>
      ) : (
        <ul>
          {past.map((c) => (
            <li key={c.id}>
              {t('visitor.pastRow', { number: c.number, status: t(`status.${c.status}`), date: date(c.createdAt) })}
            </li>
          ))}
        </ul>
      )}
      {children}
    </aside>
  );
}
