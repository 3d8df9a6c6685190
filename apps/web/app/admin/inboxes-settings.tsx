'use client';

import type { Inbox } from '@kefu/protocol';
import { useCallback, useState, type FormEvent } from 'react';
import type { AdminContext } from './admin-console';
import { useI18n } from '../../lib/use-i18n';
import styles from './admin.module.css';
import { BusinessHoursFields, businessHoursFrom } from './business-hours-fields';
import { useResource } from './use-resource';

/** The one tag a shop pastes into its pages. */
export const embedSnippet = (deskUrl: string, inbox: Pick<Inbox, 'key' | 'widgetColor'>): string =>
  `<script src="${deskUrl}/widget.js" data-inbox="${inbox.key}" data-color="${inbox.widgetColor}" async></script>`;

function Snippet({ text }: { text: string }) {
  const { t } = useI18n();
  const [copied, setCopied] = useState(false);
  return (
    <div className={styles.snippet}>
      <code>{text}</code>
      <button type="button" onClick={() => void navigator.clipboard.writeText(text).then(() => setCopied(true))}>
        {copied ? t('inboxes.copied') : t('inboxes.copy')}
      </button>
    </div>
  );
}

function InboxForm({ inbox, context, run }: { inbox: Inbox; context: AdminContext; run: (change: () => Promise<unknown>) => Promise<void> }) {
  const { t } = useI18n();
  const save = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const f = new FormData(event.currentTarget);
    const secret = String(f.get('identitySecret') ?? '').trim();
    const language = String(f.get('language'));
    const businessHours = businessHoursFrom(f, t);
    void run(async () => {
      if (typeof businessHours === 'string') throw new Error(businessHours);
      await context.api('PATCH', `/api/admin/inboxes/${inbox.id}`, {
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
        businessHours,
      });
    });
  };
  return (
    <form className={styles.card} onSubmit={save} aria-label={inbox.name}>
      <h3>
        {inbox.name} <small>{t('inboxes.key', { key: inbox.key })}</small>
      </h3>
      <Snippet text={embedSnippet(context.deskUrl, inbox)} />
      <label>
        {t('inboxes.name')}
        <input name="name" defaultValue={inbox.name} required maxLength={100} />
      </label>
      <label>
        {t('inboxes.greeting')}
        <textarea name="greeting" defaultValue={inbox.greeting} maxLength={500} rows={2} />
      </label>
      <label>
        {t('inboxes.routing')}
        <select name="routing" defaultValue={inbox.routing}>
          <option value="auto">{t('inboxes.routingAuto')}</option>
          <option value="manual">{t('inboxes.routingManual')}</option>
        </select>
      </label>
      <label>
        {t('inboxes.origins')}
        <textarea name="allowedOrigins" defaultValue={inbox.allowedOrigins.join('\n')} rows={2} placeholder="https://shop.example.com" />
      </label>
      <label className={styles.check}>
        <input type="checkbox" name="livePreview" defaultChecked={inbox.livePreview} /> {t('inboxes.livePreview')}
      </label>
      <label className={styles.check}>
        <input type="checkbox" name="csatEnabled" defaultChecked={inbox.csatEnabled} /> {t('inboxes.csat')}
      </label>
      <label>
        {t('inboxes.color')}
        <input type="color" name="widgetColor" defaultValue={inbox.widgetColor} />
      </label>
      <label>
        {t('inboxes.language')}
        <select name="language" defaultValue={inbox.language ?? ''}>
          <option value="">{t('inboxes.languageBrowser')}</option>
          <option value="en">English</option>
          <option value="zh-CN">简体中文</option>
        </select>
      </label>
      <BusinessHoursFields hours={inbox.businessHours} />
      <label>
        {t('inboxes.maxLength')}
        <input type="number" name="maxMessageLength" min={1} max={20000} defaultValue={inbox.maxMessageLength} />
      </label>
      <label>
        {inbox.hasIdentitySecret ? t('inboxes.secretSet') : t('inboxes.secretUnset')}
        <input type="password" name="identitySecret" minLength={16} autoComplete="off" />
      </label>
      {inbox.hasIdentitySecret && (
        <label className={styles.check}>
          <input type="checkbox" name="removeSecret" /> {t('inboxes.removeSecret')}
        </label>
      )}
      <button type="submit">{t('common.save')}</button>
    </form>
  );
}

export function InboxesSettings({ context }: { context: AdminContext }) {
  const { api } = context;
  const { t } = useI18n();
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
      <h2>{t('inboxes.heading')}</h2>
      {error && <p role="alert" className={styles.error}>{error}</p>}
      {data?.map((inbox) => <InboxForm key={`${inbox.id}-${JSON.stringify(inbox)}`} inbox={inbox} context={context} run={run} />)}
      <form className={styles.card} onSubmit={create} aria-label={t('inboxes.new')}>
        <h3>{t('inboxes.new')}</h3>
        <label>
          {t('inboxes.name')}
          <input name="name" required maxLength={100} />
        </label>
        <button type="submit">{t('inboxes.create')}</button>
      </form>
    </section>
  );
}
