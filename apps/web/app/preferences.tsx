'use client';

import { langs, type Lang } from '@kefu/core';
import { useMemo } from 'react';
import { allTimeZones, browserTimeZone, langNames } from '../lib/i18n';
import { useI18n } from '../lib/use-i18n';

/** The agent's language and (unless `zone` is false: the sign-in page) time zone, kept in this browser. */
export function Preferences({ className, zone = true }: { className?: string | undefined; zone?: boolean }) {
  const { t, lang, setLang } = useI18n();
  return (
    <div className={className}>
      <label>
        {t('common.language')}
        <select value={lang} onChange={(e) => setLang(e.target.value as Lang)}>
          {langs.map((l) => (
            <option key={l} value={l} lang={l}>
              {langNames[l]}
            </option>
          ))}
        </select>
      </label>
      {zone && <ZoneChoice />}
    </div>
  );
}

function ZoneChoice() {
  const { t, timeZone, zoneChoice, setZoneChoice } = useI18n();
  // The zone list is long; it is built once the browser's zone is known (never on the server).
  const zones = useMemo(() => (timeZone ? allTimeZones() : []), [timeZone]);
  return (
    <label>
      {t('common.timeZone')}
      <select value={zoneChoice ?? ''} onChange={(e) => setZoneChoice(e.target.value || null)}>
        <option value="">{t('common.timeZoneBrowser', { zone: timeZone ? browserTimeZone() : '…' })}</option>
        {zones.map((zone) => (
          <option key={zone} value={zone}>
            {zone}
          </option>
        ))}
      </select>
    </label>
  );
}
