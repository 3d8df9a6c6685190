import { transition, type AgentCandidate, type AssignmentReason, type StatusAction } from '@kefu/core';
import { KefuError } from '@kefu/protocol';
import type { Executor } from '../database.js';
import { effectiveStatusOf, listAgentRows, loadsOf, type AgentRow } from '../repos/agents.js';
import { recordAssignment } from '../repos/assignments.js';
import type { ConversationRow } from '../repos/conversations.js';
import { memberIdsOf } from '../repos/inboxes.js';
import { secondsSince, toBool } from '../util.js';
import { appendMessage } from './append-message.js';
import { noteConversation, type DeskChanges } from './changes.js';

/** Every member of the inbox as routing sees them: effective status, load, capacity. */
export async function candidatesOf(tx: Executor, inboxId: string): Promise<AgentCandidate[]> {
  const rows = await listAgentRows(tx, await memberIdsOf(tx, inboxId));
  const loads = await loadsOf(tx, rows.map((r) => r.id));
  return rows.map((row) => toCandidate(row, loads.get(row.id) ?? 0, true));
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
};

/**
 * Gives a conversation to an agent (or back to the queue when agent is null) inside a routing
 * transaction: status per the core machine, the recorded reason, the agent's round-robin mark,
 * and a system line in the conversation.
 */
export async function applyAssignment(tx: Executor, change: AssignmentChange, changes: DeskChanges): Promise<ConversationRow> {
  const { conversation: before, agent, reason } = change;
  const action: StatusAction = agent ? 'assign' : 'requeue';
  const next = transition({ status: before.status, assigneeId: before.assignee_id }, action);
  if (!next.ok) throw new KefuError('conflict', next.reason);
  const now = new Date().toISOString();
  const queued = next.status === 'queued';
  const set: Partial<ConversationRow> = {
    status: next.status,
    assignee_id: agent?.id ?? null,
    queued_at: queued ? now : null,
    queue_key: queued ? (change.queueKey ?? now) : null,
  };
  const waitSec = before.status === 'queued' && before.queued_at && agent ? secondsSince(before.queued_at, Date.parse(now)) : null;
  await recordAssignment(tx, { conversationId: before.id, inboxId: before.inbox_id, agentId: agent?.id ?? null, reason, waitSec });
  if (agent) await tx.updateTable('agents').set({ last_assigned_at: now }).where('id', '=', agent.id).execute();
  const after = change.line
    ? await appendLine(tx, before.id, change.line, set, changes)
    : await tx.updateTable('conversations').set({ ...set, updated_at: now }).where('id', '=', before.id).returningAll().executeTakeFirstOrThrow();
  noteConversation(changes, after, before);
  return after;
}

export async function appendLine(
  tx: Executor,
  conversationId: string,
  body: string,
  set: Partial<ConversationRow>,
  changes: DeskChanges,
): Promise<ConversationRow> {
  const { message, conversation } = await appendMessage(
    tx,
    conversationId,
    { kind: 'event', body, author: { type: 'system', id: null, name: null } },
    set,
  );
  changes.messages.push(message);
  return conversation;
}

/** A reason for a human decision (claim, transfer, reply, requeue): no candidate ranking involved. */
export function manualReason(rule: AssignmentReason['rule'], chosen: { id: string; name: string } | null, summary: string): AssignmentReason {
  return { rule, chosenId: chosen?.id ?? null, candidates: [], summary };
}
