import { describe, expect, it } from '@jest/globals';
import { formatDay, parseDay, parseWeek } from '../lib/business-hours-form.js';

describe('business hours as admins type them', () => {
  it.each([
    ['', []],
    ['09:00-18:00', [{ day: 1, open: '09:00', close: '18:00' }]],
    ['9:00 – 12:00, 13:30-24:00', [{ day: 1, open: '09:00', close: '12:00' }, { day: 1, open: '13:30', close: '24:00' }]],
  ])('reads %j', (text, periods) => {
    expect(parseDay(text, 1)).toEqual(periods);
  });

  it.each(['9-18', 'closed', '09:00-', '09:00 to 18:00'])('names the part it cannot read: %j', (text) => {
    expect(parseDay(`08:00-09:00, ${text}`, 1)).toEqual({ day: 1, part: text });
  });

  it('writes back what it reads, and names the day of a problem', () => {
    const week = parseWeek(' Asia/Shanghai ', (day) => (day === 6 ? '10:00-14:00' : day === 0 ? '' : '09:00-12:00, 13:00-18:00'));
    if (!('periods' in week)) throw new Error(JSON.stringify(week));
    expect(week.timeZone).toBe('Asia/Shanghai');
    expect(week.periods).toHaveLength(11);
    expect(formatDay(week.periods, 1)).toBe('09:00-12:00, 13:00-18:00');
    expect(formatDay(week.periods, 0)).toBe('');
    expect(parseWeek('UTC', (day) => (day === 3 ? 'noon' : ''))).toEqual({ day: 3, part: 'noon' });
  });
});
