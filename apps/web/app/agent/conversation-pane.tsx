import type { CannedResponse, Message } from '@kefu/protocol';
import { useEffect, useLayoutEffect, useRef, useState, type KeyboardEvent } from 'react';
import { isWatching, otherViewers, repliedMeanwhile } from '../../lib/collision';
import type { DeskController, DeskState, OpenConversation } from '../../lib/desk-controller';
import { useI18n } from '../../lib/use-i18n';
import styles from './desk.module.css';
import { MeanwhileConfirm, ViewersBar } from './supervision';
import supervision from './supervision.module.css';
import { MessageText } from './message-text';
import { VisitorPanel } from './visitor-panel';

function Attachments({ message, controller }: { message: Message; controller: DeskController }) {
  if (message.attachments.length === 0) return null;
  return (
    <div className={styles.attachments}>
      {message.attachments.map((a) => {
        const href = controller.attachmentUrl(a.url);
        return (
          <a key={a.id} href={href} target="_blank" rel="noopener noreferrer">
            {a.mime.startsWith('image/') ? <img src={href} alt={a.name} width={a.width} height={a.height} loading="lazy" /> : `📄 ${a.name}`}
          </a>
        );
      })}
    </div>
  );
}

function Bubble({ message, controller, seen }: { message: Message; controller: DeskController; seen: boolean }) {
  const { t, time } = useI18n();
  if (message.kind === 'event') return <p className={styles.event}>{message.body}</p>;
  const side = message.author.type === 'visitor' ? styles.theirs : message.whisperTo ? supervision.whisper : message.kind === 'note' ? styles.note : styles.ours;
  const label = message.whisperTo ? 'supervision.bubble' : 'bubble.note';
  return (
    <div className={`${styles.bubble} ${side}`}>
      <span className={styles.author}>
        {message.kind === 'note' ? t(label, { name: message.author.name ?? '' }) : (message.author.name ?? t('bubble.visitor'))}
      </span>
      <div className={styles.body}>
        <MessageText text={message.body} />
      </div>
      <Attachments message={message} controller={controller} />
      <time className={styles.time} dateTime={message.createdAt}>
        {seen ? t('bubble.seen', { time: time(message.createdAt) }) : time(message.createdAt)}
      </time>
    </div>
  );
}

type Mode = 'reply' | 'note' | 'whisper';
type ComposerProps = { controller: DeskController; canned: CannedResponse[]; open: OpenConversation; me: string | undefined; watching: boolean };

function Composer({ controller, canned, open, me, watching }: ComposerProps) {
  const { t } = useI18n();
  const [text, setText] = useState('');
  const [chosen, setMode] = useState<Mode>('reply');
  const mode = chosen === 'whisper' && !watching ? 'reply' : chosen;
  const note = mode !== 'reply';
  // Collision guard: the last message on screen when the draft began; colleagues' replies after it are "meanwhile".
  const lastSeq = open.messages.at(-1)?.seq ?? 0;
  const draftBase = useRef(lastSeq);
  const [meanwhile, setMeanwhile] = useState<string[]>([]);
  // "/ship" offers the canned responses whose shortcut starts with "ship"; Tab takes the first.
  const query = /^\/([a-z0-9_-]*)$/i.exec(text)?.[1]?.toLowerCase();
  const suggestions = query === undefined ? [] : canned.filter((c) => c.shortcut.toLowerCase().startsWith(query)).slice(0, 6);
  const send = (confirmed = false) => {
    const body = text.trim();
    if (!body) return;
    const others = mode === 'reply' && !confirmed ? repliedMeanwhile(open.messages, draftBase.current, me) : [];
    if (others.length > 0) return setMeanwhile(others);
    setMeanwhile([]);
    setText('');
    void (mode === 'whisper' ? controller.whisper(body) : controller.send(body, note));
    controller.setTyping(false);
  };
  const review = () => {
    setMeanwhile([]);
    draftBase.current = lastSeq;
  };
  const onKeyDown = (event: KeyboardEvent<HTMLTextAreaElement>) => {
    const first = suggestions[0];
    if (event.key === 'Tab' && first) {
      event.preventDefault();
      setText(first.body);
      return;
    }
    if (event.key === 'Enter' && !event.shiftKey && !event.nativeEvent.isComposing) {
      event.preventDefault();
      send();
    }
  };
  return (
    <div className={`${styles.composer} ${mode === 'note' ? styles.noteMode : ''} ${mode === 'whisper' ? supervision.whisperMode : ''}`}>
      <div className={styles.modes} role="group" aria-label={t('composer.mode')}>
        <button type="button" aria-pressed={mode === 'reply'} onClick={() => setMode('reply')}>
          {t('composer.reply')}
        </button>
        <button type="button" aria-pressed={mode === 'note'} onClick={() => setMode('note')}>
          {t('composer.note')}
        </button>
        {watching && (
          <button type="button" aria-pressed={mode === 'whisper'} onClick={() => setMode('whisper')}>
            {t('supervision.whisperMode')}
          </button>
        )}
      </div>
      {meanwhile.length > 0 && <MeanwhileConfirm names={meanwhile} onSend={() => send(true)} onCancel={review} />}
      {suggestions.length > 0 && (
        <ul className={styles.canned} aria-label={t('composer.canned')}>
          {suggestions.map((c) => (
            <li key={c.id}>
              <button type="button" onClick={() => setText(c.body)}>
                <strong>/{c.shortcut}</strong> {c.body}
              </button>
            </li>
          ))}
        </ul>
      )}
      <textarea
        id="composer"
        aria-label={t('composer.message')}
        placeholder={mode === 'whisper' ? t('supervision.whisperPlaceholder') : note ? t('composer.notePlaceholder') : t('composer.replyPlaceholder')}
        value={text}
        onChange={(e) => {
          if (!text) draftBase.current = lastSeq;
          setText(e.target.value);
          if (!note) controller.setTyping(e.target.value.length > 0);
        }}
        onKeyDown={onKeyDown}
        rows={3}
      />
      <button type="button" className={styles.send} onClick={() => send()} disabled={!text.trim()}>
        {mode === 'whisper' ? t('supervision.whisperSend') : note ? t('composer.addNote') : t('composer.send')}
      </button>
    </div>
  );
}

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
        <Composer controller={controller} canned={state.canned} open={open} me={me} watching={watching} />
      </section>
      <VisitorPanel visitor={visitor} />
    </>
  );
}
