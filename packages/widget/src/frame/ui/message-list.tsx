import { useLayoutEffect, useRef } from 'preact/hooks';
import type { ChatState, PendingMessage } from '../chat-state.js';
import { offersRating } from '../chat-state.js';
import { groupByDay, lastSeenOwnSeq, waitMinutes, type DayLabel } from '../timeline.js';
import { Attachments, Body, Bubble } from './bubble.js';
import { useEnv } from './context.js';
import { Csat } from './csat.js';

function DaySeparator({ label }: { label: DayLabel }) {
  const { lang, t } = useEnv();
  const text = label.kind === 'date' ? new Intl.DateTimeFormat(lang, { dateStyle: 'medium' }).format(label.date) : t(label.kind);
  return (
    <div class="day" role="separator">
      <span>{text}</span>
    </div>
  );
}

function Pending({ item, connected }: { item: PendingMessage; connected: boolean }) {
  const { controller, t } = useEnv();
  return (
    <div class="row own pending" aria-busy={!item.failed}>
      <div class="bubble">
        {item.body && <Body text={item.body} />}
        <Attachments items={item.attachments} />
        <div class="meta">
          {item.failed ? (
            <>
              {t('failed')}{' '}
              <button type="button" class="link" onClick={() => void controller.retry(item.clientMsgId)}>
                {t('retry')}
              </button>
            </>
          ) : connected ? (
            t('sending')
          ) : (
            t('notSent')
          )}
        </div>
      </div>
    </div>
  );
}

function QueueStatus({ state }: { state: ChatState }) {
  const { t } = useEnv();
  const conversation = state.conversation;
  // Once assigned, the header names the agent.
  const queue = conversation?.status === 'queued' ? conversation.queue : null;
  if (!queue) return null;
  const wait = queue.estimatedWaitSec;
  const waitText = wait === null ? t('waitUnknown') : waitMinutes(wait) === 0 ? t('waitSoon') : t('waitMinutes', { count: waitMinutes(wait) });
  return (
    <div class="status">
      <p>{t('queuePosition', { position: queue.position })}</p>
      <p>{waitText}</p>
    </div>
  );
}

/** The conversation: newest at the bottom, kept in view as messages arrive unless the shopper scrolled up. */
export function MessageList({ state }: { state: ChatState }) {
  const { controller, t } = useEnv();
  const scroller = useRef<HTMLDivElement>(null);
  const pinned = useRef(true);
  const heightBefore = useRef(0);
  const firstSeq = state.messages[0]?.seq;

  useLayoutEffect(() => {
    const el = scroller.current;
    if (!el) return;
    // Earlier messages were added above: keep what the shopper was reading where it was.
    if (heightBefore.current) el.scrollTop += el.scrollHeight - heightBefore.current;
    else if (pinned.current) el.scrollTop = el.scrollHeight;
    heightBefore.current = 0;
  });

  const loadEarlier = () => {
    heightBefore.current = scroller.current?.scrollHeight ?? 0;
    void controller.loadEarlier();
  };
  const seenSeq = lastSeenOwnSeq(state.messages, state.agentReadSeq);
  const connected = state.phase === 'ready';
  const resolved = state.conversation?.status === 'resolved';

  return (
    <div class="scroller" ref={scroller} onScroll={(e) => (pinned.current = isNearBottom(e.currentTarget))}>
      {state.hasEarlier && firstSeq !== undefined && (
        <button type="button" class="earlier" onClick={loadEarlier} disabled={state.loadingEarlier}>
          {t('loadEarlier')}
        </button>
      )}
      {state.inbox?.greeting && !state.hasEarlier && <p class="greeting">{state.inbox.greeting}</p>}
      <div role="log" aria-live="polite" aria-relevant="additions" class="log">
        {groupByDay(state.messages, (m) => m.createdAt, new Date()).map((group) => (
          <section key={group.key}>
            <DaySeparator label={group.label} />
            {group.items.map((m) => (
              <Bubble key={m.id} message={m} seen={m.seq === seenSeq} />
            ))}
          </section>
        ))}
      </div>
      {state.pending.map((p) => (
        <Pending key={p.clientMsgId} item={p} connected={connected} />
      ))}
      {!resolved && <QueueStatus state={state} />}
      {!resolved && state.inbox && !state.inbox.online && state.conversation && <p class="status">{t('awayInProgress')}</p>}
      {state.leftAwayMessage && state.pending.length === 0 && <p class="status">{t('awayThanks')}</p>}
      {state.typing !== null && !resolved && (
        <p class="typing" aria-live="polite">
          {state.typing ? t('typing', { name: state.typing }) : t('someoneTyping')}
        </p>
      )}
      {resolved && <p class="status">{t('resolved')}</p>}
      {offersRating(state) && <Csat rated={state.rated} />}
      {resolved && <p class="status muted">{t('newConversation')}</p>}
    </div>
  );
}

const isNearBottom = (el: HTMLElement): boolean => el.scrollHeight - el.scrollTop - el.clientHeight < 80;
