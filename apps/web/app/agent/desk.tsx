'use client';

import { useRouter } from 'next/navigation';
import { useEffect, useState } from 'react';
import { logout, storedToken } from '../../lib/agent-auth';
import { DeskController, type DeskState } from '../../lib/desk-controller';
import { ConversationList } from './conversation-list';
import { ConversationPane } from './conversation-pane';
import styles from './desk.module.css';
import { Sidebar } from './sidebar';

/** The agent dashboard: views and presence, the conversation list, the open conversation. */
export function Desk({ serverUrl }: { serverUrl: string }) {
  const router = useRouter();
  const [desk, setDesk] = useState<{ controller: DeskController; token: string } | null>(null);
  const [state, setState] = useState<DeskState | null>(null);

  useEffect(() => {
    const token = storedToken();
    if (!token) {
      router.replace('/login');
      return;
    }
    const controller = new DeskController(serverUrl, token);
    const off = controller.subscribe(setState);
    controller.start();
    setDesk({ controller, token });
    return () => {
      off();
      controller.stop();
    };
  }, [serverUrl, router]);

  useEffect(() => {
    if (state?.phase === 'signed-out') router.replace('/login');
  }, [state?.phase, router]);

  if (!desk || !state || !state.agent) return <p className={styles.loading}>Connecting…</p>;
  const signOut = async () => {
    desk.controller.stop();
    await logout(serverUrl, desk.token);
    router.replace('/login');
  };
  return (
    <div className={styles.desk}>
      <Sidebar state={state} controller={desk.controller} onSignOut={() => void signOut()} />
      <ConversationList state={state} controller={desk.controller} />
      <ConversationPane state={state} controller={desk.controller} serverUrl={serverUrl} />
      {state.phase === 'reconnecting' && (
        <p role="status" className={styles.banner}>
          Reconnecting…
        </p>
      )}
    </div>
  );
}
