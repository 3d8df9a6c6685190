import { translator, type Entry, type Lang, type Translate } from '@kefu/core';
import { en, type MessageKey } from './dictionaries/en';
import { zhCN } from './dictionaries/zh-CN';

/**
 * The dashboard's languages and the agent's time zone: pure functions over the dictionaries (the
 * React side is in use-i18n.tsx). Language: the agent's choice, else the browser's languages; times
 * and dates: in the agent's chosen zone, else the browser's.
 */
export type { Lang, MessageKey };
export type T = Translate<MessageKey>;

export const dictionaries: Record<Lang, Record<MessageKey, Entry>> = { en, 'zh-CN': zhCN };
/** Each language named in itself, for the switch. */
export const langNames: Record<Lang, string> = { en: 'English', 'zh-CN': '简体中文' };
export const langStorageKey = 'kefu:lang';
export const langCookie = 'kefu-lang';
export const timeZoneStorageKey = 'kefu:time-zone';

const translators = new Map<Lang, T>();
export function t(lang: Lang): T {
  let found = translators.get(lang);
  if (!found) translators.set(lang, (found = translator(lang, dictionaries[lang])));
  return found;
}

/** An IANA zone this runtime knows, or null (a stale stored choice must not break every date). */
export function validTimeZone(zone: string | null | undefined): string | null {
  if (!zone) return null;
  try {
    return new Intl.DateTimeFormat('en', { timeZone: zone }).resolvedOptions().timeZone;
  } catch {
    return null;
  }
}

export function browserTimeZone(): string {
  return Intl.DateTimeFormat().resolvedOptions().timeZone;
}

export function allTimeZones(): string[] {
  return Intl.supportedValuesOf('timeZone');
}

/** Formatters for one language and zone; the zone is undefined until the browser's is known. */
export function formatters(lang: Lang, timeZone: string | undefined) {
  const zone = timeZone ? { timeZone } : {};
  const time = new Intl.DateTimeFormat(lang, { hour: '2-digit', minute: '2-digit', ...zone });
  const date = new Intl.DateTimeFormat(lang, { dateStyle: 'medium', ...zone });
  const dateTime = new Intl.DateTimeFormat(lang, { dateStyle: 'medium', timeStyle: 'short', ...zone });
  return {
    time: (iso: string | number) => time.format(new Date(iso)),
    date: (iso: string | number) => date.format(new Date(iso)),
    dateTime: (iso: string | number) => dateTime.format(new Date(iso)),
  };
}

/** A duration in words: "42 s", "3 min 20 s", "2 h 5 min", "1 d 3 h". */
export function formatDuration(t: T, totalSec: number): string {
  const sec = Math.round(totalSec);
  if (sec < 60) return t('duration.seconds', { s: sec });
  if (sec < 3600) return t('duration.minutes', { m: Math.floor(sec / 60), s: sec % 60 });
  if (sec < 86_400) return t('duration.hours', { h: Math.floor(sec / 3600), m: Math.floor((sec % 3600) / 60) });
  return t('duration.days', { d: Math.floor(sec / 86_400), h: Math.floor((sec % 86_400) / 3600) });
}

/** Today's date ("YYYY-MM-DD") in the zone, and the date `days` before a date. */
export function todayIn(timeZone: string | undefined): string {
  return new Intl.DateTimeFormat('en-CA', { year: 'numeric', month: '2-digit', day: '2-digit', ...(timeZone ? { timeZone } : {}) }).format(new Date());
}
export function daysBefore(date: string, days: number): string {
  return new Date(Date.parse(`${date}T00:00:00Z`) - days * 86_400_000).toISOString().slice(0, 10);
}

/** A calendar date key ("YYYY-MM-DD") as "Mar 1" / "3月1日": the key is already local, so read it as UTC. */
export function formatDayKey(lang: Lang, date: string): string {
  return new Intl.DateTimeFormat(lang, { month: 'short', day: 'numeric', timeZone: 'UTC' }).format(new Date(`${date}T00:00:00Z`));
}
