'use client';

import { connectAgent, type AgentClient } from '@kefu/client';
import type { AgentSession } from '@kefu/protocol';
import Link from 'next/link';
import { useRouter } from 'next/navigation';
import { useEffect, useState } from 'react';
import { adminApi, type AdminApi } from '../../lib/admin-api';
import { storedToken } from '../../lib/agent-auth';
import { useI18n } from '../../lib/use-i18n';
import { Preferences } from '../preferences';
import styles from './admin.module.css';
import { AgentsSettings } from './agents-settings';
import { CannedSettings } from './canned-settings';
import { InboxesSettings } from './inboxes-settings';
import { QueueView } from './queue-view';
import { ReportsView } from './reports-view';

const tabs = ['queue', 'reports', 'inboxes', 'agents', 'canned'] as const;
type Tab = (typeof tabs)[number];

export type AdminContext = { client: AgentClient; api: AdminApi; session: AgentSession; deskUrl: string };

/** Admins only: the live queue across nodes, and the settings (through the admin HTTP API). */
export function AdminConsole({ serverUrl }: { serverUrl: string }) {
  const router = useRouter();
  const { t } = useI18n();
  const [context, setContext] = useState<AdminContext | null>(null);
  const [refused, setRefused] = useState(false);
  const [tab, setTab] = useState<Tab>('queue');

  useEffect(() => {
    const token = storedToken();
    if (!token) {
      router.replace('/login');
      return;
    }
    const client = connectAgent({ url: serverUrl, token });
    client
      .ready()
      .then((session) => (session.agent.role === 'admin' ? setContext({ client, api: adminApi(serverUrl, token), session, deskUrl: window.location.origin }) : setRefused(true)))
      .catch(() => router.replace('/login'));
    const fromHash = window.location.hash.slice(1);
    if (tabs.includes(fromHash as Tab)) setTab(fromHash as Tab);
    return () => client.close();
  }, [serverUrl, router]);

  const choose = (next: Tab) => {
    setTab(next);
    window.history.replaceState(null, '', `#${next}`);
  };

  if (refused) {
    return (
      <p className={styles.note}>
        {t('admin.refused')} <Link href="/agent">{t('admin.back')}</Link>
      </p>
    );
  }
  if (!context) return <p className={styles.note}>{t('common.connecting')}</p>;
  return (
    <div className={styles.console}>
      <header className={styles.top}>
        <strong>{t('admin.brand')}</strong>
        <nav aria-label={t('admin.nav')}>
          {tabs.map((id) => (
            <button key={id} type="button" aria-current={tab === id ? 'page' : undefined} onClick={() => choose(id)}>
              {t(`admin.tab.${id}`)}
            </button>
          ))}
        </nav>
        <Link href="/agent">{t('admin.inbox')}</Link>
        <Preferences className={styles.preferences} />
      </header>
      <main className={styles.main}>
        {tab === 'queue' && <QueueView context={context} />}
        {tab === 'reports' && <ReportsView context={context} />}
        {tab === 'inboxes' && <InboxesSettings context={context} />}
        {tab === 'agents' && <AgentsSettings context={context} />}
        {tab === 'canned' && <CannedSettings context={context} />}
      </main>
    </div>
  );
}
