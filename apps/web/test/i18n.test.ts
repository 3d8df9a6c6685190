import { describe, expect, it } from '@jest/globals';
import { dictionaryMismatches, placeholdersOf } from '@kefu/core';
import { en } from '../lib/dictionaries/en';
import { zhCN } from '../lib/dictionaries/zh-CN';
import { daysBefore, formatDayKey, formatDuration, formatters, t, validTimeZone } from '../lib/i18n';

/** The dashboard's dictionaries (no browser): the same keys and placeholders in both languages. */
describe('dashboard dictionaries', () => {
  it('have the same keys and the same placeholders in English and Chinese', () => {
    expect(dictionaryMismatches(en, zhCN)).toEqual([]);
  });

  it('translate every sentence (only language-neutral entries may be the same in both)', () => {
    const same = Object.keys(en).filter((key) => JSON.stringify(en[key as keyof typeof en]) === JSON.stringify(zhCN[key as keyof typeof en]));
    expect(same.sort()).toEqual(['list.meta', 'queue.position', 'reports.hourLabel', 'visitor.pastRow']);
  });

  it('have no empty entries, and placeholders are plain names', () => {
    for (const [key, entry] of Object.entries({ ...en, ...zhCN })) {
      expect([key, typeof entry === 'string' ? entry.trim().length > 0 : Boolean(entry.one.trim() && entry.other.trim())]).toEqual([key, true]);
      for (const name of placeholdersOf(entry)) expect(name).toMatch(/^[a-z][A-Za-z]*$/);
    }
  });

  it('words a sentence in each language', () => {
    expect(t('en')('queue.agents', { count: 2 })).toBe('Agents (2 online)');
    expect(t('zh-CN')('queue.agents', { count: 2 })).toBe('客服（2 人在线）');
  });

  it("formats times in the agent's zone, and ignores a zone this runtime does not know", () => {
    const noonUtc = '2026-03-01T12:00:00Z';
    expect(formatters('en', 'Asia/Shanghai').time(noonUtc)).toBe('08:00 PM');
    expect(formatters('zh-CN', 'Asia/Shanghai').time(noonUtc)).toBe('20:00');
    expect(formatters('en', 'America/New_York').time(noonUtc)).toBe('07:00 AM');
    expect(validTimeZone('Mars/Olympus')).toBeNull();
    expect(validTimeZone('Asia/Shanghai')).toBe('Asia/Shanghai');
  });

  it('words durations at the scale that reads best', () => {
    const en = t('en');
    expect([42, 200, 7500, 97_200].map((sec) => formatDuration(en, sec))).toEqual(['42 s', '3 min 20 s', '2 h 5 min', '1 d 3 h']);
    expect(formatDuration(t('zh-CN'), 200)).toBe('3 分 20 秒');
    expect(daysBefore('2026-03-01', 1)).toBe('2026-02-28');
    expect(formatDayKey('en', '2026-03-01')).toBe('Mar 1');
  });
});
