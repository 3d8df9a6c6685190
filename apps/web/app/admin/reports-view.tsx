'use client';

import type { AgentProfile, DurationStats, Inbox, Report, ReportMetrics } from '@kefu/protocol';
import { useCallback, useEffect, useMemo, useState, type ReactNode } from 'react';
import { daysBefore, formatDayKey, formatDuration, todayIn, type T } from '../../lib/i18n';
import { useI18n } from '../../lib/use-i18n';
import type { AdminContext } from './admin-console';
import styles from './admin.module.css';
import { BarChart } from './bar-chart';
import { useResource } from './use-resource';

type Filter = { from: string; to: string; inboxId: string; agentId: string };

const dash = '—';
const median = (t: T, stat: DurationStats) => (stat.medianSec === null ? dash : formatDuration(t, stat.medianSec));

function Figure({ title, children }: { title: string; children: ReactNode }) {
  return (
    <div className={styles.figure}>
      <dt>{title}</dt>
      <dd>{children}</dd>
    </div>
  );
}

function Summary({ totals }: { totals: ReportMetrics }) {
  const { t } = useI18n();
  const duration = (stat: DurationStats) =>
    stat.count === 0 ? dash : t('reports.medianAverage', { median: median(t, stat), average: formatDuration(t, stat.averageSec ?? 0) });
  const { csat } = totals;
  return (
    <dl className={styles.figures} aria-label={t('reports.summary')}>
      <Figure title={t('reports.conversations')}>{totals.conversations}</Figure>
      <Figure title={t('reports.resolved')}>{totals.resolved}</Figure>
      <Figure title={t('reports.wait')}>{duration(totals.waitTime)}</Figure>
      <Figure title={t('reports.firstResponse')}>{duration(totals.firstResponse)}</Figure>
      <Figure title={t('reports.resolution')}>{duration(totals.resolution)}</Figure>
      <Figure title={t('reports.csat')}>
        {csat.average === null ? dash : t('reports.csatValue', { average: csat.average.toFixed(1), count: csat.count })}
        {csat.count > 0 && <small>{t('reports.satisfied', { percent: Math.round((csat.satisfied / csat.count) * 100) })}</small>}
      </Figure>
    </dl>
  );
}

function DataTable({ caption, headers, rows }: { caption: string; headers: string[]; rows: (string | number)[][] }) {
  return (
    <table className={styles.table}>
      <caption>{caption}</caption>
      <thead>
        <tr>
          {headers.map((h) => (
            <th key={h} scope="col">
              {h}
            </th>
          ))}
        </tr>
      </thead>
      <tbody>
        {rows.map((row) => (
          <tr key={String(row[0])}>
            {row.map((cell, i) => (i === 0 ? <th key={i} scope="row">{cell}</th> : <td key={i}>{cell}</td>))}
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/**
 * A chart with the same figures as a table. The table is always in the page for assistive technology
 * (visually hidden until asked for); the canvas is only a picture of it.
 */
function ChartWithTable({ title, labels, series, headers }: { title: string; labels: string[]; series: { label: string; data: number[]; color: string }[]; headers: string[] }) {
  const { t } = useI18n();
  const [showTable, setShowTable] = useState(false);
  const rows = labels.map((label, i) => [label, ...series.map((s) => s.data[i] ?? 0)]);
  return (
    <section className={styles.chart}>
      <h3>{title}</h3>
      <BarChart title={t('reports.chartNote', { title })} labels={labels} series={series} />
      <button type="button" aria-expanded={showTable} onClick={() => setShowTable(!showTable)}>
        {showTable ? t('reports.hideTable') : t('reports.showTable')}
      </button>
      <div className={showTable ? undefined : styles.srOnly}>
        <DataTable caption={title} headers={headers} rows={rows} />
      </div>
    </section>
  );
}

function BreakdownTable({ caption, first, rows }: { caption: string; first: string; rows: { name: string; metrics: ReportMetrics }[] }) {
  const { t } = useI18n();
  const headers = [first, t('reports.conversations'), t('reports.resolved'), t('reports.medianWait'), t('reports.medianFirst'), t('reports.medianResolution'), t('reports.csatShort')];
  const csat = (m: ReportMetrics) => (m.csat.average === null ? dash : t('reports.csatValue', { average: m.csat.average.toFixed(1), count: m.csat.count }));
  return (
    <DataTable
      caption={caption}
      headers={headers}
      rows={rows.map(({ name, metrics: m }) => [name, m.conversations, m.resolved, median(t, m.waitTime), median(t, m.firstResponse), median(t, m.resolution), csat(m)])}
    />
  );
}

function Charts({ report }: { report: Report }) {
  const { t, lang } = useI18n();
  const perDay = useMemo(
    () => ({
      labels: report.perDay.map((d) => formatDayKey(lang, d.date)),
      series: [
        { label: t('reports.conversations'), data: report.perDay.map((d) => d.conversations), color: '#2563eb' },
        { label: t('reports.resolved'), data: report.perDay.map((d) => d.resolved), color: '#22c55e' },
      ],
    }),
    [report, lang, t],
  );
  const perHour = useMemo(
    () => ({
      labels: report.perHour.map((h) => t('reports.hourLabel', { hour: h.hour })),
      series: [{ label: t('reports.conversations'), data: report.perHour.map((h) => h.conversations), color: '#2563eb' }],
    }),
    [report, t],
  );
  const ratings = useMemo(
    () => ({
      labels: report.csatRatings.map((r) => t('reports.stars', { count: r.rating })),
      series: [{ label: t('reports.ratingCount'), data: report.csatRatings.map((r) => r.count), color: '#f59e0b' }],
    }),
    [report, t],
  );
  return (
    <div className={styles.charts}>
      <ChartWithTable title={t('reports.perDay')} {...perDay} headers={[t('reports.day'), t('reports.conversations'), t('reports.resolved')]} />
      <ChartWithTable title={t('reports.perHour')} {...perHour} headers={[t('reports.hour'), t('reports.conversations')]} />
      <ChartWithTable title={t('reports.ratings')} {...ratings} headers={[t('reports.rating'), t('reports.ratingCount')]} />
    </div>
  );
}

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
