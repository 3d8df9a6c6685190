import { limits, type ConversationActivityItem } from '@kefu/protocol';

/**
 * Gathers the list updates of each inbox for `limits.activityWindowMs` and hands them out as one
 * `conversation:activity` per inbox, each conversation once in its latest state. With 50 agents in
 * an inbox, a busy conversation costs them one small row per window instead of every message.
 */
export function createActivityFeed(emit: (inboxId: string, conversations: ConversationActivityItem[]) => void, windowMs: number = limits.activityWindowMs) {
  let pending = new Map<string, Map<string, ConversationActivityItem>>();
  let timer: NodeJS.Timeout | null = null;

  const flush = () => {
    timer = null;
    const batches = [...pending];
    // A new Map, not clear(): V8 leaves a cleared Map's old table holding its entries, and from the
    // old generation that table kept every window's rows alive until a full collection (docs/benchmarks.md, change 85).
    pending = new Map();
    for (const [inboxId, items] of batches) emit(inboxId, [...items.values()]);
  };

  return {
    add(inboxId: string, item: ConversationActivityItem): void {
      const items = pending.get(inboxId) ?? new Map<string, ConversationActivityItem>();
      items.set(item.id, item);
      pending.set(inboxId, items);
      // unref: a pending window never keeps a stopping process alive.
      timer ??= setTimeout(flush, windowMs).unref();
    },
    /** Sends what is gathered now (on shutdown, so no list update is lost). */
    flush(): void {
      if (timer) clearTimeout(timer);
      flush();
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
