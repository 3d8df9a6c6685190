/**
 * The messages the loader (host page) and the chat frame (kefu's origin) exchange with postMessage.
 * Both sides check the sender (the frame's window / the parent window) before acting on one.
 */
export type PageInfo = { url: string; title?: string; referrer?: string };
export type Identity = { externalId: string; name?: string; email?: string; hash: string };

/** Host page → frame. */
export type ToFrame =
  | { kefu: 1; type: 'open' }
  | { kefu: 1; type: 'close' }
  | { kefu: 1; type: 'identify'; identity: Identity }
  | { kefu: 1; type: 'page'; page: PageInfo }
  /** The widget's saved state, kept in the host page's storage (a third-party frame's own storage may be blocked or wiped). */
  | { kefu: 1; type: 'storage'; items: Record<string, string> }
  /** Another tab of the shop changed one saved item. */
  | { kefu: 1; type: 'stored'; key: string; value: string | null };

/** Frame → host page. */
export type FromFrame =
  | { kefu: 1; type: 'ready'; lang: string }
  | { kefu: 1; type: 'close' }
  | { kefu: 1; type: 'unread'; count: number }
  /** Whether this browser has a conversation in progress: the loader then loads the frame at once next time. */
  | { kefu: 1; type: 'active'; active: boolean }
  /** Save (or, with null, forget) one item of the widget's state in the host page's storage. */
  | { kefu: 1; type: 'store'; key: string; value: string | null };

export const isBridgeMessage = (data: unknown): data is { kefu: 1; type: string } =>
  typeof data === 'object' && data !== null && (data as { kefu?: unknown }).kefu === 1 && typeof (data as { type?: unknown }).type === 'string';
