import type { Attachment, CannedResponse } from '@kefu/protocol';
import { useEffect, useRef, useState, type KeyboardEvent, type RefObject } from 'react';
import { repliedMeanwhile } from '../../lib/collision';
import type { DeskController, Draft, OpenConversation } from '../../lib/desk-controller';
import { useI18n } from '../../lib/use-i18n';
import { acceptedTypes } from '../../lib/upload';
import styles from './desk.module.css';
import { EmojiPicker } from './emoji-picker';
import { MeanwhileConfirm } from './supervision';
import supervision from './supervision.module.css';

type Upload = { key: string; name: string; error: string | null; attachment: Attachment | null };

/** Files picked for the next message: each uploads at once; the message waits for all of them. */
function useUploads(controller: DeskController) {
  const [uploads, setUploads] = useState<Upload[]>([]);
  const patch = (key: string, change: Partial<Upload>) => setUploads((list) => list.map((u) => (u.key === key ? { ...u, ...change } : u)));
  const add = (files: FileList | null) => {
    for (const file of Array.from(files ?? [])) {
      const key = `${file.name}-${crypto.randomUUID()}`;
      setUploads((list) => [...list, { key, name: file.name, error: null, attachment: null }]);
      controller.upload(file).then(
        (attachment) => patch(key, { attachment }),
        (error: Error) => patch(key, { error: error.message }),
      );
    }
  };
  const ready = uploads.flatMap((u) => (u.attachment ? [u.attachment] : []));
  const busy = uploads.some((u) => !u.attachment && !u.error);
  /** Attachments of a message that was not sent, back in the list (not bound to any message, so usable again). */
  const restore = (attachments: Attachment[]) =>
    setUploads((list) => [...list, ...attachments.map((attachment) => ({ key: `${attachment.name}-${crypto.randomUUID()}`, name: attachment.name, error: null, attachment }))]);
  return { uploads, ready, busy, add, restore, remove: (key: string) => setUploads((l) => l.filter((u) => u.key !== key)), clear: () => setUploads([]) };
}

function UploadList({ uploads, remove }: { uploads: Upload[]; remove: (key: string) => void }) {
  const { t } = useI18n();
  if (uploads.length === 0) return null;
  return (
    <ul className={styles.uploads} aria-label={t('composer.attachments')}>
      {uploads.map((u) => (
        <li key={u.key} className={u.error ? styles.uploadError : undefined}>
          <span>{u.error ? t('composer.uploadFailed', { name: u.name, reason: u.error }) : u.attachment ? u.name : t('composer.uploading', { name: u.name })}</span>
          <button type="button" aria-label={t('composer.removeAttachment', { name: u.name })} onClick={() => remove(u.key)}>
            ×
          </button>
        </li>
      ))}
    </ul>
  );
}

function CannedList({ suggestions, pick }: { suggestions: CannedResponse[]; pick: (body: string) => void }) {
  const { t } = useI18n();
  if (suggestions.length === 0) return null;
  return (
    <ul className={styles.canned} aria-label={t('composer.canned')}>
      {suggestions.map((c) => (
        <li key={c.id}>
          <button type="button" onClick={() => pick(c.body)}>
            <strong>/{c.shortcut}</strong> {c.body}
          </button>
        </li>
      ))}
    </ul>
  );
}

type Mode = Draft['mode'];
type ComposerProps = { controller: DeskController; canned: CannedResponse[]; open: OpenConversation; me: string | undefined; watching: boolean };

/** Reply, private note, or (an admin watching) whisper; emoji and attachment buttons beside them. */
function ModeBar({ mode, setMode, watching, picking, setPicking, attach }: { mode: Mode; setMode: (m: Mode) => void; watching: boolean; picking: boolean; setPicking: (on: boolean) => void; attach: (files: FileList | null) => void }) {
  const { t } = useI18n();
  const fileInput = useRef<HTMLInputElement>(null);
  return (
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
      <button type="button" aria-label={t('composer.emoji')} aria-expanded={picking} onClick={() => setPicking(!picking)}>
        😊
      </button>
      {/* In words: the paperclip emoji is missing from many systems' fonts. */}
      {mode !== 'whisper' && (
        <button type="button" onClick={() => fileInput.current?.click()}>
          {t('composer.attach')}
        </button>
      )}
      <input ref={fileInput} type="file" accept={acceptedTypes} multiple hidden onChange={(e) => attach(e.currentTarget.files)} />
    </div>
  );
}

/** Puts an emoji where the caret is and gives the field its focus back. */
function useEmojiInsert(field: RefObject<HTMLTextAreaElement | null>, text: string, setText: (text: string) => void) {
  return (symbol: string) => {
    const start = field.current?.selectionStart ?? text.length;
    const end = field.current?.selectionEnd ?? text.length;
    setText(text.slice(0, start) + symbol + text.slice(end));
    requestAnimationFrame(() => {
      field.current?.focus();
      field.current?.setSelectionRange(start + symbol.length, start + symbol.length);
    });
  };
}

/**
 * The composer: canned responses by `/shortcut`, emoji, attachments, and the collision guard (a
 * colleague's reply since the draft began asks before sending).
 */
export function Composer({ controller, canned, open, me, watching }: ComposerProps) {
  const { t } = useI18n();
  // One composer a conversation (the pane keys it): what was being written there comes back with it.
  const conversationId = open.conversation.id;
  const [saved] = useState(() => controller.draftOf(conversationId));
  const [text, setText] = useState(saved?.text ?? '');
  const [chosen, setMode] = useState<Mode>(saved?.mode ?? 'reply');
  const [picking, setPicking] = useState(false);
  /** Why the last message was not sent (refused, or no connection before the SDK gave up); its draft is back. */
  const [failure, setFailure] = useState<string | null>(saved?.failure ?? null);
  const field = useRef<HTMLTextAreaElement>(null);
  const files = useUploads(controller);
  useEffect(() => controller.keepDraft(conversationId, { text, mode: chosen, ...(failure ? { failure } : {}) }), [controller, conversationId, text, chosen, failure]);
  /** Whether this conversation is still on screen, for a send that fails later. */
  const onScreen = useRef(true);
  useEffect(() => {
    onScreen.current = true;
    return () => void (onScreen.current = false);
  }, []);
  const mode = chosen === 'whisper' && !watching ? 'reply' : chosen;
  const note = mode !== 'reply';
  // Collision guard: the last message on screen when the draft began; colleagues' replies after it are "meanwhile".
  const lastSeq = open.messages.at(-1)?.seq ?? 0;
  const draftBase = useRef(lastSeq);
  const [meanwhile, setMeanwhile] = useState<string[]>([]);
  const insertEmoji = useEmojiInsert(field, text, setText);
  // "/ship" offers the canned responses whose shortcut starts with "ship"; Tab takes the first.
  const query = /^\/([a-z0-9_-]*)$/i.exec(text)?.[1]?.toLowerCase();
  const suggestions = query === undefined ? [] : canned.filter((c) => c.shortcut.toLowerCase().startsWith(query)).slice(0, 6);
  const attachments = mode === 'whisper' ? [] : files.ready;
  const canSend = (text.trim().length > 0 || attachments.length > 0) && !files.busy;
  const send = (confirmed = false) => {
    if (!canSend) return;
    const others = mode === 'reply' && !confirmed ? repliedMeanwhile(open.messages, draftBase.current, me) : [];
    if (others.length > 0) return setMeanwhile(others);
    setMeanwhile([]);
    setFailure(null);
    const body = text.trim();
    const sentAs = mode;
    setText('');
    const sending = mode === 'whisper' ? controller.whisper(body) : controller.send(body, note, attachments);
    if (mode !== 'whisper') files.clear();
    controller.setTyping(false);
    // The field clears at once; a message that fails (too long, rate limited, offline past the SDK's
    // deadline) comes back into it, in the mode it was sent in (a note must not come back as a reply),
    // with the reason beside it, unless a new draft was begun meanwhile.
    sending.catch((error: unknown) => {
      const reason = error instanceof Error ? error.message : String(error);
      if (onScreen.current) {
        setText((current) => (current === '' ? body : current));
        setMode(sentAs);
        files.restore(attachments);
        setFailure(reason);
      } else if (!controller.draftOf(conversationId)?.text) {
        // The agent has moved on: the text waits in its conversation's draft (its attachments do not).
        controller.keepDraft(conversationId, { text: body, mode: sentAs, failure: reason });
      }
    });
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
    } else if (event.key === 'Enter' && !event.shiftKey && !event.nativeEvent.isComposing) {
      event.preventDefault();
      send();
    }
  };
  return (
    <div className={`${styles.composer} ${mode === 'note' ? styles.noteMode : ''} ${mode === 'whisper' ? supervision.whisperMode : ''}`}>
      <ModeBar mode={mode} setMode={setMode} watching={watching} picking={picking} setPicking={setPicking} attach={files.add} />
      {meanwhile.length > 0 && <MeanwhileConfirm names={meanwhile} onSend={() => send(true)} onCancel={review} />}
      {picking && (
        <EmojiPicker
          onPick={(symbol) => {
            insertEmoji(symbol);
            setPicking(false);
          }}
          onClose={() => setPicking(false)}
        />
      )}
      <CannedList suggestions={suggestions} pick={setText} />
      {mode !== 'whisper' && <UploadList uploads={files.uploads} remove={files.remove} />}
      {failure && (
        <p role="alert" className={styles.sendError}>
          {t('composer.sendFailed', { reason: failure })}
        </p>
      )}
      <textarea
        id="composer"
        ref={field}
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
      <button type="button" className={styles.send} onClick={() => send()} disabled={!canSend}>
        {mode === 'whisper' ? t('supervision.whisperSend') : note ? t('composer.addNote') : t('composer.send')}
      </button>
    </div>
  );
}
