import type { Attachment } from '@kefu/protocol';

/**
 * What the widget keeps in this browser, per inbox: the visitor token (so reloads and other tabs of
 * the shop resume the same shopper), unsent messages, read marks and given ratings. Storage can be
 * refused (privacy modes): the widget then works for this page only.
 */
export type StoredSend = { clientMsgId: string; body: string; attachments: Attachment[]; createdAt: string };

export type WidgetStorage = ReturnType<typeof widgetStorage>;

export function widgetStorage(inboxKey: string, store: Storage | null = safeLocalStorage()) {
  const key = (name: string) => `kefu:${inboxKey}:${name}`;
  const read = <T>(name: string, fallback: T): T => {
    try {
      const raw = store?.getItem(key(name));
      return raw === null || raw === undefined ? fallback : (JSON.parse(raw) as T);
    } catch {
      return fallback;
    }
  };
  const write = (name: string, value: unknown) => {
    try {
      if (value === undefined) store?.removeItem(key(name));
      else store?.setItem(key(name), JSON.stringify(value));
    } catch {
      // Full or refused: this page still works, it just forgets on reload.
    }
  };
  return {
    /** The storage key a `storage` event carries when another tab changed the token. */
    tokenKey: key('token'),
    readKey: (conversationId: string) => key(`read:${conversationId}`),
    token: () => read<string | null>('token', null),
    setToken: (token: string) => write('token', token),
    outbox: () => read<StoredSend[]>('outbox', []),
    setOutbox: (sends: StoredSend[]) => write('outbox', sends.length ? sends : undefined),
    readSeq: (conversationId: string) => read<number>(`read:${conversationId}`, 0),
    setReadSeq: (conversationId: string, seq: number) => write(`read:${conversationId}`, seq),
    rated: (conversationId: string) => read<boolean>(`rated:${conversationId}`, false),
    setRated: (conversationId: string) => write(`rated:${conversationId}`, true),
  };
}

function safeLocalStorage(): Storage | null {
  try {
    return typeof localStorage === 'undefined' ? null : localStorage;
  } catch {
    return null;
  }
}
