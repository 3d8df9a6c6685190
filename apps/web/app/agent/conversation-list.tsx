import type { AgentConversation } from '@kefu/protocol';
import { useVirtualizer } from '@tanstack/react-virtual';
import { useEffect, useRef } from 'react';
import type { DeskController, DeskState } from '../../lib/desk-controller';
import { useI18n } from '../../lib/use-i18n';
import styles from './desk.module.css';

const rowHeight = 76;

function Row({ conversation, selected, onSelect }: { conversation: AgentConversation; selected: boolean; onSelect: () => void }) {
  const { t } = useI18n();
  const name = conversation.visitor.name ?? conversation.visitor.email ?? t('common.visitor', { number: conversation.number });
  return (
    <button type="button" className={styles.row} aria-current={selected ? 'true' : undefined} onClick={onSelect}>
      <span className={styles.rowTop}>
        <span className={styles.rowName}>{name}</span>
        {conversation.unread > 0 && <span className={styles.unread}>{conversation.unread}</span>}
      </span>
      <span className={styles.preview}>{conversation.lastMessage?.body ?? ''}</span>
      <span className={styles.rowMeta}>
        {t('list.meta', { number: conversation.number, status: t(`status.${conversation.status}`) })}
      </span>
    </button>
  );
}

/**
 * The conversations of the chosen view, newest activity first. Only the rows on screen are in the
 * DOM (thousands stay fast), and the next page loads as the end comes into view.
 */
export function ConversationList({ state, controller }: { state: DeskState; controller: DeskController }) {
  const { t } = useI18n();
  const scroller = useRef<HTMLElement>(null);
  const list = state.conversations;
  const virtual = useVirtualizer({ count: list.length, getScrollElement: () => scroller.current, estimateSize: () => rowHeight, overscan: 8 });
  const items = virtual.getVirtualItems();
  const lastShown = items.at(-1)?.index ?? -1;
  useEffect(() => {
    if (state.nextCursor && lastShown >= list.length - 10) void controller.loadList(true);
  }, [lastShown, list.length, state.nextCursor, controller]);

  return (
    <section className={styles.list} aria-label={t('list.label')} ref={scroller}>
      <ul style={{ height: virtual.getTotalSize(), position: 'relative' }}>
        {items.map((item) => {
          const conversation = list[item.index]!;
          return (
            <li key={conversation.id} style={{ position: 'absolute', top: 0, left: 0, right: 0, height: item.size, transform: `translateY(${item.start}px)` }}>
              <Row conversation={conversation} selected={state.open?.conversation.id === conversation.id} onSelect={() => void controller.select(conversation.id)} />
            </li>
          );
        })}
      </ul>
      {list.length === 0 && !state.loadingList && <p className={styles.empty}>{t('list.empty')}</p>}
    </section>
  );
}
