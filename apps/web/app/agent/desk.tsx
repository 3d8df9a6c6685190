'use client';

import { useRouter } from 'next/navigation';
import { useEffect, useState } from 'react';
import { logout, storedToken } from '../../lib/agent-auth';
import { DeskController, type DeskState } from '../../lib/desk-controller';
import { useNotifications, useShortcuts, useUnreadTitle } from './attention';
import { ConversationList } from './conversation-list';
import { ConversationPane } from './conversation-pane';
import styles from './desk.module.css';
import { Sidebar } from './sidebar';
import { useI18n } from '../../lib/use-i18n';
import { useOpenFromLink, WhisperToasts } from './supervision';

/** The agent dashboard: signs in from the stored token, or sends the agent to /login. */
export function Desk({ serverUrl }: { serverUrl: string }) {
  const router = useRouter();
  const { t } = useI18n();
  const [desk, setDesk] = useState<{ controller: DeskController; token: string } | null>(null);
  useEffect(() => {
    const token = storedToken();
    if (!token) {
      router.replace('/login');
      return;
    }
    const controller = new DeskController(serverUrl, token);
    controller.start();
    setDesk({ controller, token });
    return () => controller.stop();
  }, [serverUrl, router]);
  if (!desk) return <p className={styles.loading}>{t('common.connecting')}</p>;
  const signOut = async () => {
    desk.controller.stop();
    await logout(serverUrl, desk.token);
    router.replace('/login');
  };
  return <DeskView controller={desk.controller} onSignOut={() => void signOut()} />;
}

/** Views and presence, the conversation list, the open conversation and its shopper. */
function DeskView({ controller, onSignOut }: { controller: DeskController; onSignOut: () => void }) {
  const router = useRouter();
  const { t } = useI18n();
  const [state, setState] = useState<DeskState>(controller.state);
  useEffect(() => controller.subscribe(setState), [controller]);
  useEffect(() => {
    if (state.phase === 'signed-out') router.replace('/login');
  }, [state.phase, router]);
  const [notify, setNotify] = useNotifications(controller, state.phase === 'ready');
  useUnreadTitle(state);
  useShortcuts(controller);
  useOpenFromLink(controller, state.phase === 'ready');

  if (!state.agent) return <p className={styles.loading}>{t('common.connecting')}</p>;
  return (
    <div className={styles.desk}>
      <Sidebar state={state} controller={controller} onSignOut={onSignOut} notify={notify} setNotify={setNotify} />
      <ConversationList state={state} controller={controller} />
      <ConversationPane state={state} controller={controller} />
      <WhisperToasts whispers={state.whispers} controller={controller} />
      {state.phase === 'reconnecting' && (
        <p role="status" className={styles.banner}>
          {t('desk.reconnecting')}
        </p>
      )}
    </div>
  );
}
