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
 * Gathers the inboxes whose queue moved for one window and publishes each once: the queue's cost
 * (reading and ranking it for the positions and the admins' snapshot) is paid per window, not per
 * change, so a burst of new conversations does not cost the length of the queue each.
 */
export function createQueueFeed(publish: (inboxIds: Set<string>) => Promise<void>, windowMs: number = limits.activityWindowMs) {
  let pending = new Set<string>();
  let timer: NodeJS.Timeout | null = null;
  const flush = (): Promise<void> => {
    if (timer) clearTimeout(timer);
    timer = null;
    const inboxIds = pending;
    pending = new Set();
    return inboxIds.size > 0 ? publish(inboxIds) : Promise.resolve();
  };
  return {
    add(inboxIds: Iterable<string>): void {
      for (const id of inboxIds) pending.add(id);
      if (pending.size > 0) timer ??= setTimeout(() => void flush(), windowMs).unref();
    },
    flush,
  };
}

/**
 * Gathers agents whose load moved (assignments, resolutions) for one window and publishes them at
 * once: a burst of routing costs three queries per window instead of three per assignment.
 */
export function createAgentFeed(publish: (agentIds: string[]) => Promise<void>, windowMs: number = limits.activityWindowMs) {
  let pending = new Set<string>();
  let timer: NodeJS.Timeout | null = null;
  const flush = (): Promise<void> => {
    if (timer) clearTimeout(timer);
    timer = null;
    const agentIds = [...pending];
    pending = new Set();
    return agentIds.length > 0 ? publish(agentIds) : Promise.resolve();
  };
  return {
    add(agentId: string): void {
      pending.add(agentId);
      timer ??= setTimeout(() => void flush(), windowMs).unref();
    },
    flush,
  };
}
