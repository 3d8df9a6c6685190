'use client';

import { useRouter } from 'next/navigation';
import { useState, type FormEvent } from 'react';
import { login, LoginError } from '../../lib/agent-auth';
import styles from './login.module.css';

export function LoginForm({ serverUrl }: { serverUrl: string }) {
  const router = useRouter();
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
      setError(e instanceof LoginError ? e.message : 'Sign-in failed.');
      setBusy(false);
    }
  };
  return (
    <main className={styles.page}>
      <form className={styles.card} onSubmit={(e) => void submit(e)}>
        <h1>kefu 客服</h1>
        <p>Sign in to answer your shoppers.</p>
        <label>
          Email
          <input name="email" type="email" autoComplete="username" required autoFocus />
        </label>
        <label>
          Password
          <input name="password" type="password" autoComplete="current-password" required />
        </label>
        {error && (
          <p role="alert" className={styles.error}>
            {error}
          </p>
        )}
        <button type="submit" disabled={busy}>
          Sign in
        </button>
      </form>
    </main>
  );
}
