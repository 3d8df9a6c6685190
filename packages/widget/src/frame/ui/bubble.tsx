import type { Attachment, Message } from '@kefu/protocol';
import { linkify } from '@kefu/core';
import { initialOf } from '../timeline.js';
import { attachmentHref } from '../upload.js';
import { useEnv } from './context.js';

/** A message body with its links: text stays text (Preact escapes it); hrefs are only http(s)/mailto. */
export function Body({ text }: { text: string }) {
  return (
    <div class="body">
      {linkify(text).map((token, i) =>
        token.kind === 'link' ? (
          <a key={i} href={token.href} target="_blank" rel="noopener noreferrer">
            {token.text}
          </a>
        ) : (
          token.text
        ),
      )}
    </div>
  );
}

export function Attachments({ items }: { items: Attachment[] }) {
  const { serverUrl, t } = useEnv();
  if (items.length === 0) return null;
  return (
    <div class="attachments">
      {items.map((a) =>
        a.mime.startsWith('image/') ? (
          <a key={a.id} href={attachmentHref(serverUrl, a)} target="_blank" rel="noopener noreferrer" class="image">
            <img src={attachmentHref(serverUrl, a)} alt={t('image', { name: a.name })} width={a.width} height={a.height} loading="lazy" />
          </a>
        ) : (
          <a key={a.id} href={attachmentHref(serverUrl, a)} target="_blank" rel="noopener noreferrer" class="file" download={a.name}>
            📄 {a.name}
          </a>
        ),
      )}
    </div>
  );
}

export function Avatar({ name, url }: { name: string | null; url?: string | undefined }) {
  return url ? <img class="avatar" src={url} alt="" /> : <span class="avatar" aria-hidden="true">{initialOf(name)}</span>;
}

const timeFormat = new Map<string, Intl.DateTimeFormat>();
export function clock(iso: string, lang: string): string {
  let format = timeFormat.get(lang);
  if (!format) timeFormat.set(lang, (format = new Intl.DateTimeFormat(lang, { hour: '2-digit', minute: '2-digit' })));
  return format.format(new Date(iso));
}

type BubbleProps = { message: Message; seen: boolean };

export function Bubble({ message, seen }: BubbleProps) {
  const { lang, t } = useEnv();
  if (message.kind === 'event') return <div class="event">{message.body}</div>;
  const own = message.author.type === 'visitor';
  return (
    <div class={own ? 'row own' : 'row shop'}>
      {!own && <Avatar name={message.author.name} url={message.author.avatarUrl} />}
      <div class="bubble">
        {!own && message.author.name && <div class="author">{message.author.name}</div>}
        {message.body && <Body text={message.body} />}
        <Attachments items={message.attachments} />
        <div class="meta">
          <time dateTime={message.createdAt}>{clock(message.createdAt, lang)}</time>
          {own && seen && <span class="seen"> · {t('seen')}</span>}
        </div>
      </div>
      {own && <Avatar name={t('you')} />}
    </div>
  );
}
