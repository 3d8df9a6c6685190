'use client';

import type { DurationStats, Report, ReportMetrics } from '@kefu/protocol';
import { useMemo, useState, type ReactNode } from 'react';
import { formatDayKey, formatDuration, type T } from '../../lib/i18n';
import { useI18n } from '../../lib/use-i18n';
import styles from './admin.module.css';
import { BarChart } from './bar-chart';

/** The pieces of the reports page: summary figures, charts with their tables, breakdown tables. */
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

export function Summary({ totals }: { totals: ReportMetrics }) {
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

export function BreakdownTable({ caption, first, rows }: { caption: string; first: string; rows: { name: string; metrics: ReportMetrics }[] }) {
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

export function Charts({ report }: { report: Report }) {
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
