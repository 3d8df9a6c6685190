import { limits, type ConversationActivityItem } from '@kefu/protocol';

type Part = [inboxId: string, rows: ConversationActivityItem[]];

/**
 * Gathers the list updates of each inbox for `limits.activityWindowMs` and hands them out as
 * `conversation:activity`, each conversation once a window in its latest state. With 50 agents in an
 * inbox, a busy conversation costs them one small row per window instead of every message.
 *
 * A window's rows go in parts of at most `limits.activityPartRows`: the first at once, the others
 * spread evenly over the next window. A busy inbox's window in one event (400 rows, 111 KB, to each of
 * 50 agents at once) stood on every agent's socket ahead of the messages sent just after it, which
 * waited until it was read (docs/benchmarks.md, change 99). What is left of a window when the next one
 * closes is sent first, so a row never overtakes a newer row of the same conversation.
 */
export function createActivityFeed(emit: (inboxId: string, conversations: ConversationActivityItem[]) => void, windowMs: number = limits.activityWindowMs, partRows: number = limits.activityPartRows) {
  let pending = new Map<string, Map<string, ConversationActivityItem>>();
  let timer: NodeJS.Timeout | null = null;
  const parts: Part[] = [];
  let pacer: NodeJS.Timeout | null = null;

  const send = (count: number) => {
    for (const [inboxId, rows] of parts.splice(0, count)) emit(inboxId, rows);
    if (parts.length === 0 && pacer) {
      clearInterval(pacer);
      pacer = null;
    }
  };

  /** Ends the window: its rows become parts, behind any still to send. */
  const gather = () => {
    timer = null;
    const batches = [...pending];
    // A new Map, not clear(): V8 leaves a cleared Map's old table holding its entries, and from the
    // old generation that table kept every window's rows alive until a full collection (docs/benchmarks.md, change 85).
    pending = new Map();
    for (const [inboxId, items] of batches) {
      const rows = [...items.values()];
      for (let i = 0; i < rows.length; i += partRows) parts.push([inboxId, rows.slice(i, i + partRows)]);
    }
  };

  const close = () => {
    // Parts still left of the last window (its pacer late) go now, before this window's.
    send(parts.length);
    gather();
    if (parts.length === 0) return;
    const every = windowMs / parts.length;
    send(1);
    // unref: parts still to send never keep a stopping process alive (its flush sends them).
    if (parts.length > 0) pacer = setInterval(() => send(1), every).unref();
  };

  return {
    add(inboxId: string, item: ConversationActivityItem): void {
      const items = pending.get(inboxId) ?? new Map<string, ConversationActivityItem>();
      items.set(item.id, item);
      pending.set(inboxId, items);
      // unref: a pending window never keeps a stopping process alive.
      timer ??= setTimeout(close, windowMs).unref();
    },
    /** Sends what is gathered now, every part at once (on shutdown, so no list update is lost). */
    flush(): void {
      if (timer) clearTimeout(timer);
      gather();
      send(parts.length);
    },
  };
}

/**
 * Gathers keys for one window and publishes them at once, each once with what was added for it
 * merged: inboxes whose queue moved, with where from (the queue is read and ranked per window, not per
 * change), and agents whose load moved (three queries per window instead of three per assignment).
 * Publishes run one after another, and `flush` resolves only when the last one is done, so a stopping
 * node closes its store after the final publish, not during one.
 */
export function createBatchFeed<V>(publish: (batch: Map<string, V>) => Promise<void>, merge: (earlier: V, later: V) => V, windowMs: number = limits.activityWindowMs) {
  let pending = new Map<string, V>();
  let timer: NodeJS.Timeout | null = null;
  let running: Promise<void> = Promise.resolve();
  const flush = (): Promise<void> => {
    if (timer) clearTimeout(timer);
    timer = null;
    const batch = pending;
    pending = new Map();
    if (batch.size > 0) running = running.then(() => publish(batch));
    return running;
  };
  return {
    add(entries: Iterable<readonly [string, V]>): void {
      for (const [key, value] of entries) {
        const earlier = pending.get(key);
        pending.set(key, earlier === undefined ? value : merge(earlier, value));
      }
      // unref: a pending window never keeps a stopping process alive.
      if (pending.size > 0) timer ??= setTimeout(() => void flush(), windowMs).unref();
    },
    flush,
  };
}
