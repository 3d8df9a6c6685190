import type { AssignmentReason } from '@kefu/core';
import type { Executor } from '../database.js';
import { newId, nowIso } from '../util.js';

export type AssignmentRecord = {
  id: string;
  conversationId: string;
  agentId: string | null;
  rule: string;
  reason: AssignmentReason;
  waitSec: number | null;
  createdAt: string;
};

export type NewAssignment = { conversationId: string; inboxId: string; agentId: string | null; reason: AssignmentReason; waitSec: number | null };

/** The rows that record routing decisions (written with the decisions' lines: applyAssignments). */
export const assignmentRowsOf = (assignments: NewAssignment[], createdAt = nowIso()) =>
  assignments.map((a) => ({
    id: newId(),
    conversation_id: a.conversationId,
    inbox_id: a.inboxId,
    agent_id: a.agentId,
    rule: a.reason.rule,
    reason: JSON.stringify(a.reason),
    wait_sec: a.waitSec,
    created_at: createdAt,
  }));

export async function assignmentsOf(db: Executor, conversationId: string): Promise<AssignmentRecord[]> {
  const rows = await db
    .selectFrom('assignments')
    .selectAll()
    .where('conversation_id', '=', conversationId)
    .orderBy('created_at')
    .execute();
  return rows.map((r) => ({
    id: r.id,
    conversationId: r.conversation_id,
    agentId: r.agent_id,
    rule: r.rule,
    reason: JSON.parse(r.reason) as AssignmentReason,
    waitSec: r.wait_sec,
    createdAt: r.created_at,
  }));
}

/** Real waits (queued → assigned) of the inbox's latest assignments, the basis of wait estimates. */
export async function recentWaits(db: Executor, inboxId: string, count = 20): Promise<number[]> {
  const rows = await db
    .selectFrom('assignments')
    .select('wait_sec')
    .where('inbox_id', '=', inboxId)
    .where('wait_sec', 'is not', null)
    .orderBy('created_at', 'desc')
    .limit(count)
    .execute();
  return rows.map((r) => r.wait_sec ?? 0);
}
