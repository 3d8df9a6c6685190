'use client';

import type { QueueSnapshot } from '@kefu/protocol';
import { useEffect, useState, type ReactNode } from 'react';
import type { AdminContext } from './admin-console';
import { useI18n } from '../../lib/use-i18n';
import styles from './admin.module.css';
import { LiveConversations } from './live-conversations';

function Table({ headers, rows }: { headers: string[]; rows: { key: string; cells: ReactNode[] }[] }) {
  return (
    <table className={styles.table}>
      <thead>
        <tr>
          {headers.map((h) => (
            <th key={h}>{h}</th>
          ))}
        </tr>
      </thead>
      <tbody>
        {rows.map((row) => (
          <tr key={row.key}>
            {row.cells.map((cell, i) => (
              <td key={i}>{cell}</td>
            ))}
          </tr>
        ))}
      </tbody>
    </table>
  );
}

const minutes = (sec: number) => `${Math.floor(sec / 60)}:${String(sec % 60).padStart(2, '0')}`;

/** The queue as every node sees it: `queue:snapshot` once, then each `queue:updated`; waits tick locally. */
export function QueueView({ context }: { context: AdminContext }) {
  const { t } = useI18n();
  const [snapshot, setSnapshot] = useState<{ at: number; data: QueueSnapshot } | null>(null);
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const { client } = context;
    const take = (data: QueueSnapshot) => setSnapshot({ at: Date.now(), data });
    void client.call('queue:snapshot', {}).then(take);
    const off = client.on('queue:updated', take);
    const reconnected = client.on('session', () => void client.call('queue:snapshot', {}).then(take));
    const timer = setInterval(() => setNow(Date.now()), 1_000);
    return () => {
      off();
      reconnected();
      clearInterval(timer);
    };
  }, [context]);
  if (!snapshot) return <p className={styles.note}>{t('queue.loading')}</p>;
  const { data, at } = snapshot;
  const elapsed = Math.max(0, Math.floor((now - at) / 1000));
  return (
    <div className={styles.grid}>
      <section aria-labelledby="queued-title">
        <h2 id="queued-title">{t('queue.queued', { count: data.stats.queued })}</h2>
        <Table
          headers={[t('queue.position'), t('queue.shopper'), t('queue.inbox'), t('queue.waiting'), t('queue.estimate')]}
          rows={data.queued.map((item) => ({
            key: item.conversationId,
            cells: [
              item.position,
              item.visitorName ?? t('common.visitor', { number: item.number }),
              data.stats.perInbox.find((i) => i.inboxId === item.inboxId)?.name ?? '',
              minutes(item.waitingSec + elapsed),
              item.estimatedWaitSec === null ? t('queue.nobodyOnline') : minutes(item.estimatedWaitSec),
            ],
          }))}
        />
        {data.queued.length === 0 && <p className={styles.note}>{t('queue.empty')}</p>}
      </section>
      <section aria-labelledby="agents-title">
        <h2 id="agents-title">{t('queue.agents', { count: data.stats.agentsOnline })}</h2>
        <Table
          headers={[t('queue.agent'), t('queue.status'), t('queue.load')]}
          rows={data.agents.map((agent) => ({
            key: agent.id,
            cells: [agent.name, <span className={styles[agent.status]}>{t(`presence.${agent.status}`)}</span>, `${agent.load} / ${agent.capacity}`],
          }))}
        />
      </section>
      <section aria-labelledby="inboxes-title">
        <h2 id="inboxes-title">{t('queue.inboxes')}</h2>
        <Table
          headers={[t('queue.inbox'), t('queue.queuedColumn'), t('queue.open')]}
          rows={data.stats.perInbox.map((inbox) => ({ key: inbox.inboxId, cells: [inbox.name, inbox.queued, inbox.open] }))}
        />
        <p className={styles.note}>{t('queue.longest', { wait: minutes(data.stats.longestWaitSec + (data.queued.length ? elapsed : 0)) })}</p>
      </section>
      <LiveConversations context={context} agents={data.agents} />
    </div>
  );
}
