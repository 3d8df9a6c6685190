import { reportRange, type OffsetSpan } from '@kefu/core';
import type { DurationStats, Report, ReportMetrics } from '@kefu/protocol';
import { sql, type RawBuilder } from 'kysely';
import type { Database, Dialect, Executor } from '../database.js';

/**
 * The admin's reports: every figure is aggregated by the database (counts, means, medians, buckets),
 * never by reading conversations into JS. The set is the conversations started on the local days
 * `from`..`to` in `timeZone`; local days and hours come from shifting the stored UTC times by the
 * zone's offset, which @kefu/core cuts into spans at DST transitions.
 */
export type ReportFilter = { from: string; to: string; timeZone: string; inboxId?: string | undefined; agentId?: string | undefined };

type Expr = RawBuilder<unknown>;

/** The zone's offset (minutes) at the time in `column`: the latest span that started at or before it. */
function offsetAt(spans: OffsetSpan[], column: Expr): Expr {
  const minutes = (span: OffsetSpan) => sql`cast(${span.offsetMin} as integer)`;
  if (spans.length === 1) return minutes(spans[0]!);
  const later = spans.slice(1).reverse().map((span) => sql`when ${column} >= ${span.start} then ${minutes(span)}`);
  return sql`(case ${sql.join(later, sql` `)} else ${minutes(spans[0]!)} end)`;
}

/** The two things SQLite and PostgreSQL say differently: seconds between ISO texts, and local day/hour. */
function dialectSql(dialect: Dialect) {
  if (dialect === 'sqlite') {
    return {
      seconds: (from: Expr, to: Expr) => sql`((julianday(${to}) - julianday(${from})) * 86400.0)`,
      localDay: (time: Expr, offset: Expr) => sql`strftime('%Y-%m-%d', ${time}, ${offset} || ' minutes')`,
      localHour: (time: Expr, offset: Expr) => sql`cast(strftime('%H', ${time}, ${offset} || ' minutes') as integer)`,
    };
  }
  const local = (time: Expr, offset: Expr) => sql`((cast(${time} as timestamptz) at time zone 'UTC') + ${offset} * interval '1 minute')`;
  return {
    seconds: (from: Expr, to: Expr) => sql`extract(epoch from (cast(${to} as timestamptz) - cast(${from} as timestamptz)))`,
    localDay: (time: Expr, offset: Expr) => sql`to_char(${local(time, offset)}, 'YYYY-MM-DD')`,
    localHour: (time: Expr, offset: Expr) => sql`cast(extract(hour from ${local(time, offset)}) as integer)`,
  };
}

/**
 * `facts`: one row per conversation in the report, with its local day and hour and its durations in
 * seconds. Wait ends at the first assignment to an agent or the first agent reply, whichever came first.
 */
function factsCte(dialect: Dialect, filter: ReportFilter): Expr {
  const range = reportRange(filter.from, filter.to, filter.timeZone);
  const d = dialectSql(dialect);
  const created = sql.ref('c.created_at');
  const offset = offsetAt(range.spans, created);
  const where = [sql`c.created_at >= ${range.start}`, sql`c.created_at < ${range.end}`];
  if (filter.inboxId) where.push(sql`c.inbox_id = ${filter.inboxId}`);
  if (filter.agentId) where.push(sql`c.assignee_id = ${filter.agentId}`);
  const waitEnd = sql`case when c.assigned_at is null then c.first_response_at
    when c.first_response_at is null or c.assigned_at < c.first_response_at then c.assigned_at else c.first_response_at end`;
  return sql`with facts as materialized (
    select c.inbox_id, c.assignee_id as agent_id, c.csat_rating as csat,
      ${d.localDay(created, offset)} as local_day,
      ${d.localHour(created, offset)} as local_hour,
      ${d.seconds(created, waitEnd)} as wait_sec,
      ${d.seconds(created, sql.ref('c.first_response_at'))} as first_sec,
      case when c.status = 'resolved' then ${d.seconds(created, sql.ref('c.resolved_at'))} end as resolution_sec
    from (
      select c.*, (select min(a.created_at) from assignments a where a.conversation_id = c.id and a.agent_id is not null) as assigned_at
      from conversations c where ${sql.join(where, sql` and `)}
    ) c
  )`;
}

/** The three ways figures are grouped: all together, by assignee ('' for nobody), by inbox. */
const dimensions: [string, Expr][] = [
  ['total', sql`''`],
  ['agent', sql`coalesce(agent_id, '')`],
  ['inbox', sql`inbox_id`],
];
const durations = ['wait', 'first', 'resolution'] as const;

const aggregates = sql`count(*) as conversations,
  sum(case when resolution_sec is not null then 1 else 0 end) as resolved,
  avg(wait_sec) as wait_avg, count(wait_sec) as wait_n,
  avg(first_sec) as first_avg, count(first_sec) as first_n,
  avg(resolution_sec) as resolution_avg, count(resolution_sec) as resolution_n,
  avg(csat) as csat_avg, count(csat) as csat_n, sum(case when csat >= 4 then 1 else 0 end) as csat_good`;

/** Each duration of each group, ranked within its group (a window per group and duration, over facts). */
function rankedSamples(): Expr {
  const branches = dimensions.flatMap(([dim, key]) =>
    durations.map((metric) => {
      const value = sql.ref(`${metric}_sec`);
      return sql`select ${dim} as dim, ${key} as k, ${metric} as metric, ${value} as v,
        row_number() over (partition by ${key} order by ${value}) as rn, count(*) over (partition by ${key}) as n
        from facts where ${value} is not null`;
    }),
  );
  return sql.join(branches, sql` union all `);
}

type Num = number | string | null;
type MetricsRow = {
  dim: string;
  k: string;
  conversations: Num;
  resolved: Num;
  wait_avg: Num;
  wait_n: Num;
  wait_median: Num;
  first_avg: Num;
  first_n: Num;
  first_median: Num;
  resolution_avg: Num;
  resolution_n: Num;
  resolution_median: Num;
  csat_avg: Num;
  csat_n: Num;
  csat_good: Num;
};
type SeriesRow = { kind: 'day' | 'hour' | 'csat'; k: string; conversations: Num; resolved: Num };

/** pg returns numeric (avg, extract) as text; durations are kept to the millisecond. */
const num = (value: Num): number => Math.round(Number(value ?? 0) * 1000) / 1000;
const numOrNull = (value: Num): number | null => (value === null ? null : num(value));

/**
 * Counts and means per group, with medians by window functions (both dialects): the middle value, or
 * the mean of the middle two. One statement over the materialized facts, so they are worked out once;
 * a window per group and duration sorts fewer rows than one window over every group's copy (SQLite
 * took about 40% less time on 100,000 conversations).
 */
async function metricRows(db: Executor, facts: Expr): Promise<MetricsRow[]> {
  const median = (metric: string) => sql`(select m.median from medians m where m.dim = t.dim and m.k = t.k and m.metric = ${metric})`;
  const totals = dimensions.map(([dim, key]) =>
    dim === 'total' ? sql`select ${dim} as dim, ${key} as k, ${aggregates} from facts` : sql`select ${dim} as dim, ${key} as k, ${aggregates} from facts group by ${key}`,
  );
  const result = await sql<MetricsRow>`${facts},
    ranked as (${rankedSamples()}),
    medians as (select dim, k, metric, avg(v) as median from ranked where rn = (n + 1) / 2 or rn = (n + 2) / 2 group by dim, k, metric),
    totals as (${sql.join(totals, sql` union all `)})
    select t.*, ${median('wait')} as wait_median, ${median('first')} as first_median, ${median('resolution')} as resolution_median
    from totals t where t.conversations > 0`.execute(db);
  return result.rows;
}

function toMetrics(row: MetricsRow): ReportMetrics {
  const duration = (count: Num, average: Num, median: Num): DurationStats => ({ count: num(count), averageSec: numOrNull(average), medianSec: numOrNull(median) });
  return {
    conversations: num(row.conversations),
    resolved: num(row.resolved),
    waitTime: duration(row.wait_n, row.wait_avg, row.wait_median),
    firstResponse: duration(row.first_n, row.first_avg, row.first_median),
    resolution: duration(row.resolution_n, row.resolution_avg, row.resolution_median),
    csat: { count: num(row.csat_n), average: numOrNull(row.csat_avg), satisfied: num(row.csat_good) },
  };
}

const emptyMetrics = (): ReportMetrics => {
  const none: DurationStats = { count: 0, averageSec: null, medianSec: null };
  return { conversations: 0, resolved: 0, waitTime: none, firstResponse: none, resolution: none, csat: { count: 0, average: null, satisfied: 0 } };
};

/** Conversations per local day (with how many are resolved), per local hour, and per CSAT rating: one statement. */
async function seriesRows(db: Executor, facts: Expr): Promise<SeriesRow[]> {
  const result = await sql<SeriesRow>`${facts}
    select 'day' as kind, local_day as k, count(*) as conversations, sum(case when resolution_sec is not null then 1 else 0 end) as resolved
    from facts group by local_day
    union all select 'hour' as kind, cast(local_hour as text) as k, count(*) as conversations, 0 as resolved from facts group by local_hour
    union all select 'csat' as kind, cast(csat as text) as k, count(*) as conversations, 0 as resolved from facts where csat is not null group by csat`.execute(db);
  return result.rows;
}

async function namesOf(db: Executor, table: 'agents' | 'inboxes', ids: string[]): Promise<Map<string, string>> {
  if (ids.length === 0) return new Map();
  const rows = await db.selectFrom(table).select(['id', 'name']).where('id', 'in', ids).execute();
  return new Map(rows.map((r) => [r.id, r.name]));
}

/** The report over a range: totals, per local day and hour, CSAT ratings, per agent and per inbox. */
export async function conversationReport(database: Database, filter: ReportFilter): Promise<Report> {
  const db = database.db;
  const facts = factsCte(database.dialect, filter);
  const rows = await metricRows(db, facts);
  const series = await seriesRows(db, facts);
  const count = (kind: SeriesRow['kind'], k: string) => series.find((r) => r.kind === kind && r.k === k);
  const totalsRow = rows.find((r) => r.dim === 'total');
  const agentRows = rows.filter((r) => r.dim === 'agent');
  const inboxRows = rows.filter((r) => r.dim === 'inbox');
  const agentNames = await namesOf(db, 'agents', agentRows.map((r) => r.k).filter(Boolean));
  const inboxNames = await namesOf(db, 'inboxes', inboxRows.map((r) => r.k));
  const busiestFirst = (a: ReportMetrics, b: ReportMetrics) => b.conversations - a.conversations;
  return {
    from: filter.from,
    to: filter.to,
    timeZone: filter.timeZone,
    totals: totalsRow ? toMetrics(totalsRow) : emptyMetrics(),
    perDay: reportRange(filter.from, filter.to, filter.timeZone).days.map((date) => ({
      date,
      conversations: num(count('day', date)?.conversations ?? 0),
      resolved: num(count('day', date)?.resolved ?? 0),
    })),
    perHour: Array.from({ length: 24 }, (_, hour) => ({ hour, conversations: num(count('hour', String(hour))?.conversations ?? 0) })),
    csatRatings: [1, 2, 3, 4, 5].map((rating) => ({ rating, count: num(count('csat', String(rating))?.conversations ?? 0) })),
    byAgent: agentRows.map((r) => ({ agentId: r.k || null, name: r.k ? (agentNames.get(r.k) ?? null) : null, ...toMetrics(r) })).sort(busiestFirst),
    byInbox: inboxRows.map((r) => ({ inboxId: r.k, name: inboxNames.get(r.k) ?? '', ...toMetrics(r) })).sort(busiestFirst),
  };
}
