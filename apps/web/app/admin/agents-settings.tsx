'use client';

import type { AgentProfile, Inbox } from '@kefu/protocol';
import { useCallback, type FormEvent } from 'react';
import type { AdminContext } from './admin-console';
import { useI18n } from '../../lib/use-i18n';
import styles from './admin.module.css';
import { useResource } from './use-resource';

type AdminAgent = AgentProfile & { inboxIds: string[] };

const inboxIdsOf = (fields: FormData) => fields.getAll('inboxIds').map(String);

function RoleAndCapacity({ role, capacity }: { role: AgentProfile['role']; capacity: number }) {
  const { t } = useI18n();
  return (
    <>
      <label>
        {t('agents.role')}
        <select name="role" defaultValue={role}>
          <option value="agent">{t('agents.roleAgent')}</option>
          <option value="admin">{t('agents.roleAdmin')}</option>
        </select>
      </label>
      <label>
        {t('agents.capacity')}
        <input name="capacity" type="number" min={0} max={100} defaultValue={capacity} />
      </label>
    </>
  );
}

export function AgentsSettings({ context }: { context: AdminContext }) {
  const { api } = context;
  const { t } = useI18n();
  const load = useCallback(
    async () => {
      const [agents, inboxes] = await Promise.all([api<{ agents: AdminAgent[] }>('GET', '/api/admin/agents'), api<{ inboxes: Inbox[] }>('GET', '/api/admin/inboxes')]);
      return { agents: agents.agents, inboxes: inboxes.inboxes };
    },
    [api],
  );
  const { data, error, run } = useResource(load);
  if (!data) return <p className={styles.note}>{t('common.loading')}</p>;

  const create = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const form = event.currentTarget;
    const f = new FormData(form);
    void run(async () => {
      await api('POST', '/api/admin/agents', {
        name: String(f.get('name')),
        email: String(f.get('email')),
        password: String(f.get('password')),
        role: String(f.get('role')),
        capacity: Number(f.get('capacity')),
        inboxIds: inboxIdsOf(f),
      });
      form.reset();
    });
  };
  const save = (agent: AdminAgent) => (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const f = new FormData(event.currentTarget);
    void run(() => api('PATCH', `/api/admin/agents/${agent.id}`, { role: String(f.get('role')), capacity: Number(f.get('capacity')), inboxIds: inboxIdsOf(f) }));
  };

  const inboxBoxes = (checked: string[]) =>
    data.inboxes.map((inbox) => (
      <label key={inbox.id} className={styles.check}>
        <input type="checkbox" name="inboxIds" value={inbox.id} defaultChecked={checked.includes(inbox.id)} /> {inbox.name}
      </label>
    ));

  return (
    <section className={styles.section}>
      <h2>{t('agents.heading')}</h2>
      {error && <p role="alert" className={styles.error}>{error}</p>}
      {data.agents.map((agent) => (
        <form key={agent.id} className={styles.card} onSubmit={save(agent)} aria-label={agent.name}>
          <h3>
            {agent.name} <small>{agent.email}</small> {agent.active === false && <em>{t('agents.deactivated')}</em>}
          </h3>
          <RoleAndCapacity role={agent.role} capacity={agent.capacity} />
          <fieldset>
            <legend>{t('agents.inboxes')}</legend>
            {inboxBoxes(agent.inboxIds)}
          </fieldset>
          <div className={styles.row}>
            <button type="submit">{t('common.save')}</button>
            <button type="button" onClick={() => void run(() => api('PATCH', `/api/admin/agents/${agent.id}`, { active: agent.active === false }))}>
              {agent.active === false ? t('agents.reactivate') : t('agents.deactivate')}
            </button>
          </div>
        </form>
      ))}
      <form className={styles.card} onSubmit={create} aria-label={t('agents.new')}>
        <h3>{t('agents.new')}</h3>
        <label>
          {t('agents.name')}
          <input name="name" required maxLength={100} />
        </label>
        <label>
          {t('agents.email')}
          <input name="email" type="email" required />
        </label>
        <label>
          {t('agents.password')}
          <input name="password" type="password" required minLength={8} autoComplete="new-password" />
        </label>
        <RoleAndCapacity role="agent" capacity={3} />
        <fieldset>
          <legend>{t('agents.inboxes')}</legend>
          {inboxBoxes([])}
        </fieldset>
        <button type="submit">{t('agents.create')}</button>
      </form>
    </section>
  );
}
