import { chooseAgent, planDrain } from '@kefu/core';
import type { Database, Dialect, Executor } from '../database.js';
import { toVisitorAssignee } from '../repos/agents.js';
import { lockConversations, queueEntriesOf, type ConversationRow } from '../repos/conversations.js';
import { autoInboxesWithQueue } from '../repos/inboxes.js';
import { applyAssignments, candidatesOf } from './assignment.js';
import { emptyChanges, type DeskChanges } from './changes.js';

/**
 * Drains the `auto` inboxes (all, or the given ones) in a routing transaction of its own: after an
 * inbox switches to `auto`, and on every sweep, so that a conversation whose routing failed once is
 * not left queued while agents are free.
 */
export function drainAutoInboxes(db: Database, inboxIds?: string[]): Promise<DeskChanges> {
  return db.transaction(async (tx) => {
    const changes = emptyChanges();
    await drainQueues(tx, db.dialect, changes, inboxIds);
    return changes;
  }, 'routing');
}

/**
 * Assigns queued conversations of `auto` inboxes to eligible agents until nobody has capacity.
 * Runs inside a routing transaction, so loads read here cannot change under it on any node.
 * `written`: conversations the transaction wrote itself (a send's new one), which no other can see
 * yet: taken as they are, without a lock's round trip under the routing lock.
 */
export async function drainQueues(tx: Executor, dialect: Dialect, changes: DeskChanges, inboxIds?: Iterable<string>, written: readonly ConversationRow[] = []): Promise<void> {
  // Given inboxes are not looked up: a manual one has no candidates (candidatesOf), one round trip
  // fewer under the lock. Without them (the sweeper, every few seconds on every node): only the `auto`
  // inboxes where someone waits, in one read; each of the others cost a candidates query under the lock.
  const ids = inboxIds ? [...new Set(inboxIds)] : await autoInboxesWithQueue(tx);
  for (const inboxId of ids) {
    // Nobody to take one: the queue is not read at all. With every agent full, a new conversation
    // joining a long queue used to read the whole queue (its cost grew with the queue's length).
    const { candidates, rows } = await candidatesOf(tx, inboxId);
    if (chooseAgent(candidates).agentId === null) continue;
    const plans = planDrain(await queueEntriesOf(tx, inboxId), candidates);
    // Locked before they are written: a visitor's message may have moved their seqs since the queue was read.
    const locked = await lockPlanned(tx, dialect, plans.map((plan) => plan.conversationId), written);
    const decisions = plans.flatMap((plan) => {
      const conversation = locked.get(plan.conversationId);
      const agent = candidates.find((c) => c.id === plan.agentId);
      if (!conversation || conversation.status !== 'queued' || !agent) return [];
      return [{ conversation, agent, reason: plan.reason, line: `${agent.name} joined the conversation`, locked: true }];
    });
    for (const { agent } of decisions) changes.assignees.set(agent.id, toVisitorAssignee(rows.get(agent.id)!));
    await applyAssignments(tx, dialect, decisions, changes);
  }
}

/** The planned conversations, locked; those the transaction wrote itself need no lock and are as it wrote them. */
async function lockPlanned(tx: Executor, dialect: Dialect, ids: string[], written: readonly ConversationRow[]): Promise<Map<string, ConversationRow>> {
  const own = new Map(written.filter((row) => ids.includes(row.id)).map((row) => [row.id, row]));
  const locked = await lockConversations(tx, dialect, ids.filter((id) => !own.has(id)));
  own.forEach((row, id) => locked.set(id, row));
  return locked;
}
