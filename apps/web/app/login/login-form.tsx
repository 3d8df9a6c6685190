'use client';

import { useRouter } from 'next/navigation';
import { useState, type FormEvent } from 'react';
import { login, LoginError } from '../../lib/agent-auth';
import type { T } from '../../lib/i18n';
import { useI18n } from '../../lib/use-i18n';
import { Preferences } from '../preferences';
import styles from './login.module.css';

function failure(t: T, error: unknown): string {
  if (!(error instanceof LoginError)) return t('login.failed');
  if (error.reason === 'unreachable') return t('login.unreachable');
  if (error.reason === 'credentials') return t('login.wrong');
  return error.detail ?? t('login.failedStatus', { status: error.status ?? 0 });
}

export function LoginForm({ serverUrl }: { serverUrl: string }) {
  const router = useRouter();
  const { t } = useI18n();
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const submit = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const data = new FormData(event.currentTarget);
    setBusy(true);
    setError(null);
    try {
      await login(serverUrl, String(data.get('email') ?? ''), String(data.get('password') ?? ''));
      router.replace('/agent');
    } catch (e) {
      setError(failure(t, e));
      setBusy(false);
    }
  };
  return (
    <main className={styles.page}>
      <form className={styles.card} onSubmit={(e) => void submit(e)}>
        <h1>kefu 客服</h1>
        <p>{t('login.intro')}</p>
        <label>
          {t('login.email')}
          <input name="email" type="email" autoComplete="username" required autoFocus />
        </label>
        <label>
          {t('login.password')}
          <input name="password" type="password" autoComplete="current-password" required />
        </label>
        {error && (
          <p role="alert" className={styles.error}>
            {error}
          </p>
        )}
        <button type="submit" disabled={busy}>
          {t('login.submit')}
        </button>
        <Preferences className={styles.preferences} zone={false} />
      </form>
    </main>
  );
}
