import { safeHref } from '@kefu/core';
import type { VisitorDetails } from '@kefu/protocol';
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

export function VisitorPanel({ visitor }: { visitor: VisitorDetails }) {
  return (
    <aside className={styles.panel} aria-label="Shopper">
      <h3>Shopper</h3>
      <dl>
        <dt>Name</dt>
        <dd>{visitor.name ?? '—'}</dd>
        <dt>Email</dt>
        <dd>{visitor.email ?? '—'}</dd>
        <dt>Current page</dt>
        <dd>{visitor.page ? <PageLink url={visitor.page.url} /> : '—'}</dd>
        {visitor.page?.title && (
          <>
            <dt>Page title</dt>
            <dd>{visitor.page.title}</dd>
          </>
        )}
        <dt>Referrer</dt>
        <dd>{visitor.page?.referrer ? <PageLink url={visitor.page.referrer} /> : '—'}</dd>
        <dt>Browser</dt>
        <dd>{visitor.userAgent ?? '—'}</dd>
      </dl>
      <h3>Past conversations</h3>
      {visitor.pastConversations.length === 0 ? (
        <p>None</p>
      ) : (
        <ul>
          {visitor.pastConversations.map((c) => (
            <li key={c.id}>
              #{c.number} · {c.status} · {new Date(c.createdAt).toLocaleDateString()}
            </li>
          ))}
        </ul>
      )}
    </aside>
  );
}
