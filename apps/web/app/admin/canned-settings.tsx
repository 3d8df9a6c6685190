'use client';

import type { CannedResponse } from '@kefu/protocol';
import { useCallback, type FormEvent } from 'react';
import type { AdminContext } from './admin-console';
import { useI18n } from '../../lib/use-i18n';
import styles from './admin.module.css';
import { useResource } from './use-resource';

export function CannedSettings({ context }: { context: AdminContext }) {
  const { api } = context;
  const { t } = useI18n();
  const load = useCallback(() => api<{ responses: CannedResponse[] }>('GET', '/api/admin/canned').then((r) => r.responses), [api]);
  const { data, error, run } = useResource(load);
  const create = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const form = event.currentTarget;
    const fields = new FormData(form);
    void run(async () => {
      await api('POST', '/api/admin/canned', { shortcut: String(fields.get('shortcut')), body: String(fields.get('body')) });
      form.reset();
    });
  };
  return (
    <section className={styles.section}>
      <h2>{t('canned.heading')}</h2>
      <p className={styles.note}>{t('canned.hint')}</p>
      {error && <p role="alert" className={styles.error}>{error}</p>}
      <ul className={styles.items}>
        {data?.map((c) => (
          <li key={c.id}>
            <strong>/{c.shortcut}</strong> <span>{c.body}</span>
            <button type="button" onClick={() => void run(() => api('DELETE', `/api/admin/canned/${c.id}`))}>
              {t('canned.delete')}
            </button>
          </li>
        ))}
      </ul>
      <form className={styles.form} onSubmit={create}>
        <label>
          {t('canned.shortcut')}
          <input name="shortcut" required pattern="[A-Za-z0-9_\-]+" maxLength={50} />
        </label>
        <label>
          {t('canned.text')}
          <textarea name="body" required rows={3} />
        </label>
        <button type="submit">{t('canned.add')}</button>
      </form>
    </section>
  );
}
