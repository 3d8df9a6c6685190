'use client';

import type { QueueSnapshot } from '@kefu/protocol';
import { useEffect, useState, type ReactNode } from 'react';
import type { AdminContext } from './admin-console';
import styles from './admin.module.css';

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
  if (!snapshot) return <p className={styles.note}>Loading the queue…</p>;
  const { data, at } = snapshot;
  const elapsed = Math.max(0, Math.floor((now - at) / 1000));
  return (
    <div className={styles.grid}>
      <section aria-labelledby="queued-title">
        <h2 id="queued-title">Queued ({data.stats.queued})</h2>
        <Table
          headers={['#', 'Shopper', 'Inbox', 'Waiting', 'Estimate']}
          rows={data.queued.map((item) => ({
            key: item.conversationId,
            cells: [
              item.position,
              item.visitorName ?? `Visitor #${item.number}`,
              data.stats.perInbox.find((i) => i.inboxId === item.inboxId)?.name ?? '',
              minutes(item.waitingSec + elapsed),
              item.estimatedWaitSec === null ? 'nobody online' : minutes(item.estimatedWaitSec),
            ],
          }))}
        />
        {data.queued.length === 0 && <p className={styles.note}>Nobody is waiting.</p>}
      </section>
      <section aria-labelledby="agents-title">
        <h2 id="agents-title">Agents ({data.stats.agentsOnline} online)</h2>
        <Table
          headers={['Agent', 'Status', 'Load']}
          rows={data.agents.map((agent) => ({
            key: agent.id,
            cells: [agent.name, <span className={styles[agent.status]}>{agent.status}</span>, `${agent.load} / ${agent.capacity}`],
          }))}
        />
      </section>
      <section aria-labelledby="inboxes-title">
        <h2 id="inboxes-title">Inboxes</h2>
        <Table
          headers={['Inbox', 'Queued', 'Open']}
          rows={data.stats.perInbox.map((inbox) => ({ key: inbox.inboxId, cells: [inbox.name, inbox.queued, inbox.open] }))}
        />
        <p className={styles.note}>Longest wait: {minutes(data.stats.longestWaitSec + (data.queued.length ? elapsed : 0))}</p>
      </section>
    </div>
  );
}
