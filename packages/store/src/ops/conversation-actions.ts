import { assignmentAccess, transition } from '@kefu/core';
import { KefuError } from '@kefu/protocol';
import type { Database, Executor } from '../database.js';
import { findAgent } from '../repos/agents.js';
import { lockConversation, updateConversationRow, type ConversationRow } from '../repos/conversations.js';
import { autoInboxesWithQueue, memberIdsOf } from '../repos/inboxes.js';
import { enforce, toBool } from '../util.js';
import { appendLine, applyAssignment, manualReason } from './assignment.js';
import { emptyChanges, mergeChanges, noteConversation, type DeskChanges } from './changes.js';
import { drainQueues } from './drain.js';

export type Actor = { id: string; name: string; role: 'agent' | 'admin' };
export type ActionOutcome = { conversation: ConversationRow; changes: DeskChanges };

async function lockedConversation(db: Database, tx: Executor, id: string): Promise<ConversationRow> {
  const row = await lockConversation(tx, db.dialect, id);
  if (!row) throw new KefuError('not_found', 'no such conversation');
  return row;
}

/** Capacity freed by a conversation may serve any inbox of its former assignee where someone waits, not just its own. */
async function inboxesFreedBy(tx: Executor, before: ConversationRow): Promise<string[]> {
  return [before.inbox_id, ...(before.assignee_id ? await autoInboxesWithQueue(tx, { memberId: before.assignee_id }) : [])];
}

/** Claim (agentId = actor), transfer (another agent), or return to the queue (null). */
export function assignConversation(db: Database, actor: Actor, conversationId: string, agentId: string | null): Promise<ActionOutcome> {
  return db.transaction(async (tx) => {
    const changes = emptyChanges();
    const before = await lockedConversation(db, tx, conversationId);
    if (before.status === 'resolved') throw new KefuError('conflict', 'this conversation is resolved; reopen it first');
    if (before.assignee_id === agentId) return { conversation: before, changes };
    enforce(assignmentAccess(actor, { assigneeId: before.assignee_id }, agentId));
    const target = agentId ? await eligibleTarget(tx, before.inbox_id, agentId) : null;
    const reason = target
      ? manualReason(ruleOf(actor, agentId), target, describe(actor, target.name))
      : manualReason('requeue', null, `${actor.name} returned it to the queue`);
    const line = target ? (agentId === actor.id ? `${target.name} joined the conversation` : `Transferred to ${target.name}`) : 'Returned to the queue';
    const after = await applyAssignment(tx, db.dialect, { conversation: before, agent: target, reason, line, locked: true }, changes);
    await drainQueues(tx, db.dialect, changes, await inboxesFreedBy(tx, before));
    return { conversation: changes.conversations.get(after.id) ?? after, changes };
  }, 'routing');
}

async function eligibleTarget(tx: Executor, inboxId: string, agentId: string) {
  const agent = await findAgent(tx, agentId);
  if (!agent) throw new KefuError('not_found', 'no such agent');
  if (!toBool(agent.active)) throw new KefuError('conflict', `${agent.name} is deactivated`);
  if (!(await memberIdsOf(tx, inboxId)).includes(agentId)) {
    throw new KefuError('bad_request', `${agent.name} is not a member of this inbox`);
  }
  return { id: agent.id, name: agent.name };
}

const ruleOf = (actor: Actor, agentId: string | null) =>
  agentId === actor.id ? 'claim' : actor.role === 'admin' ? 'admin_assign' : 'transfer';
const describe = (actor: Actor, targetName: string) =>
  `${actor.name} ${actor.name === targetName ? 'claimed it' : `assigned it to ${targetName}`}`;

/** The system line a status change writes; snoozing and waking write none, since visitors never see snoozes. */
function statusLine(from: ConversationRow['status'], to: ConversationRow['status']): string | null {
  if (to === 'resolved') return 'Conversation resolved';
  if (from === 'resolved') return 'Conversation reopened';
  return null;
}

/** open (wake / reopen), snoozed (optionally until a time) or resolved. */
export function setConversationStatus(
  db: Database,
  conversationId: string,
  status: 'open' | 'snoozed' | 'resolved',
  snoozeUntil?: string,
): Promise<ActionOutcome> {
  return db.transaction(async (tx) => {
    const changes = emptyChanges();
    const before = await lockedConversation(db, tx, conversationId);
    if (before.status === status) return { conversation: before, changes };
    const action = status === 'snoozed' ? 'snooze' : status === 'resolved' ? 'resolve' : 'open';
    const next = transition({ status: before.status, assigneeId: before.assignee_id }, action);
    if (!next.ok) throw new KefuError('conflict', next.reason);
    const now = new Date().toISOString();
    const requeued = next.status === 'queued';
    const set: Partial<ConversationRow> = {
      status: next.status,
      snooze_until: next.status === 'snoozed' ? (snoozeUntil ?? null) : null,
      resolved_at: next.status === 'resolved' ? now : null,
      queued_at: requeued ? now : before.queued_at,
      queue_key: requeued ? now : before.queue_key,
    };
    const line = statusLine(before.status, next.status);
    const after = line ? await appendLine(tx, before.id, line, set, changes) : await updateConversationRow(tx, before.id, set);
    noteConversation(changes, after, before);
    await drainQueues(tx, db.dialect, changes, await inboxesFreedBy(tx, before));
    return { conversation: changes.conversations.get(after.id) ?? after, changes };
  }, 'routing');
}

/** Snoozed conversations whose time has come open again (run by every node's sweeper; idempotent). */
export async function wakeSnoozed(db: Database, now: string): Promise<DeskChanges> {
  const due = await db.db
    .selectFrom('conversations')
    .select('id')
    .where('status', '=', 'snoozed')
    .where('snooze_until', 'is not', null)
    .where('snooze_until', '<=', now)
    .execute();
  const changes = emptyChanges();
  for (const { id } of due) {
    const outcome = await setConversationStatus(db, id, 'open').catch(() => null);
    if (outcome) mergeChanges(changes, outcome.changes);
  }
  return changes;
}
