import type { ConversationView } from '@kefu/protocol';
import Link from 'next/link';
import type { DeskController, DeskState } from '../../lib/desk-controller';
import styles from './desk.module.css';

const views: { view: ConversationView; label: string }[] = [
  { view: 'mine', label: 'Mine' },
  { view: 'unassigned', label: 'Unassigned' },
  { view: 'all', label: 'All' },
  { view: 'resolved', label: 'Resolved' },
];

type SidebarProps = { state: DeskState; controller: DeskController; onSignOut: () => void; notify: boolean; setNotify: (on: boolean) => void };

export function Sidebar({ state, controller, onSignOut, notify, setNotify }: SidebarProps) {
  const agent = state.agent!;
  const online = agent.status === 'online';
  return (
    <nav className={styles.sidebar} aria-label="Conversations">
      <div className={styles.me}>
        <strong>{agent.name}</strong>
        <span>
          {agent.load} / {agent.capacity} open
        </span>
        <button
          type="button"
          className={online ? styles.online : styles.away}
          aria-pressed={online}
          onClick={() => void controller.setPresence(online ? 'away' : 'online')}
        >
          {online ? 'Online' : 'Away'}
        </button>
      </div>
      <ul className={styles.views}>
        {views.map(({ view, label }) => (
          <li key={view}>
            <button type="button" aria-current={state.view === view ? 'page' : undefined} onClick={() => void controller.setView(view)}>
              {label}
            </button>
          </li>
        ))}
      </ul>
      <label className={styles.filter}>
        Inbox
        <select value={state.inboxId ?? ''} onChange={(e) => void controller.setView(state.view, e.target.value || null)}>
          <option value="">All inboxes</option>
          {state.inboxes.map((inbox) => (
            <option key={inbox.id} value={inbox.id}>
              {inbox.name}
            </option>
          ))}
        </select>
      </label>
      <label className={styles.filter}>
        <span>
          <input type="checkbox" checked={notify} onChange={(e) => setNotify(e.target.checked)} /> Notifications and sound
        </span>
      </label>
      {agent.role === 'admin' && (
        <Link href="/admin" className={styles.adminLink}>
          Admin console
        </Link>
      )}
      <p className={styles.hint}>Alt+↑/↓ previous/next · Alt+R resolve · Alt+M message</p>
      <button type="button" className={styles.signOut} onClick={onSignOut}>
        Sign out
      </button>
    </nav>
  );
}
