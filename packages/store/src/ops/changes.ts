import { compareQueueEntries, type QueueEntry } from '@kefu/core';
import type { VisitorConversation } from '@kefu/protocol';
import { queueEntryOf, type ConversationRow } from '../repos/conversations.js';
import type { MessageRow } from '../repos/messages.js';

/**
 * What one store operation changed, so the server can tell every audience: conversations in their
 * latest state, the messages it created (system lines included), agents whose profile or load moved
 * (and, of those, whose presence may have moved), and inboxes whose queue moved.
 */
export type DeskChanges = {
  conversations: Map<string, ConversationRow>;
  /**
   * Conversations that changed beyond their message summary (new, status, assignee, queue, snooze):
   * every agent of the inbox gets those in full; the others only moved their last message and unread.
   */
  moved: Set<string>;
  messages: MessageRow[];
  agentIds: Set<string>;
  /** Agents whose status may have changed: their inboxes' visitors learn whether someone is online. */
  presenceAgentIds: Set<string>;
  /** Inboxes whose queue moved, and from where: whose places or estimates may have changed. */
  queues: Map<string, QueueMove>;
  /**
   * Agents as visitors see them, by id, where the operation read their rows anyway (a drain reads
   * every candidate's): the visitor's view of a conversation they took needs no read of its own.
   */
  assignees: Map<string, NonNullable<VisitorConversation['assignee']>>;
};

/**
 * Where a queue moved from. A conversation that joined it moved the places behind it only; one that
 * left it or moved within it may have moved every place, and an assignment every estimate (the
 * recent waits): `whole`.
 */
export type QueueMove = QueueEntry | 'whole';

/** Two moves of one queue as one: the queue moved from the earlier of the two. */
export function mergeQueueMoves(a: QueueMove, b: QueueMove): QueueMove {
  if (a === 'whole' || b === 'whole') return 'whole';
  return compareQueueEntries(a, b) <= 0 ? a : b;
}

function noteQueueMove(changes: DeskChanges, inboxId: string, move: QueueMove): void {
  const earlier = changes.queues.get(inboxId);
  changes.queues.set(inboxId, earlier === undefined ? move : mergeQueueMoves(earlier, move));
}

export const emptyChanges = (): DeskChanges => ({
  conversations: new Map(),
  moved: new Set(),
  messages: [],
  agentIds: new Set(),
  presenceAgentIds: new Set(),
  queues: new Map(),
  assignees: new Map(),
});

export function noteConversation(changes: DeskChanges, row: ConversationRow, previous?: ConversationRow): void {
  changes.conversations.set(row.id, row);
  const summaryOnly =
    previous !== undefined &&
    previous.status === row.status &&
    previous.assignee_id === row.assignee_id &&
    previous.inbox_id === row.inbox_id &&
    previous.queued_at === row.queued_at &&
    previous.queue_key === row.queue_key &&
    previous.priority === row.priority &&
    previous.snooze_until === row.snooze_until;
  if (!summaryOnly) changes.moved.add(row.id);
  const isQueued = row.status === 'queued';
  const wasQueued = previous?.status === 'queued';
  const movedWithin = isQueued && wasQueued && (previous.queue_key !== row.queue_key || previous.queued_at !== row.queued_at || previous.priority !== row.priority);
  if (isQueued && !wasQueued) noteQueueMove(changes, row.inbox_id, queueEntryOf(row));
  else if (wasQueued !== isQueued || movedWithin) noteQueueMove(changes, row.inbox_id, 'whole');
  // Only a move of the assignee or the status changes an agent's load; a plain message changes neither.
  const loadMoved = !previous || previous.assignee_id !== row.assignee_id || previous.status !== row.status;
  if (loadMoved) for (const agentId of [previous?.assignee_id, row.assignee_id]) if (agentId) changes.agentIds.add(agentId);
}

/** An agent's status (online, away, offline) may have changed. */
export function notePresence(changes: DeskChanges, agentId: string): void {
  changes.agentIds.add(agentId);
  changes.presenceAgentIds.add(agentId);
}

export function mergeChanges(into: DeskChanges, from: DeskChanges): DeskChanges {
  for (const [id, row] of from.conversations) into.conversations.set(id, row);
  for (const id of from.moved) into.moved.add(id);
  into.messages.push(...from.messages);
  for (const id of from.agentIds) into.agentIds.add(id);
  for (const id of from.presenceAgentIds) into.presenceAgentIds.add(id);
  for (const [inboxId, move] of from.queues) noteQueueMove(into, inboxId, move);
  for (const [id, assignee] of from.assignees) into.assignees.set(id, assignee);
  return into;
}
