/**
 * Business hours of an inbox: when it is open, in the inbox's own time zone. Outside them the widget
 * offers the away form, as when no agent is online. Pure: the time comes from the caller, the time
 * zone rules from the runtime's Intl (IANA names, daylight saving included).
 */

/** 0 = Sunday … 6 = Saturday, as Date#getDay. */
export type Weekday = 0 | 1 | 2 | 3 | 4 | 5 | 6;
/** `open` before `close`, both `HH:MM` local time; `close` may be `24:00` (until midnight). Validated by @kefu/protocol. */
export type OpeningPeriod = { day: Weekday; open: string; close: string };
export type BusinessHours = { timeZone: string; periods: OpeningPeriod[] };

const weekdays: Record<string, Weekday> = { Sun: 0, Mon: 1, Tue: 2, Wed: 3, Thu: 4, Fri: 5, Sat: 6 };

/** Minutes after midnight of `HH:MM` (00:00 … 24:00), or null when it is not such a time. */
export function minutesOf(time: string): number | null {
  const match = /^([01]\d|2[0-4]):([0-5]\d)$/.exec(time);
  if (!match) return null;
  const minutes = Number(match[1]) * 60 + Number(match[2]);
  return minutes <= 24 * 60 ? minutes : null;
}

/** Formatters are costly to build and the same few time zones come back: one per zone. */
const formatters = new Map<string, Intl.DateTimeFormat>();
function formatterOf(timeZone: string): Intl.DateTimeFormat {
  let formatter = formatters.get(timeZone);
  if (!formatter) {
    formatter = new Intl.DateTimeFormat('en-US', { timeZone, weekday: 'short', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });
    formatters.set(timeZone, formatter);
  }
  return formatter;
}

/** The weekday and the minute of the day at `at` on the wall clocks of `timeZone`. */
export function localTimeOf(at: Date, timeZone: string): { day: Weekday; minute: number } {
  const parts = Object.fromEntries(formatterOf(timeZone).formatToParts(at).map((p) => [p.type, p.value]));
  return { day: weekdays[parts.weekday ?? 'Sun'] ?? 0, minute: Number(parts.hour) * 60 + Number(parts.minute) };
}

/** Whether the inbox is open at `at`. No hours set (null) means always open. */
export function isOpenAt(hours: BusinessHours | null, at: Date): boolean {
  if (!hours) return true;
  const { day, minute } = localTimeOf(at, hours.timeZone);
  return hours.periods.some((p) => p.day === day && (minutesOf(p.open) ?? Infinity) <= minute && minute < (minutesOf(p.close) ?? -Infinity));
}
