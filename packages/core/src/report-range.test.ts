import { describe, expect, it } from '@jest/globals';
import { daysBetween, isTimeZone, offsetSpans, reportRange, zonedDayStart, zoneOffsetMin } from './report-range.js';

describe('report ranges in a time zone', () => {
  it('knows zones and their offsets', () => {
    expect(isTimeZone('Asia/Shanghai')).toBe(true);
    expect(isTimeZone('Mars/Olympus')).toBe(false);
    expect(zoneOffsetMin(Date.parse('2026-07-01T00:00:00Z'), 'Asia/Shanghai')).toBe(480);
    expect(zoneOffsetMin(Date.parse('2026-07-01T00:00:00Z'), 'America/New_York')).toBe(-240);
    expect(zoneOffsetMin(Date.parse('2026-01-01T00:00:00Z'), 'America/New_York')).toBe(-300);
    expect(zoneOffsetMin(Date.parse('2026-01-01T00:00:00Z'), 'Asia/Kolkata')).toBe(330);
  });

  it('finds the instant a local day starts', () => {
    expect(new Date(zonedDayStart('2026-03-01', 'Asia/Shanghai')).toISOString()).toBe('2026-02-28T16:00:00.000Z');
    expect(new Date(zonedDayStart('2026-03-08', 'America/New_York')).toISOString()).toBe('2026-03-08T05:00:00.000Z');
    expect(new Date(zonedDayStart('2026-03-09', 'America/New_York')).toISOString()).toBe('2026-03-09T04:00:00.000Z');
  });

  it('cuts a range at DST transitions, to the minute', () => {
    // New York springs forward on 2026-03-08 at 02:00 local (07:00 UTC).
    const range = reportRange('2026-03-07', '2026-03-09', 'America/New_York');
    expect(range).toEqual({
      start: '2026-03-07T05:00:00.000Z',
      end: '2026-03-10T04:00:00.000Z',
      spans: [
        { start: '2026-03-07T05:00:00.000Z', offsetMin: -300 },
        { start: '2026-03-08T07:00:00.000Z', offsetMin: -240 },
      ],
      days: ['2026-03-07', '2026-03-08', '2026-03-09'],
    });
    expect(offsetSpans(Date.parse('2026-01-01T00:00:00Z'), Date.parse('2027-01-01T00:00:00Z'), 'Asia/Shanghai')).toHaveLength(1);
    expect(offsetSpans(Date.parse('2026-01-01T00:00:00Z'), Date.parse('2027-01-01T00:00:00Z'), 'Europe/Berlin').map((s) => s.start)).toEqual([
      '2026-01-01T00:00:00.000Z',
      '2026-03-29T01:00:00.000Z',
      '2026-10-25T01:00:00.000Z',
    ]);
  });

  it('lists the local days, month ends included', () => {
    expect(daysBetween('2026-02-27', '2026-03-02')).toEqual(['2026-02-27', '2026-02-28', '2026-03-01', '2026-03-02']);
    expect(daysBetween('2026-03-02', '2026-03-01')).toEqual([]);
  });
});
