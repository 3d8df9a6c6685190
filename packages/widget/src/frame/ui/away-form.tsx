import { useState } from 'preact/hooks';
import { useEnv } from './context.js';

/** Nobody is online: name, email and a message, which waits for the first agent back. */
export function AwayForm() {
  const { controller, t } = useEnv();
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const submit = async (event: Event) => {
    event.preventDefault();
    const data = new FormData(event.currentTarget as HTMLFormElement);
    const field = (name: string) => String(data.get(name) ?? '').trim();
    setBusy(true);
    setError(null);
    await controller.leaveMessage(field('name'), field('email'), field('message')).catch((e: Error) => setError(e.message));
    setBusy(false);
  };
  return (
    <form class="away" onSubmit={(e) => void submit(e)}>
      <h2>{t('awayTitle')}</h2>
      <p>{t('awayText')}</p>
      <label>
        {t('name')}
        <input name="name" autoComplete="name" required maxLength={100} />
      </label>
      <label>
        {t('email')}
        <input name="email" type="email" autoComplete="email" required maxLength={254} />
      </label>
      <label>
        {t('message')}
        <textarea name="message" required rows={4} maxLength={5000} />
      </label>
      {error && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
      <button type="submit" class="primary" disabled={busy}>
        {t('leaveMessage')}
      </button>
    </form>
  );
}
