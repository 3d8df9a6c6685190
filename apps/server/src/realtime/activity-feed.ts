import { limits, type ConversationActivityItem } from '@kefu/protocol';

/**
 * Gathers the list updates of each inbox for `limits.activityWindowMs` and hands them out as one
 * `conversation:activity` per inbox, each conversation once in its latest state. With 50 agents in
 * an inbox, a busy conversation costs them one small row per window instead of every message.
 */
export function createActivityFeed(emit: (inboxId: string, conversations: ConversationActivityItem[]) => void, windowMs: number = limits.activityWindowMs) {
  const pending = new Map<string, Map<string, ConversationActivityItem>>();
  let timer: NodeJS.Timeout | null = null;

  const flush = () => {
    timer = null;
    const batches = [...pending];
    pending.clear();
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
 * Gathers keys for one window and publishes them at once, each once: inboxes whose queue moved (the
 * queue is read and ranked per window, not per change) and agents whose load moved (three queries per
 * window instead of three per assignment). Publishes run one after another, and `flush` resolves only
 * when the last one is done, so a stopping node closes its store after the final publish, not during one.
 */
export function createBatchFeed(publish: (keys: string[]) => Promise<void>, windowMs: number = limits.activityWindowMs) {
  let pending = new Set<string>();
  let timer: NodeJS.Timeout | null = null;
  let running: Promise<void> = Promise.resolve();
  const flush = (): Promise<void> => {
    if (timer) clearTimeout(timer);
    timer = null;
    const keys = [...pending];
    pending = new Set();
    if (keys.length > 0) running = running.then(() => publish(keys));
    return running;
  };
  return {
    add(keys: ReadonlySet<string> | readonly string[]): void {
      for (const key of keys) pending.add(key);
      // unref: a pending window never keeps a stopping process alive.
      if (pending.size > 0) timer ??= setTimeout(() => void flush(), windowMs).unref();
    },
    flush,
  };
}
