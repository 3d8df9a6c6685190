/**
 * Report ranges in the agent's time zone. A report covers whole local days (`from`..`to`, both
 * inclusive, "YYYY-MM-DD"); the store buckets by local hour and day by shifting UTC times by the
 * zone's offset, which changes at DST transitions: the range is cut into spans of one offset each.
 */
export type OffsetSpan = { /** UTC ISO time this span starts at (the first one: the range's start). */ start: string; offsetMin: number };
export type ReportRange = { start: string; end: string; spans: OffsetSpan[]; days: string[] };

const MINUTE = 60_000;
const DAY = 86_400_000;

const partsFormat = new Map<string, Intl.DateTimeFormat>();
function formatIn(timeZone: string): Intl.DateTimeFormat {
  let format = partsFormat.get(timeZone);
  if (!format) {
    format = new Intl.DateTimeFormat('en-US', { timeZone, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit' });
    partsFormat.set(timeZone, format);
  }
  return format;
}

/** True for an IANA zone this runtime knows ("UTC", "Asia/Shanghai"). */
export function isTimeZone(zone: string): boolean {
  try {
    formatIn(zone);
    return true;
  } catch {
    return false;
  }
}

/** The zone's offset from UTC at an instant, in minutes (Shanghai: +480). */
export function zoneOffsetMin(ms: number, timeZone: string): number {
  const p = Object.fromEntries(formatIn(timeZone).formatToParts(new Date(ms)).map((part) => [part.type, part.value]));
  const asUtc = Date.UTC(Number(p.year), Number(p.month) - 1, Number(p.day), Number(p.hour), Number(p.minute), Number(p.second));
  return Math.round((asUtc - Math.floor(ms / 1000) * 1000) / MINUTE);
}

/** The instant a local day starts in the zone (where midnight is skipped by DST, the first local time after it). */
export function zonedDayStart(date: string, timeZone: string): number {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  const wall = Date.UTC(y, m - 1, d);
  let guess = wall - zoneOffsetMin(wall, timeZone) * MINUTE;
  guess = wall - zoneOffsetMin(guess, timeZone) * MINUTE;
  return guess;
}

/** The first minute in (lo, hi] whose offset differs from lo's (the offsets at lo and hi differ). */
function transitionBetween(lo: number, hi: number, timeZone: string): number {
  const before = zoneOffsetMin(lo, timeZone);
  while (hi - lo > MINUTE) {
    const mid = lo + Math.floor((hi - lo) / 2 / MINUTE) * MINUTE;
    if (zoneOffsetMin(mid, timeZone) === before) lo = mid;
    else hi = mid;
  }
  return hi;
}

/** Spans of one offset covering [start, end): sampled every 6 hours, transitions found to the minute. */
export function offsetSpans(start: number, end: number, timeZone: string): OffsetSpan[] {
  const spans: OffsetSpan[] = [{ start: new Date(start).toISOString(), offsetMin: zoneOffsetMin(start, timeZone) }];
  const step = DAY / 4;
  for (let at = start; at < end; at += step) {
    const next = Math.min(at + step, end);
    const current = spans.at(-1)!.offsetMin;
    const offset = zoneOffsetMin(next, timeZone);
    if (offset === current || next === end) continue;
    const change = transitionBetween(at, next, timeZone);
    spans.push({ start: new Date(change).toISOString(), offsetMin: zoneOffsetMin(change, timeZone) });
  }
  return spans;
}

/** The local days from..to ("YYYY-MM-DD", inclusive). */
export function daysBetween(from: string, to: string): string[] {
  const days: string[] = [];
  for (let at = Date.parse(`${from}T00:00:00Z`); at <= Date.parse(`${to}T00:00:00Z`); at += DAY) days.push(new Date(at).toISOString().slice(0, 10));
  return days;
}

/** A report over local days `from`..`to` in `timeZone`: its UTC bounds [start, end), offset spans and days. */
export function reportRange(from: string, to: string, timeZone: string): ReportRange {
  const days = daysBetween(from, to);
  const start = zonedDayStart(from, timeZone);
  const nextDay = new Date(Date.parse(`${to}T00:00:00Z`) + DAY).toISOString().slice(0, 10);
  const end = zonedDayStart(nextDay, timeZone);
  return { start: new Date(start).toISOString(), end: new Date(end).toISOString(), spans: offsetSpans(start, end, timeZone), days };
}
