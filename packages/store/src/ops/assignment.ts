import { transition, type AgentCandidate, type AssignmentReason } from '@kefu/core';
import { KefuError } from '@kefu/protocol';
import type { Dialect, Executor } from '../database.js';
import { effectiveStatusOf, loadOfAgentRow, type AgentRow } from '../repos/agents.js';
import { assignmentRowsOf } from '../repos/assignments.js';
import type { ConversationRow } from '../repos/conversations.js';
import { secondsSince, toBool } from '../util.js';
import { appendLockedLines, appendMessage, SYSTEM, type AlongsideWrite } from './append-message.js';
import { noteConversation, type DeskChanges } from './changes.js';

/**
 * Every member of the inbox as routing sees them: effective status, load, capacity; none when the
 * inbox does not route automatically. One query, as it runs under the routing lock, which every
 * other routing decision of the cluster waits for. With their rows, by id: the views of what they
 * take need their names.
 */
export async function candidatesOf(tx: Executor, inboxId: string): Promise<{ candidates: AgentCandidate[]; rows: Map<string, AgentRow> }> {
  const rows = await tx
    .selectFrom('agents')
    .innerJoin('inbox_members', 'inbox_members.agent_id', 'agents.id')
    .innerJoin('inboxes', 'inboxes.id', 'inbox_members.inbox_id')
    .where('inboxes.routing', '=', 'auto')
    .selectAll('agents')
    .select((eb) => loadOfAgentRow(eb).as('load'))
    .where('inbox_members.inbox_id', '=', inboxId)
    .orderBy('agents.name')
    .orderBy('agents.id')
    .execute();
  return {
    candidates: rows.map(({ load, ...row }) => toCandidate(row, Number(load ?? 0), true)),
    rows: new Map(rows.map((row) => [row.id, row])),
  };
}

export function toCandidate(row: AgentRow, load: number, isMember: boolean): AgentCandidate {
  return {
    id: row.id,
    name: row.name,
    status: effectiveStatusOf(row),
    active: toBool(row.active),
    isMember,
    capacity: row.capacity,
    load,
    lastAssignedAt: row.last_assigned_at,
  };
}

export type AssignmentChange = {
  conversation: ConversationRow;
  agent: { id: string; name: string } | null;
  reason: AssignmentReason;
  /** The queue key of a requeued conversation (offline requeue puts it at the front); default now. */
  queueKey?: string;
  /** The system line the visitor and agents see; null for none. */
  line: string | null;
  /**
   * `conversation` was read under its row lock in this transaction (FOR UPDATE on PostgreSQL), so its
   * seqs are current: its line is written with the other locked ones (appendLockedLines), one
   * statement for a whole drain on PostgreSQL.
   */
  locked?: boolean;
};

/**
 * Gives conversations to agents (or back to the queue when agent is null) inside a routing
 * transaction: status per the core machine, the recorded reason, the agent's round-robin mark, and a
 * system line in each conversation. A drain passes all its decisions at once: the reasons, the marks
 * and the lines of the locked conversations are written together (on PostgreSQL in one statement),
 * not one by one, while the routing lock is held.
 */
export async function applyAssignments(tx: Executor, dialect: Dialect, list: AssignmentChange[], changes: DeskChanges): Promise<ConversationRow[]> {
  const now = new Date().toISOString();
  // Every transition is checked before anything is written.
  const planned = list.map((change) => ({ change, set: assignmentSet(change, now) }));
  const records = assignmentRowsOf(
    planned.map(({ change: { conversation: before, agent, reason } }) => ({
      conversationId: before.id,
      inboxId: before.inbox_id,
      agentId: agent?.id ?? null,
      reason,
      waitSec: before.status === 'queued' && before.queued_at && agent ? secondsSince(before.queued_at, Date.parse(now)) : null,
    })),
    now,
  );
  const agentIds = [...new Set(list.flatMap((c) => (c.agent ? [c.agent.id] : [])))];
  const writes: AlongsideWrite[] = records.length > 0 ? [(db) => db.insertInto('assignments').values(records)] : [];
  if (agentIds.length > 0) writes.push((db) => db.updateTable('agents').set({ last_assigned_at: now }).where('id', 'in', agentIds));
  const together = planned.filter(({ change }) => change.line && change.locked);
  const written = await appendLockedLines(
    tx,
    dialect,
    together.map(({ change, set }) => ({ locked: change.conversation, body: change.line!, set })),
    writes,
  );
  changes.messages.push(...written.messages);
  const results: ConversationRow[] = [];
  for (const { change, set } of planned) {
    const after =
      written.conversations.get(change.conversation.id) ??
      (change.line
        ? await appendLine(tx, change.conversation.id, change.line, set, changes)
        : await tx.updateTable('conversations').set({ ...set, updated_at: now }).where('id', '=', change.conversation.id).returningAll().executeTakeFirstOrThrow());
    noteConversation(changes, after, change.conversation);
    results.push(after);
  }
  return results;
}

export async function applyAssignment(tx: Executor, dialect: Dialect, change: AssignmentChange, changes: DeskChanges): Promise<ConversationRow> {
  const [after] = await applyAssignments(tx, dialect, [change], changes);
  return after!;
}

/** The conversation columns an assignment sets; refuses what the status machine refuses. */
function assignmentSet({ conversation: before, agent, queueKey }: AssignmentChange, now: string): Partial<ConversationRow> {
  const next = transition({ status: before.status, assigneeId: before.assignee_id }, agent ? 'assign' : 'requeue');
  if (!next.ok) throw new KefuError('conflict', next.reason);
  const queued = next.status === 'queued';
  return { status: next.status, assignee_id: agent?.id ?? null, queued_at: queued ? now : null, queue_key: queued ? (queueKey ?? now) : null };
}

export async function appendLine(
  tx: Executor,
  conversationId: string,
  body: string,
  set: Partial<ConversationRow>,
  changes: DeskChanges,
): Promise<ConversationRow> {
  const { message, conversation } = await appendMessage(tx, conversationId, { kind: 'event', body, author: SYSTEM }, set);
  changes.messages.push(message);
  return conversation;
}

/** A reason for a human decision (claim, transfer, reply, requeue): no candidate ranking involved. */
export function manualReason(rule: AssignmentReason['rule'], chosen: { id: string; name: string } | null, summary: string): AssignmentReason {
  return { rule, chosenId: chosen?.id ?? null, candidates: [], summary };
}
