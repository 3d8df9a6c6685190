'use client';

import type { AgentConversation, AgentProfile } from '@kefu/protocol';
import { useEffect, useState } from 'react';
import { useI18n } from '../../lib/use-i18n';
import type { AdminContext } from './admin-console';
import styles from './admin.module.css';

/**
 * Supervision's way in: the conversations being answered now, each with a "Watch" link that opens it
 * on the desk without claiming it (there the admin sees it live and can whisper to its agent).
 * Reloaded when the queue moves (`queue:updated`): assignments and resolutions move it too.
 */
export function LiveConversations({ context, agents }: { context: AdminContext; agents: AgentProfile[] }) {
  const { t } = useI18n();
  const [rows, setRows] = useState<AgentConversation[] | null>(null);
  useEffect(() => {
    const { client } = context;
    const load = () => void client.call('conversation:list', { view: 'all', limit: 50 }).then(({ conversations }) => setRows(conversations.filter((c) => c.assigneeId && c.status !== 'resolved')));
    load();
    const off = client.on('queue:updated', load);
    return () => off();
  }, [context]);
  const nameOf = (id: string | null) => agents.find((a) => a.id === id)?.name ?? '';
  return (
    <section aria-labelledby="live-title">
      <h2 id="live-title">{t('live.heading')}</h2>
      <table className={styles.table}>
        <thead>
          <tr>
            <th>{t('live.shopper')}</th>
            <th>{t('live.agent')}</th>
            <th>{t('live.status')}</th>
            <th />
          </tr>
        </thead>
        <tbody>
          {(rows ?? []).map((c) => {
            const shopper = c.visitor.name ?? c.visitor.email ?? t('common.visitor', { number: c.number });
            return (
              <tr key={c.id}>
                <td>{shopper}</td>
                <td>{nameOf(c.assigneeId)}</td>
                <td>{t(`status.${c.status}`)}</td>
                <td>
                  <a href={`${context.deskUrl}/agent?c=${encodeURIComponent(c.id)}`} aria-label={t('live.watchLabel', { name: shopper })}>
                    {t('live.watch')}
                  </a>
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
      {rows?.length === 0 && <p className={styles.note}>{t('live.empty')}</p>}
    </section>
  );
}
