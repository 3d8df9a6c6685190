import type { ConversationView } from '@kefu/protocol';
import Link from 'next/link';
import type { DeskController, DeskState } from '../../lib/desk-controller';
import { useI18n } from '../../lib/use-i18n';
import { Preferences } from '../preferences';
import styles from './desk.module.css';
import { SearchPanel } from './search-panel';

const views = ['mine', 'unassigned', 'all', 'resolved'] as const satisfies readonly ConversationView[];

type SidebarProps = { state: DeskState; controller: DeskController; onSignOut: () => void; notify: boolean; setNotify: (on: boolean) => void };

export function Sidebar({ state, controller, onSignOut, notify, setNotify }: SidebarProps) {
  const { t } = useI18n();
  const agent = state.agent!;
  const online = agent.status === 'online';
  return (
    <nav className={styles.sidebar} aria-label={t('sidebar.label')}>
      <div className={styles.me}>
        <strong>{agent.name}</strong>
        <span>
          {t('sidebar.load', { load: agent.load, capacity: agent.capacity })}
        </span>
        <button
          type="button"
          className={online ? styles.online : styles.away}
          aria-pressed={online}
          onClick={() => void controller.setPresence(online ? 'away' : 'online')}
        >
          {online ? t('presence.online') : t('presence.away')}
        </button>
      </div>
      <ul className={styles.views}>
        {views.map((view) => (
          <li key={view}>
            <button type="button" aria-current={state.view === view ? 'page' : undefined} onClick={() => void controller.setView(view)}>
              {t(`view.${view}`)}
            </button>
          </li>
        ))}
      </ul>
      <SearchPanel controller={controller} />
      <label className={styles.filter}>
        {t('sidebar.inbox')}
        <select value={state.inboxId ?? ''} onChange={(e) => void controller.setView(state.view, e.target.value || null)}>
          <option value="">{t('sidebar.allInboxes')}</option>
          {state.inboxes.map((inbox) => (
            <option key={inbox.id} value={inbox.id}>
              {inbox.name}
            </option>
          ))}
        </select>
      </label>
      <label className={styles.filter}>
        <span>
          <input type="checkbox" checked={notify} onChange={(e) => setNotify(e.target.checked)} /> {t('sidebar.notify')}
        </span>
      </label>
      {agent.role === 'admin' && (
        <Link href="/admin" className={styles.adminLink}>
          {t('sidebar.admin')}
        </Link>
      )}
      <p className={styles.hint}>{t('sidebar.shortcuts')}</p>
      <Preferences className={styles.preferences} />
      <button type="button" className={styles.signOut} onClick={onSignOut}>
        {t('sidebar.signOut')}
      </button>
    </nav>
  );
}
