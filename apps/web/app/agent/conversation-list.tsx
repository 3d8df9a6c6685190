import type { AgentConversation } from '@kefu/protocol';
import type { DeskController, DeskState } from '../../lib/desk-controller';
import styles from './desk.module.css';

function Row({ conversation, selected, onSelect }: { conversation: AgentConversation; selected: boolean; onSelect: () => void }) {
  const name = conversation.visitor.name ?? conversation.visitor.email ?? `Visitor #${conversation.number}`;
  return (
    <li>
      <button type="button" className={styles.row} aria-current={selected ? 'true' : undefined} onClick={onSelect}>
        <span className={styles.rowTop}>
          <span className={styles.rowName}>{name}</span>
          {conversation.unread > 0 && <span className={styles.unread}>{conversation.unread}</span>}
        </span>
        <span className={styles.preview}>{conversation.lastMessage?.body ?? ''}</span>
        <span className={styles.rowMeta}>
          #{conversation.number} · {conversation.status}
        </span>
      </button>
    </li>
  );
}

export function ConversationList({ state, controller }: { state: DeskState; controller: DeskController }) {
  return (
    <section className={styles.list} aria-label="Conversation list">
      <ul>
        {state.conversations.map((conversation) => (
          <Row key={conversation.id} conversation={conversation} selected={state.open?.conversation.id === conversation.id} onSelect={() => void controller.select(conversation.id)} />
        ))}
      </ul>
      {state.conversations.length === 0 && !state.loadingList && <p className={styles.empty}>No conversations here.</p>}
      {state.nextCursor && (
        <button type="button" className={styles.more} onClick={() => void controller.loadList(true)} disabled={state.loadingList}>
          Load more
        </button>
      )}
    </section>
  );
}
