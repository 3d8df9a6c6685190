import type { Database, Executor } from '../database.js';
import type { ConversationRow } from '../repos/conversations.js';
import { emptyChanges, mergeChanges, type DeskChanges } from './changes.js';
import { drainQueues } from './drain.js';

/** What a send that may start a conversation hands back: its conversation as it left it, and what it changed. */
export type MayStart = { conversation: ConversationRow; createdConversation: boolean; changes: DeskChanges };
type Job<T> = { send: (tx: Executor) => Promise<T>; resolve(outcome: T): void; reject(error: unknown): void };

/**
 * Enough sends to share a commit; few enough that the routing lock, which every other routing
 * decision of the cluster waits for, is never held for long (a full queue's worth of first messages
 * would otherwise run under it in one go).
 */
const MAX_BATCH = 32;

/**
 * Stores and routes the sends that may start a conversation, together: one transaction under the
 * routing lock runs the sends, then drains the inboxes where they started a conversation, and commits
 * once. A new conversation used to wait for two commits in a row (its first message's, then its
 * routing's), and its routing began with a read of whether another drain had taken it meanwhile.
 *
 * Sends that arrive while a batch runs go into the next one. If a batch fails, its sends run again
 * one by one, so that one send's failure (a repeated clientMsgId, a refused body) is its own. Each
 * send gets its part of the drain's changes (the first also whatever else moved), so nothing is
 * published twice, and its conversation as the drain left it.
 */
export function createRoutedSends<T extends MayStart>(db: Database) {
  const waiting: Job<T>[] = [];
  let running = false;

  async function runTogether(batch: Job<T>[]): Promise<T[]> {
    return db.transaction(async (tx) => {
      const outcomes: T[] = [];
      for (const job of batch) outcomes.push(await job.send(tx));
      const started = outcomes.filter((outcome) => outcome.createdConversation);
      if (started.length === 0) return outcomes;
      const changes = emptyChanges();
      await drainQueues(tx, db.dialect, changes, started.map((outcome) => outcome.conversation.inbox_id));
      shareChanges(changes, outcomes);
      return outcomes;
    }, 'routing');
  }

  async function run(): Promise<void> {
    running = true;
    while (waiting.length > 0) {
      const batch = waiting.splice(0, MAX_BATCH);
      try {
        const outcomes = await runTogether(batch);
        batch.forEach((job, i) => job.resolve(outcomes[i]!));
      } catch (error) {
        if (batch.length === 1) batch[0]!.reject(error);
        else for (const job of batch) await runTogether([job]).then(([outcome]) => job.resolve(outcome!), (alone) => job.reject(alone));
      }
    }
    running = false;
  }

  return (send: (tx: Executor) => Promise<T>): Promise<T> =>
    new Promise<T>((resolve, reject) => {
      waiting.push({ send, resolve, reject });
      if (!running) void run();
    });
}

/** Each send's part of a drain's changes (splitChanges), and its conversation as the drain left it. */
function shareChanges(changes: DeskChanges, outcomes: MayStart[]): void {
  const ids = outcomes.map((outcome) => outcome.conversation.id);
  splitChanges(changes, ids).forEach((part, i) => {
    const outcome = outcomes[i]!;
    mergeChanges(outcome.changes, part);
    const latest = changes.conversations.get(ids[i]!);
    if (latest) {
      outcome.conversation = latest;
      outcome.changes.conversations.set(latest.id, latest);
    }
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
