import type { Database } from '../database.js';
import { emptyChanges, type DeskChanges } from './changes.js';
import { drainQueues } from './drain.js';

type Waiter = { conversationId: string; inboxId: string; resolve(changes: DeskChanges): void; reject(error: unknown): void };

/**
 * Routes new conversations in batches. Every routing decision holds the cluster-wide routing lock
 * until it commits, so one routing transaction per new conversation caps a cluster at one commit
 * latency per conversation. Conversations that arrive while a drain runs wait for the next one, which
 * drains all their inboxes at once; each caller gets the part of the changes about its conversation
 * (the first also gets whatever else moved), so nothing is published twice.
 */
export function createRouteBatcher(db: Database) {
  let waiting: Waiter[] = [];
  let running = false;

  async function run(): Promise<void> {
    running = true;
    while (waiting.length > 0) {
      const batch = waiting;
      waiting = [];
      try {
        const changes = emptyChanges();
        await db.transaction((tx) => drainQueues(tx, db.dialect, changes, new Set(batch.map((w) => w.inboxId))), 'routing');
        splitChanges(changes, batch.map((w) => w.conversationId)).forEach((part, i) => batch[i]!.resolve(part));
      } catch (error) {
        batch.forEach((w) => w.reject(error));
      }
    }
    running = false;
  }

  return (conversation: { id: string; inbox_id: string }): Promise<DeskChanges> =>
    new Promise((resolve, reject) => {
      waiting.push({ conversationId: conversation.id, inboxId: conversation.inbox_id, resolve, reject });
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
