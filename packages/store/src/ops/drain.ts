import { planDrain, sortQueue } from '@kefu/core';
import type { Executor } from '../database.js';
import { queuedConversations } from '../repos/conversations.js';
import { listInboxRows } from '../repos/inboxes.js';
import { applyAssignment, candidatesOf } from './assignment.js';
import type { DeskChanges } from './changes.js';

/**
 * Assigns queued conversations of `auto` inboxes to eligible agents until nobody has capacity.
 * Runs inside a routing transaction, so loads read here cannot change under it on any node.
 */
export async function drainQueues(tx: Executor, changes: DeskChanges, inboxIds?: Iterable<string>): Promise<void> {
  const wanted = inboxIds ? new Set(inboxIds) : null;
  const inboxes = (await listInboxRows(tx)).filter((i) => i.routing === 'auto' && (!wanted || wanted.has(i.id)));
  for (const inbox of inboxes) {
    const queue = sortQueue(
      (await queuedConversations(tx, inbox.id)).map((row) => ({ ...row, queuedAt: row.queued_at ?? row.created_at })),
    );
    if (queue.length === 0) continue;
    const candidates = await candidatesOf(tx, inbox.id);
    for (const plan of planDrain(queue, candidates)) {
      const conversation = queue.find((row) => row.id === plan.conversationId);
      const agent = candidates.find((c) => c.id === plan.agentId);
      if (!conversation || !agent) continue;
      await applyAssignment(
        tx,
        { conversation, agent, reason: plan.reason, line: `${agent.name} joined the conversation` },
        changes,
      );
    }
  }
}
