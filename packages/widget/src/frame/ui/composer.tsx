import { checkBody, countCharacters, normalizeBody } from '@kefu/core';
import type { Attachment } from '@kefu/protocol';
import { useRef, useState } from 'preact/hooks';
import { acceptedTypes, uploadFile } from '../upload.js';
import { useEnv } from './context.js';
import { EmojiPicker } from './emoji-picker.js';

type Upload = { key: string; name: string; percent: number; error: string | null; attachment: Attachment | null };

const typingPauseMs = 3_000;
const draftEveryMs = 400;

/** The input row: attachments with progress, emoji, the message field with its counter, and Send. */
export function Composer({ maxLength, canAttach }: { maxLength: number; canAttach: boolean }) {
  const { controller, serverUrl, t } = useEnv();
  const [text, setText] = useState('');
  const [uploads, setUploads] = useState<Upload[]>([]);
  const [picking, setPicking] = useState(false);
  const field = useRef<HTMLTextAreaElement>(null);
  const fileInput = useRef<HTMLInputElement>(null);
  const typing = useRef<{ stop?: ReturnType<typeof setTimeout>; next?: ReturnType<typeof setTimeout> | undefined; lastDraft: number; latest: string }>({ lastDraft: 0, latest: '' });

  const length = countCharacters(normalizeBody(text));
  const ready = uploads.filter((u) => u.attachment).map((u) => u.attachment as Attachment);
  const busy = uploads.some((u) => !u.attachment && !u.error);
  const check = checkBody(text, maxLength, ready.length > 0);
  const canSend = check.ok && !busy;

  const patchUpload = (key: string, patch: Partial<Upload>) => setUploads((list) => list.map((u) => (u.key === key ? { ...u, ...patch } : u)));

  // At most one typing event per draftEveryMs, always ending with the latest text (live preview shows it).
  const announceTyping = (value: string) => {
    if (value.length > 0) controller.noteComposing();
    const state = typing.current;
    state.latest = value;
    clearTimeout(state.stop);
    state.stop = setTimeout(() => controller.setTyping(false), typingPauseMs);
    if (state.next) return;
    state.next = setTimeout(() => {
      state.next = undefined;
      state.lastDraft = Date.now();
      controller.setTyping(state.latest.length > 0, state.latest);
    }, Math.max(0, state.lastDraft + draftEveryMs - Date.now()));
  };

  const send = () => {
    if (!check.ok || !canSend) return;
    void controller.send(check.body, ready);
    setText('');
    setUploads([]);
    clearTimeout(typing.current.stop);
    clearTimeout(typing.current.next);
    typing.current.next = undefined;
    controller.setTyping(false);
    field.current?.focus();
  };

  const attach = (files: FileList | null) => {
    const token = controller.visitorToken;
    if (!files || !token) return;
    for (const file of Array.from(files)) {
      const key = `${file.name}-${Math.random()}`;
      setUploads((list) => [...list, { key, name: file.name, percent: 0, error: null, attachment: null }]);
      uploadFile(serverUrl, token, file, (percent) => patchUpload(key, { percent }))
        .then((attachment) => patchUpload(key, { attachment, percent: 100 }))
        .catch((error: Error) => patchUpload(key, { error: error.message }));
    }
    if (fileInput.current) fileInput.current.value = '';
  };

  const insertEmoji = (symbol: string) => {
    const el = field.current;
    const start = el?.selectionStart ?? text.length;
    const end = el?.selectionEnd ?? text.length;
    const next = text.slice(0, start) + symbol + text.slice(end);
    setText(next);
    setPicking(false);
    requestAnimationFrame(() => {
      el?.focus();
      el?.setSelectionRange(start + symbol.length, start + symbol.length);
    });
  };

  return (
    <div class="composer">
      {uploads.length > 0 && (
        <ul class="uploads">
          {uploads.map((u) => (
            <li key={u.key} class={u.error ? 'error' : ''}>
              <span>{u.error ? t('uploadFailed', { name: u.name, reason: u.error }) : u.attachment ? u.name : t('uploading', { name: u.name, percent: u.percent })}</span>
              {!u.attachment && !u.error && <progress max={100} value={u.percent} aria-label={t('uploading', { name: u.name, percent: u.percent })} />}
              <button type="button" class="icon-button" aria-label={t('removeAttachment', { name: u.name })} onClick={() => setUploads((list) => list.filter((x) => x.key !== u.key))}>
                ×
              </button>
            </li>
          ))}
        </ul>
      )}
      {picking && <EmojiPicker onPick={insertEmoji} onClose={() => setPicking(false)} />}
      <div class="input-row">
        <button type="button" class="icon-button" aria-label={t('emoji')} aria-expanded={picking} onClick={() => setPicking(!picking)}>
          😊
        </button>
        {/* Drawn, not the 📎 emoji: many systems' fonts lack it, and the button showed an empty box. */}
        <button type="button" class="icon-button" aria-label={t('attach')} onClick={() => fileInput.current?.click()} disabled={!canAttach}>
          <svg viewBox="0 0 24 24" width="20" height="20" aria-hidden="true" fill="none" stroke="currentColor" stroke-width="2" stroke-linecap="round" stroke-linejoin="round">
            <path d="M21 11.5l-8.6 8.6a5.5 5.5 0 0 1-7.8-7.8l8.6-8.6a3.7 3.7 0 0 1 5.2 5.2l-8.6 8.6a1.8 1.8 0 0 1-2.6-2.6l8-8" />
          </svg>
        </button>
        <input ref={fileInput} type="file" accept={acceptedTypes} multiple hidden onChange={(e) => attach(e.currentTarget.files)} />
        <textarea
          ref={field}
          aria-label={t('message')}
          aria-describedby="kefu-counter"
          placeholder={t('placeholder')}
          rows={1}
          value={text}
          onInput={(e) => {
            setText(e.currentTarget.value);
            announceTyping(e.currentTarget.value);
          }}
          onKeyDown={(e) => {
            if (e.key === 'Enter' && !e.shiftKey && !e.isComposing) {
              e.preventDefault();
              send();
            }
          }}
        />
        <button type="button" class="send primary" onClick={send} disabled={!canSend}>
          {t('send')}
        </button>
      </div>
      <div id="kefu-counter" class={length > maxLength ? 'counter over' : 'counter'} aria-live={length > maxLength ? 'polite' : 'off'}>
        {length > maxLength ? t('tooLong', { over: length - maxLength }) : t('counter', { count: length, max: maxLength })}
      </div>
    </div>
  );
}
