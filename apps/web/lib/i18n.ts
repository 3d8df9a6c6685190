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
