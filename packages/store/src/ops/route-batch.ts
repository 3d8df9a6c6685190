import type { Database } from '../database.js';
import { queuedInboxesOf } from '../repos/conversations.js';
import { emptyChanges, type DeskChanges } from './changes.js';
import { drainQueues } from './drain.js';

type Waiter = { conversationId: string; resolve(changes: DeskChanges): void; reject(error: unknown): void };

/**
 * Routes new conversations in batches. Every routing decision holds the cluster-wide routing lock
 * until it commits, so one routing transaction per new conversation caps a cluster at one commit
 * latency per conversation. Conversations that arrive while a drain runs wait for the next one, which
 * drains all their inboxes at once; each caller gets the part of the changes about its conversation
 * (the first also gets whatever else moved), so nothing is published twice.
 *
 * Every drain takes the whole queue of its inboxes, so a drain that waited for the lock (another
 * node's held it) often assigns conversations committed meanwhile, the next batch's. Such a batch,
 * none of it queued any more, is answered without a drain: one read instead of a routing transaction
 * that would hold the lock for nothing.
 */
export function createRouteBatcher(db: Database) {
  let waiting: Waiter[] = [];
  let running = false;

  async function drain(batch: Waiter[]): Promise<DeskChanges> {
    const changes = emptyChanges();
    const inboxIds = await queuedInboxesOf(db.db, batch.map((w) => w.conversationId));
    if (inboxIds.size > 0) await db.transaction((tx) => drainQueues(tx, db.dialect, changes, inboxIds), 'routing');
    return changes;
  }

  async function run(): Promise<void> {
    running = true;
    while (waiting.length > 0) {
      const batch = waiting;
      waiting = [];
      try {
        const changes = await drain(batch);
        splitChanges(changes, batch.map((w) => w.conversationId)).forEach((part, i) => batch[i]!.resolve(part));
      } catch (error) {
        batch.forEach((w) => w.reject(error));
      }
    }
    running = false;
  }

  return (conversation: { id: string }): Promise<DeskChanges> =>
    new Promise((resolve, reject) => {
      waiting.push({ conversationId: conversation.id, resolve, reject });
      if (!running) void run();
    });
}

/** One DeskChanges per conversation id; changes about other conversations (and inboxes, presence) go to the first. */
export function splitChanges(changes: DeskChanges, conversationIds: string[]): DeskChanges[] {
  const parts = conversationIds.map(() => emptyChanges());
  const index = new Map(conversationIds.map((id, i) => [id, i]));
  const partOf = (conversationId: string) => parts[index.get(conversationId) ?? 0]!;
  const placedAgents = new Set<string>();
  for (const [id, row] of changes.conversations) {
    const part = partOf(id);
    part.conversations.set(id, row);
    if (changes.moved.has(id)) part.moved.add(id);
    if (row.assignee_id && changes.agentIds.has(row.assignee_id)) {
      part.agentIds.add(row.assignee_id);
      placedAgents.add(row.assignee_id);
    }
  }
  for (const message of changes.messages) partOf(message.conversation_id).messages.push(message);
  const first = parts[0];
  if (first) {
    for (const id of changes.agentIds) if (!placedAgents.has(id)) first.agentIds.add(id);
    for (const id of changes.presenceAgentIds) first.presenceAgentIds.add(id);
    for (const id of changes.inboxIds) first.inboxIds.add(id);
  }
  return parts;
}
