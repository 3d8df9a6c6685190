'use client';

import type { Inbox } from '@kefu/protocol';
import { useCallback, useState, type FormEvent } from 'react';
import type { AdminContext } from './admin-console';
import styles from './admin.module.css';
import { useResource } from './use-resource';

/** The one tag a shop pastes into its pages. */
export const embedSnippet = (deskUrl: string, inbox: Pick<Inbox, 'key' | 'widgetColor'>): string =>
  `<script src="${deskUrl}/widget.js" data-inbox="${inbox.key}" data-color="${inbox.widgetColor}" async></script>`;

function Snippet({ text }: { text: string }) {
  const [copied, setCopied] = useState(false);
  return (
    <div className={styles.snippet}>
      <code>{text}</code>
      <button type="button" onClick={() => void navigator.clipboard.writeText(text).then(() => setCopied(true))}>
        {copied ? 'Copied' : 'Copy'}
      </button>
    </div>
  );
}

function InboxForm({ inbox, context, run }: { inbox: Inbox; context: AdminContext; run: (change: () => Promise<unknown>) => Promise<void> }) {
  const save = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const f = new FormData(event.currentTarget);
    const secret = String(f.get('identitySecret') ?? '').trim();
    const language = String(f.get('language'));
    void run(() =>
      context.api('PATCH', `/api/admin/inboxes/${inbox.id}`, {
        name: String(f.get('name')),
        greeting: String(f.get('greeting')),
        routing: String(f.get('routing')),
        allowedOrigins: String(f.get('allowedOrigins')).split(/\s+/).filter(Boolean),
        livePreview: f.get('livePreview') === 'on',
        csatEnabled: f.get('csatEnabled') === 'on',
        widgetColor: String(f.get('widgetColor')),
        language: language === '' ? null : language,
        maxMessageLength: Number(f.get('maxMessageLength')),
        ...(secret ? { identitySecret: secret } : {}),
        ...(f.get('removeSecret') === 'on' ? { identitySecret: null } : {}),
      }),
    );
  };
  return (
    <form className={styles.card} onSubmit={save} aria-label={inbox.name}>
      <h3>
        {inbox.name} <small>key {inbox.key}</small>
      </h3>
      <Snippet text={embedSnippet(context.deskUrl, inbox)} />
      <label>
        Name
        <input name="name" defaultValue={inbox.name} required maxLength={100} />
      </label>
      <label>
        Greeting
        <textarea name="greeting" defaultValue={inbox.greeting} maxLength={500} rows={2} />
      </label>
      <label>
        Routing
        <select name="routing" defaultValue={inbox.routing}>
          <option value="auto">Automatic (least busy agent online)</option>
          <option value="manual">Manual (agents claim)</option>
        </select>
      </label>
      <label>
        Allowed origins (one per line; empty allows every site)
        <textarea name="allowedOrigins" defaultValue={inbox.allowedOrigins.join('\n')} rows={2} placeholder="https://shop.example.com" />
      </label>
      <label className={styles.check}>
        <input type="checkbox" name="livePreview" defaultChecked={inbox.livePreview} /> Live typing preview (shoppers are told)
      </label>
      <label className={styles.check}>
        <input type="checkbox" name="csatEnabled" defaultChecked={inbox.csatEnabled} /> Ask for a rating after resolution
      </label>
      <label>
        Widget colour
        <input type="color" name="widgetColor" defaultValue={inbox.widgetColor} />
      </label>
      <label>
        Widget language
        <select name="language" defaultValue={inbox.language ?? ''}>
          <option value="">The shopper&apos;s browser</option>
          <option value="en">English</option>
          <option value="zh-CN">简体中文</option>
        </select>
      </label>
      <label>
        Longest message (characters)
        <input type="number" name="maxMessageLength" min={1} max={20000} defaultValue={inbox.maxMessageLength} />
      </label>
      <label>
        Identity verification secret {inbox.hasIdentitySecret ? '(set; type a new one to replace it)' : '(not set)'}
        <input type="password" name="identitySecret" minLength={16} autoComplete="off" />
      </label>
      {inbox.hasIdentitySecret && (
        <label className={styles.check}>
          <input type="checkbox" name="removeSecret" /> Remove the secret
        </label>
      )}
      <button type="submit">Save</button>
    </form>
  );
}

export function InboxesSettings({ context }: { context: AdminContext }) {
  const { api } = context;
  const load = useCallback(() => api<{ inboxes: Inbox[] }>('GET', '/api/admin/inboxes').then((r) => r.inboxes), [api]);
  const { data, error, run } = useResource(load);
  const create = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const form = event.currentTarget;
    const name = String(new FormData(form).get('name'));
    void run(async () => {
      await api('POST', '/api/admin/inboxes', { name });
      form.reset();
    });
  };
  return (
    <section className={styles.section}>
      <h2>Inboxes</h2>
      {error && <p role="alert" className={styles.error}>{error}</p>}
      {data?.map((inbox) => <InboxForm key={`${inbox.id}-${JSON.stringify(inbox)}`} inbox={inbox} context={context} run={run} />)}
      <form className={styles.card} onSubmit={create} aria-label="New inbox">
        <h3>New inbox</h3>
        <label>
          Name
          <input name="name" required maxLength={100} />
        </label>
        <button type="submit">Create inbox</button>
      </form>
    </section>
  );
}
