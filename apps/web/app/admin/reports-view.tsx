'use client';

import type { AgentProfile, Inbox, Report } from '@kefu/protocol';
import { useCallback, useEffect, useMemo, useState } from 'react';
import { daysBefore, todayIn } from '../../lib/i18n';
import { useI18n } from '../../lib/use-i18n';
import type { AdminContext } from './admin-console';
import styles from './admin.module.css';
import { BreakdownTable, Charts, Summary } from './report-parts';
import { useResource } from './use-resource';

type Filter = { from: string; to: string; inboxId: string; agentId: string };

function Filters({ filter, onChange, inboxes, agents }: { filter: Filter; onChange: (next: Filter) => void; inboxes: Inbox[]; agents: AgentProfile[] }) {
  const { t } = useI18n();
  const set = (field: keyof Filter) => (e: { target: { value: string } }) => onChange({ ...filter, [field]: e.target.value });
  return (
    <form className={styles.filters} onSubmit={(e) => e.preventDefault()}>
      <label>
        {t('reports.from')}
        <input type="date" value={filter.from} max={filter.to} onChange={set('from')} required />
      </label>
      <label>
        {t('reports.to')}
        <input type="date" value={filter.to} min={filter.from} onChange={set('to')} required />
      </label>
      <label>
        {t('reports.inbox')}
        <select value={filter.inboxId} onChange={set('inboxId')}>
          <option value="">{t('reports.allInboxes')}</option>
          {inboxes.map((i) => (
            <option key={i.id} value={i.id}>
              {i.name}
            </option>
          ))}
        </select>
      </label>
      <label>
        {t('reports.agent')}
        <select value={filter.agentId} onChange={set('agentId')}>
          <option value="">{t('reports.allAgents')}</option>
          {agents.map((a) => (
            <option key={a.id} value={a.id}>
              {a.name}
            </option>
          ))}
        </select>
      </label>
    </form>
  );
}

/** Reports over a range of days in the admin's time zone: figures, charts with their tables, breakdowns. */
export function ReportsView({ context }: { context: AdminContext }) {
  const { api } = context;
  const { t, timeZone } = useI18n();
  const loadChoices = useCallback(async () => {
    const [inboxes, agents] = await Promise.all([api<{ inboxes: Inbox[] }>('GET', '/api/admin/inboxes'), api<{ agents: AgentProfile[] }>('GET', '/api/admin/agents')]);
    return { inboxes: inboxes.inboxes, agents: agents.agents };
  }, [api]);
  const choices = useResource(loadChoices);
  const [filter, setFilter] = useState<Filter | null>(null);
  const [report, setReport] = useState<Report | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    // The last seven days, today included, once the zone is known (and again if the agent changes it).
    if (!timeZone) return;
    const today = todayIn(timeZone);
    setFilter((f) => f ?? { from: daysBefore(today, 6), to: today, inboxId: '', agentId: '' });
  }, [timeZone]);
  useEffect(() => {
    if (!filter || !timeZone || !filter.from || !filter.to || filter.from > filter.to) return;
    let current = true;
    const query = new URLSearchParams({ from: filter.from, to: filter.to, tz: timeZone });
    if (filter.inboxId) query.set('inboxId', filter.inboxId);
    if (filter.agentId) query.set('agentId', filter.agentId);
    setError(null);
    api<Report>('GET', `/api/admin/reports?${query}`).then(
      (r) => current && setReport(r),
      (e: Error) => current && setError(e.message),
    );
    return () => {
      current = false;
    };
  }, [api, filter, timeZone]);

  const names = useMemo(() => new Map(choices.data?.agents.map((a) => [a.id, a.name])), [choices.data]);
  return (
    <section className={styles.reports}>
      <h2>{t('reports.heading')}</h2>
      {filter && <Filters filter={filter} onChange={setFilter} inboxes={choices.data?.inboxes ?? []} agents={choices.data?.agents ?? []} />}
      <p className={styles.note}>{t('reports.zone', { zone: timeZone ?? 'UTC' })}</p>
      {(error ?? choices.error) && <p role="alert" className={styles.error}>{error ?? choices.error}</p>}
      {!report ? (
        <p className={styles.note}>{t('reports.loading')}</p>
      ) : (
        <>
          <Summary totals={report.totals} />
          {report.totals.conversations === 0 && <p className={styles.note}>{t('reports.empty')}</p>}
          <Charts report={report} />
          <BreakdownTable
            caption={t('reports.byAgent')}
            first={t('reports.agent')}
            rows={report.byAgent.map((a) => ({ name: a.agentId ? (a.name ?? names.get(a.agentId) ?? a.agentId) : t('reports.nobody'), metrics: a }))}
          />
          <BreakdownTable caption={t('reports.byInbox')} first={t('reports.inbox')} rows={report.byInbox.map((i) => ({ name: i.name, metrics: i }))} />
        </>
      )}
    </section>
  );
}
