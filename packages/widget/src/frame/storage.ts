import type { Attachment } from '@kefu/protocol';

/**
 * What the widget keeps in this browser, per inbox: the visitor token (so reloads and other tabs of
 * the shop resume the same shopper), unsent messages, read marks and given ratings. Storage can be
 * refused (privacy modes): the widget then works for this page only.
 */
export type StoredSend = { clientMsgId: string; body: string; attachments: Attachment[]; createdAt: string };

export type WidgetStorage = ReturnType<typeof widgetStorage>;

export function widgetStorage(inboxKey: string, store: KeyValueStore | null = safeLocalStorage()) {
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

/** The subset of Storage the widget uses. */
export type KeyValueStore = Pick<Storage, 'getItem' | 'setItem' | 'removeItem'>;

/**
 * A store kept in memory and mirrored to the host page, which keeps it in its own localStorage:
 * `load` takes the host's snapshot, `onWrite` sends every change back.
 */
export function mirroredStore(onWrite: (key: string, value: string | null) => void) {
  const items = new Map<string, string>();
  return {
    getItem: (key: string) => items.get(key) ?? null,
    setItem: (key: string, value: string) => {
      items.set(key, value);
      onWrite(key, value);
    },
    removeItem: (key: string) => {
      items.delete(key);
      onWrite(key, null);
    },
    /** A change made elsewhere (the snapshot, another tab): applied without echoing it back. */
    apply: (key: string, value: string | null) => (value === null ? items.delete(key) : items.set(key, value)),
  };
}

export function safeLocalStorage(): Storage | null {
  try {
    return typeof localStorage === 'undefined' ? null : localStorage;
  } catch {
    return null;
  }
}
