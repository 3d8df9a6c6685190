import { useEffect, useLayoutEffect, useRef } from 'react';
import { isWatching, otherViewers } from '../../lib/collision';
import type { DeskController, DeskState, OpenConversation } from '../../lib/desk-controller';
import { useI18n } from '../../lib/use-i18n';
import { AssignmentHistory } from './assignment-history';
import { Composer } from './composer';
import styles from './desk.module.css';
import { Bubble } from './message-bubble';
import { ViewersBar } from './supervision';
import supervision from './supervision.module.css';
import { TransferControl } from './transfer-control';
import { VisitorPanel } from './visitor-panel';

/**
 * The history scrolls: earlier pages load as the top comes into view (keeping what is on screen in
 * place), and new messages keep the view at the bottom unless the agent scrolled up to read.
 */
function useHistoryScroll(controller: DeskController, conversationId: string | undefined, count: number, hasMore: boolean) {
  const box = useRef<HTMLDivElement>(null);
  const top = useRef<HTMLDivElement>(null);
  const pinned = useRef(true);
  const heightBefore = useRef(0);
  useLayoutEffect(() => {
    const el = box.current;
    if (!el) return;
    if (heightBefore.current) el.scrollTop += el.scrollHeight - heightBefore.current;
    else if (pinned.current) el.scrollTop = el.scrollHeight;
    heightBefore.current = 0;
  }, [count, conversationId]);
  useEffect(() => {
    pinned.current = true;
  }, [conversationId]);
  useEffect(() => {
    const sentinel = top.current;
    if (!sentinel || !hasMore) return;
    const observer = new IntersectionObserver(([entry]) => {
      if (!entry?.isIntersecting) return;
      heightBefore.current = box.current?.scrollHeight ?? 0;
      void controller.loadEarlier();
    });
    observer.observe(sentinel);
    return () => observer.disconnect();
  }, [controller, conversationId, hasMore, count]);
  const onScroll = () => {
    const el = box.current;
    if (el) pinned.current = el.scrollHeight - el.scrollTop - el.clientHeight < 80;
  };
  return { box, top, onScroll };
}

export function ConversationPane({ state, controller }: { state: DeskState; controller: DeskController }) {
  const { t } = useI18n();
  const open = state.open;
  if (!open) {
    return (
      <section className={styles.pane} aria-label={t('pane.label')}>
        <p className={styles.empty}>{t('pane.pick')}</p>
      </section>
    );
  }
  return <OpenPane open={open} state={state} controller={controller} />;
}

function OpenPane({ open, state, controller }: { open: OpenConversation; state: DeskState; controller: DeskController }) {
  const { t } = useI18n();
  const { conversation, visitor, messages } = open;
  const scroll = useHistoryScroll(controller, conversation.id, messages.length, open.hasMore);
  // "Seen" goes under the last public reply the shopper has read.
  const seenSeq = messages.filter((m) => m.author.type === 'agent' && m.kind === 'text' && m.seq <= state.shopperReadSeq).at(-1)?.seq;
  const me = state.agent?.id;
  const mine = conversation.assigneeId === me;
  const resolved = conversation.status === 'resolved';
  const watching = isWatching(conversation, state.agent);
  const admin = state.agent?.role === 'admin';
  return (
    <>
      <section className={styles.pane} aria-label={t('pane.label')}>
        <header className={styles.paneHeader}>
          <h2>{visitor.name ?? visitor.email ?? t('common.visitor', { number: conversation.number })}</h2>
          <span className={styles.status}>{t(`status.${conversation.status}`)}</span>
          {watching && <span className={supervision.watching}>{t('supervision.watching')}</span>}
          <div className={styles.actions}>
            {!mine && !resolved && (
              <button type="button" onClick={() => void controller.assign(me ?? null)}>
                {t('pane.claim')}
              </button>
            )}
            {conversation.assigneeId && !resolved && (
              <button type="button" onClick={() => void controller.assign(null)}>
                {t('pane.unassign')}
              </button>
            )}
            {!resolved && conversation.status !== 'snoozed' && (
              <button type="button" onClick={() => void controller.setStatus('snoozed', new Date(Date.now() + 3_600_000).toISOString())}>
                {t('pane.snooze')}
              </button>
            )}
            {resolved ? (
              <button type="button" onClick={() => void controller.setStatus('open')}>
                {t('pane.reopen')}
              </button>
            ) : (
              <button type="button" onClick={() => void controller.setStatus('resolved')}>
                {t('pane.resolve')}
              </button>
            )}
          </div>
          {!resolved && me && (mine || admin) && <TransferControl conversation={conversation} controller={controller} me={me} />}
        </header>
        <ViewersBar viewers={otherViewers(state.viewers, me)} />
        <div className={styles.messages} role="log" aria-live="polite" ref={scroll.box} onScroll={scroll.onScroll}>
          {open.hasMore && (
            <div ref={scroll.top} className={styles.more}>
              {t('pane.loadingEarlier')}
            </div>
          )}
          {messages.map((message) => (
            <Bubble key={message.id} message={message} controller={controller} seen={message.seq === seenSeq} />
          ))}
          {state.typing && (
            <p className={styles.typing}>
              {t(state.typing.draft ? 'pane.typingDraft' : 'pane.typing', { name: state.typing.name ?? t('pane.theShopper'), draft: state.typing.draft ?? '' })}
            </p>
          )}
        </div>
        {/* Keyed: each conversation has its own draft, which never goes to another shopper. */}
        <Composer key={conversation.id} controller={controller} canned={state.canned} open={open} me={me} watching={watching} />
      </section>
      <VisitorPanel visitor={visitor} openConversationId={conversation.id}>
        {admin && <AssignmentHistory conversationId={conversation.id} assigneeId={conversation.assigneeId} controller={controller} />}
      </VisitorPanel>
    </>
  );
}
