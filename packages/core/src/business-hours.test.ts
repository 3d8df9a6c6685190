import { describe, expect, it } from '@jest/globals';
import { isOpenAt, localTimeOf, minutesOf, type BusinessHours } from './business-hours.js';

const weekdays = (open: string, close: string) => ([1, 2, 3, 4, 5] as const).map((day) => ({ day, open, close }));
const shanghai: BusinessHours = { timeZone: 'Asia/Shanghai', periods: weekdays('09:00', '18:00') };
const berlin: BusinessHours = { timeZone: 'Europe/Berlin', periods: [...weekdays('09:00', '17:30'), { day: 6, open: '10:00', close: '14:00' }] };
const lateNight: BusinessHours = { timeZone: 'America/New_York', periods: [{ day: 5, open: '20:00', close: '24:00' }, { day: 6, open: '00:00', close: '02:00' }] };

describe('isOpenAt', () => {
  it.each([
    ['no hours: always open', null, '2026-12-06T03:00:00Z', true],
    // 2026-12-01 is a Tuesday. Shanghai is UTC+8 all year.
    ['Shanghai Tuesday 09:00 (opening minute)', shanghai, '2026-12-01T01:00:00Z', true],
    ['Shanghai Tuesday 08:59', shanghai, '2026-12-01T00:59:00Z', false],
    ['Shanghai Tuesday 17:59', shanghai, '2026-12-01T09:59:00Z', true],
    ['Shanghai Tuesday 18:00 (closing minute: closed)', shanghai, '2026-12-01T10:00:00Z', false],
    ['Shanghai Saturday 10:00', shanghai, '2026-12-05T02:00:00Z', false],
    ['Shanghai Monday 07:30 local is Sunday 23:30 UTC', shanghai, '2026-11-29T23:30:00Z', false],
    ['Shanghai Monday 09:30 local is Monday 01:30 UTC', shanghai, '2026-11-30T01:30:00Z', true],
    // Berlin: UTC+1 in winter, UTC+2 in summer (daylight saving is the runtime's).
    ['Berlin winter Tuesday 09:00 = 08:00 UTC', berlin, '2026-12-01T08:00:00Z', true],
    ['Berlin winter Tuesday 07:30 UTC = 08:30 local', berlin, '2026-12-01T07:30:00Z', false],
    ['Berlin summer Tuesday 07:30 UTC = 09:30 local', berlin, '2026-07-07T07:30:00Z', true],
    ['Berlin Saturday 13:59 local', berlin, '2026-12-05T12:59:00Z', true],
    ['Berlin Sunday noon', berlin, '2026-12-06T11:00:00Z', false],
    // Across midnight as two periods: Friday 20:00 to Saturday 02:00 in New York (UTC-5 in winter).
    ['New York Friday 23:59', lateNight, '2026-12-05T04:59:00Z', true],
    ['New York Saturday 01:59', lateNight, '2026-12-05T06:59:00Z', true],
    ['New York Saturday 02:00', lateNight, '2026-12-05T07:00:00Z', false],
    ['New York Friday 19:59', lateNight, '2026-12-05T00:59:00Z', false],
  ])('%s', (_case, hours, iso, open) => {
    expect(isOpenAt(hours, new Date(iso))).toBe(open);
  });
});

describe('times', () => {
  it.each([
    ['00:00', 0],
    ['09:30', 570],
    ['24:00', 1440],
    ['24:01', null],
    ['9:30', null],
    ['25:00', null],
    ['12:60', null],
    ['', null],
  ])('minutesOf(%j) is %j', (time, minutes) => {
    expect(minutesOf(time)).toBe(minutes);
  });

  it('reads local wall clocks', () => {
    expect(localTimeOf(new Date('2026-12-01T16:30:00Z'), 'Asia/Shanghai')).toEqual({ day: 3, minute: 30 });
  });
});
