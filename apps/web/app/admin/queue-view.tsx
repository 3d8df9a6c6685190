'use client';

import type { QueueSnapshot } from '@kefu/protocol';
import { useEffect, useState } from 'react';
import type { AdminContext } from './admin-console';
import styles from './admin.module.css';

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
        <table className={styles.table}>
          <thead>
            <tr>
              <th>#</th>
              <th>Shopper</th>
              <th>Inbox</th>
              <th>Waiting</th>
              <th>Estimate</th>
            </tr>
          </thead>
          <tbody>
            {data.queued.map((item) => (
              <tr key={item.conversationId}>
                <td>{item.position}</td>
                <td>{item.visitorName ?? `Visitor #${item.number}`}</td>
                <td>{data.stats.perInbox.find((i) => i.inboxId === item.inboxId)?.name ?? ''}</td>
                <td>{minutes(item.waitingSec + elapsed)}</td>
                <td>{item.estimatedWaitSec === null ? 'nobody online' : minutes(item.estimatedWaitSec)}</td>
              </tr>
            ))}
          </tbody>
        </table>
        {data.queued.length === 0 && <p className={styles.note}>Nobody is waiting.</p>}
      </section>
      <section aria-labelledby="agents-title">
        <h2 id="agents-title">Agents ({data.stats.agentsOnline} online)</h2>
        <table className={styles.table}>
          <thead>
            <tr>
              <th>Agent</th>
              <th>Status</th>
              <th>Load</th>
            </tr>
          </thead>
          <tbody>
            {data.agents.map((agent) => (
              <tr key={agent.id}>
                <td>{agent.name}</td>
                <td>
                  <span className={styles[agent.status]}>{agent.status}</span>
                </td>
                <td>
                  {agent.load} / {agent.capacity}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </section>
      <section aria-labelledby="inboxes-title">
        <h2 id="inboxes-title">Inboxes</h2>
        <table className={styles.table}>
          <thead>
            <tr>
              <th>Inbox</th>
              <th>Queued</th>
              <th>Open</th>
            </tr>
          </thead>
          <tbody>
            {data.stats.perInbox.map((inbox) => (
              <tr key={inbox.inboxId}>
                <td>{inbox.name}</td>
                <td>{inbox.queued}</td>
                <td>{inbox.open}</td>
              </tr>
            ))}
          </tbody>
        </table>
        <p className={styles.note}>Longest wait: {minutes(data.stats.longestWaitSec + (data.queued.length ? elapsed : 0))}</p>
      </section>
    </div>
  );
}
