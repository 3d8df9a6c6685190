import type { BusinessHoursSettings } from '@kefu/protocol';

type Period = BusinessHoursSettings['periods'][number];
export type Day = Period['day'];

/** Monday first, as shops think of their week; the numbers are Date#getDay's. */
export const weekDays: readonly Day[] = [1, 2, 3, 4, 5, 6, 0];

/** What could not be read: the day and the text. */
export type HoursProblem = { day: Day; part: string };

/** One day's periods as admins type them: `09:00-12:00, 13:00-18:00`; empty is closed. */
export const formatDay = (periods: Period[], day: Day): string =>
  periods
    .filter((p) => p.day === day)
    .map((p) => `${p.open}-${p.close}`)
    .join(', ');

/** The periods of one day's text, or the part it cannot read (the server checks the times again). */
export function parseDay(text: string, day: Day): Period[] | HoursProblem {
  const periods: Period[] = [];
  for (const part of text.split(',').map((p) => p.trim()).filter(Boolean)) {
    const match = /^(\d{1,2}:\d{2})\s*[-–]\s*(\d{1,2}:\d{2})$/.exec(part);
    if (!match) return { day, part };
    periods.push({ day, open: match[1]!.padStart(5, '0'), close: match[2]!.padStart(5, '0') });
  }
  return periods;
}

/** The whole week from each day's text, or the first problem found. */
export function parseWeek(timeZone: string, dayText: (day: Day) => string): BusinessHoursSettings | HoursProblem {
  const periods: Period[] = [];
  for (const day of weekDays) {
    const parsed = parseDay(dayText(day), day);
    if (!Array.isArray(parsed)) return parsed;
    periods.push(...parsed);
  }
  return { timeZone: timeZone.trim(), periods };
}
