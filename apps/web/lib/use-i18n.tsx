'use client';

import { asLang, pickLang, type Lang } from '@kefu/core';
import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from 'react';
import { browserTimeZone, formatters, langCookie, langStorageKey, t, timeZoneStorageKey, validTimeZone, type T } from './i18n';

export type I18n = {
  lang: Lang;
  t: T;
  setLang: (lang: Lang) => void;
  /** The zone times are shown in; undefined before the browser's is known. */
  timeZone: string | undefined;
  /** The agent's own choice of zone, or null to follow the browser. */
  zoneChoice: string | null;
  setZoneChoice: (zone: string | null) => void;
} & ReturnType<typeof formatters>;

const I18nContext = createContext<I18n | null>(null);

function read(key: string): string | null {
  try {
    return localStorage.getItem(key);
  } catch {
    return null;
  }
}

function write(key: string, value: string | null): void {
  try {
    if (value === null) localStorage.removeItem(key);
    else localStorage.setItem(key, value);
  } catch {
    // Storage refused: the choice lasts until the page is closed.
  }
}

/** Gives the pages below the agent's language and time zone. `initialLang` is the server's guess. */
export function I18nProvider({ initialLang, children }: { initialLang: Lang; children: ReactNode }) {
  const [lang, setLangState] = useState<Lang>(initialLang);
  const [zoneChoice, setZoneState] = useState<string | null>(null);
  const [timeZone, setTimeZone] = useState<string | undefined>(undefined);
  useEffect(() => {
    setLangState(asLang(read(langStorageKey)) ?? pickLang(navigator.languages));
    const chosen = validTimeZone(read(timeZoneStorageKey));
    setZoneState(chosen);
    setTimeZone(chosen ?? browserTimeZone());
  }, []);
  useEffect(() => {
    document.documentElement.lang = lang;
  }, [lang]);
  const setLang = useCallback((next: Lang) => {
    write(langStorageKey, next);
    document.cookie = `${langCookie}=${next}; path=/; max-age=31536000; samesite=lax`;
    setLangState(next);
  }, []);
  const setZoneChoice = useCallback((zone: string | null) => {
    const valid = validTimeZone(zone);
    write(timeZoneStorageKey, valid);
    setZoneState(valid);
    setTimeZone(valid ?? browserTimeZone());
  }, []);
  const value = useMemo<I18n>(
    () => ({ lang, t: t(lang), setLang, timeZone, zoneChoice, setZoneChoice, ...formatters(lang, timeZone) }),
    [lang, setLang, timeZone, zoneChoice, setZoneChoice],
  );
  return <I18nContext.Provider value={value}>{children}</I18nContext.Provider>;
}

export function useI18n(): I18n {
  const value = useContext(I18nContext);
  if (!value) throw new Error('useI18n outside I18nProvider');
  return value;
}
