import { z } from 'zod';

/** `HH:MM` from 00:00 to 24:00 (24:00: until midnight). */
const TimeSchema = z.string().regex(/^(([01]\d|2[0-3]):[0-5]\d|24:00)$/, 'a time is HH:MM, from 00:00 to 24:00');
const minutes = (time: string) => Number(time.slice(0, 2)) * 60 + Number(time.slice(3));

const isTimeZone = (name: string): boolean => {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: name });
    return true;
  } catch {
    return false;
  }
};

export const OpeningPeriodSchema = z
  .object({
    /** 0 = Sunday … 6 = Saturday. */
    day: z.union([z.literal(0), z.literal(1), z.literal(2), z.literal(3), z.literal(4), z.literal(5), z.literal(6)]),
    open: TimeSchema,
    close: TimeSchema,
  })
  .refine((p) => minutes(p.open) < minutes(p.close), 'a period opens before it closes (split one across midnight in two)');

/**
 * Weekly opening hours of an inbox in its IANA time zone (`Asia/Shanghai`). Outside them the inbox
 * counts as offline for shoppers: the widget offers the away form. Null: always open.
 */
export const BusinessHoursSchema = z.object({
  timeZone: z.string().max(64).refine(isTimeZone, 'timeZone: not an IANA time zone (e.g. Asia/Shanghai)'),
  periods: z.array(OpeningPeriodSchema).max(70),
});
export type BusinessHoursSettings = z.infer<typeof BusinessHoursSchema>;
