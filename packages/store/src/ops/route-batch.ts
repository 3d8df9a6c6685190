import type { Database } from '../database.js';
import { findConversations, type ConversationRow } from '../repos/conversations.js';
import { emptyChanges, type DeskChanges } from './changes.js';
import { drainQueues } from './drain.js';

/** What routing did about one conversation: its part of the changes, and the conversation as the drain found it. */
export type Routed = { changes: DeskChanges; found: ConversationRow | undefined };
type Waiter = { conversationId: string; resolve(routed: Routed): void; reject(error: unknown): void };

/**
 * Routes new conversations in batches. Every routing decision holds the cluster-wide routing lock
 * until it commits, so one routing transaction per new conversation caps a cluster at one commit
 * latency per conversation. Conversations that arrive while a drain runs wait for the next one, which
 * drains all their inboxes at once; each caller gets the part of the changes about its conversation
 * (the first also gets whatever else moved), so nothing is published twice.
 *
 * Every drain takes the whole queue of its inboxes, so a drain that waited for the lock (another
 * node's held it) often assigns conversations committed meanwhile, the next batch's. Such a batch,
 * none of it queued any more once it holds the lock, ends there: one read under the lock instead of
 * the candidates and the queue (a fifth of the batches in the routing bench). That read also hands
 * each sender its conversation as found, so a sender whose conversation another drain took needs no
 * read of its own.
 */
export function createRouteBatcher(db: Database) {
  let waiting: Waiter[] = [];
  let running = false;

  async function drain(batch: Waiter[]) {
    const changes = emptyChanges();
    const found = await db.transaction(async (tx) => {
      // The drain that held the lock before this one may have just taken them all.
      const rows = await findConversations(tx, batch.map((w) => w.conversationId));
      const queuedIn = new Set([...rows.values()].filter((row) => row.status === 'queued').map((row) => row.inbox_id));
      if (queuedIn.size > 0) await drainQueues(tx, db.dialect, changes, queuedIn);
      return rows;
    }, 'routing');
    return { changes, found };
  }

  async function run(): Promise<void> {
    running = true;
    while (waiting.length > 0) {
      const batch = waiting;
      waiting = [];
      try {
        const { changes, found } = await drain(batch);
        const ids = batch.map((w) => w.conversationId);
        splitChanges(changes, ids).forEach((part, i) => batch[i]!.resolve({ changes: part, found: found.get(ids[i]!) }));
      } catch (error) {
        batch.forEach((w) => w.reject(error));
      }
    }
    running = false;
  }

  return (conversation: { id: string }): Promise<Routed> =>
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
    const assignee = row.assignee_id ? changes.assignees.get(row.assignee_id) : undefined;
    if (row.assignee_id && assignee) part.assignees.set(row.assignee_id, assignee);
  }
  for (const message of changes.messages) partOf(message.conversation_id).messages.push(message);
  const first = parts[0];
  if (first) {
    for (const id of changes.agentIds) if (!placedAgents.has(id)) first.agentIds.add(id);
    for (const id of changes.presenceAgentIds) first.presenceAgentIds.add(id);
    for (const [inboxId, move] of changes.queues) first.queues.set(inboxId, move);
  }
  return parts;
}
