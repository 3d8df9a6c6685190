import type { BusinessHoursSettings } from '@kefu/protocol';
import { useState } from 'react';
import { formatDay, parseWeek, weekDays } from '../../lib/business-hours-form';
import { browserTimeZone, type T } from '../../lib/i18n';
import { useI18n } from '../../lib/use-i18n';
import styles from './admin.module.css';

/**
 * Weekly opening hours of an inbox in its time zone. Unchecked: always open. Outside the hours the
 * widget offers shoppers the away form, as when no agent is online.
 */
export function BusinessHoursFields({ hours }: { hours: BusinessHoursSettings | null }) {
  const { t } = useI18n();
  const [enabled, setEnabled] = useState(hours !== null);
  return (
    <fieldset className={styles.hours} aria-label={t('hours.legend')}>
      <legend>{t('hours.legend')}</legend>
      <label className={styles.check}>
        <input type="checkbox" name="hoursEnabled" checked={enabled} onChange={(e) => setEnabled(e.target.checked)} /> {t('hours.enabled')}
      </label>
      {enabled && (
        <>
          <label>
            {t('common.timeZone')}
            {/* The admin's own zone is the likeliest answer for a new schedule. */}
            <input name="timeZone" defaultValue={hours?.timeZone ?? browserTimeZone()} placeholder="Asia/Shanghai" required />
          </label>
          {weekDays.map((day) => (
            <label key={day}>
              {t(`hours.day.${day}`)}
              <input name={`hours-${day}`} defaultValue={formatDay(hours?.periods ?? [], day)} placeholder={t('hours.placeholder')} />
            </label>
          ))}
        </>
      )}
    </fieldset>
  );
}

/** The `businessHours` of a PATCH from the submitted form; a string is a problem to show. */
export function businessHoursFrom(form: FormData, t: T): BusinessHoursSettings | null | string {
  if (form.get('hoursEnabled') !== 'on') return null;
  const week = parseWeek(String(form.get('timeZone') ?? ''), (day) => String(form.get(`hours-${day}`) ?? ''));
  return 'periods' in week ? week : t('hours.unreadable', { day: t(`hours.day.${week.day}`), part: week.part });
}
