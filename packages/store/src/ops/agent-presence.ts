import { frontOfQueueTimes, selectLeavingRequeue, selectOfflineRequeue, sortQueue, type AssignmentReason } from '@kefu/core';
import type { Database, Dialect, Executor } from '../database.js';
import { findAgent, listAgentRows, setAgentPresence, type AgentRow } from '../repos/agents.js';
import { groupBy, toBool } from '../util.js';
import { queueEntriesOf, type ConversationRow } from '../repos/conversations.js';
import { autoInboxesWithQueue, inboxIdsOfAgent, listInboxRows, setMemberships } from '../repos/inboxes.js';
import { applyAssignments, manualReason, type AssignmentChange } from './assignment.js';
import { emptyChanges, notePresence, type DeskChanges } from './changes.js';
import { drainQueues } from './drain.js';

type Presence = { status?: 'online' | 'away'; connected?: boolean };

/**
 * An agent connected, or chose online/away (or, with `{}`, something else about them changed: their
 * capacity, their inboxes). Routing sees them at once, and their inboxes' queues drain into any
 * capacity that appeared. A repeat is not news: a second tab connecting, or the sweeper marking back an
 * agent whose session has just done so, publishes nothing (visitors got one `inbox:presence`, not two
 * that could cross a later change).
 */
export function updateAgentPresence(db: Database, agentId: string, presence: Presence): Promise<DeskChanges> {
  return db.transaction(async (tx) => {
    const changes = emptyChanges();
    const before = await findAgent(tx, agentId);
    await setAgentPresence(tx, agentId, presence);
    if (!before || movesPresence(before, presence)) notePresence(changes, agentId);
    // Only their inboxes where someone waits: an agent may serve many shops' inboxes.
    await drainQueues(tx, db.dialect, changes, await autoInboxesWithQueue(tx, { memberId: agentId }));
    return changes;
  }, 'routing');
}

function movesPresence(before: AgentRow, presence: Presence): boolean {
  if (presence.status === undefined && presence.connected === undefined) return true;
  return (presence.status !== undefined && presence.status !== before.status) || (presence.connected !== undefined && toBool(before.connected) !== presence.connected);
}

/**
 * Agents marked connected whose grace period ran out (the caller asks the presence registry) become
 * offline; in `auto` inboxes their open conversations go back to the front of the queue.
 * `isExpired` is asked again inside the lock, so an agent who came back meanwhile stays.
 */
export function markAgentsOffline(db: Database, isExpired: (agentIds: string[]) => Promise<Set<string>>): Promise<DeskChanges> {
  return db.transaction(async (tx) => {
    const changes = emptyChanges();
    const connected = await tx.selectFrom('agents').select('id').where('connected', '=', 1).execute();
    const expired = await listAgentRows(tx, [...(await isExpired(connected.map((a) => a.id)))]);
    if (expired.length === 0) return changes;
    await setAgentPresence(tx, expired.map((agent) => agent.id), { connected: false });
    for (const agent of expired) notePresence(changes, agent.id);
    await requeueOpenConversations(tx, db.dialect, expired, changes);
    await drainQueues(tx, db.dialect, changes);
    return changes;
  }, 'routing');
}

/**
 * An agent's inboxes become `inboxIds`. What they hold in the inboxes they leave (open or snoozed:
 * they can no longer see it) goes back to the front of those queues, which drain into other agents
 * where routing is automatic; in manual inboxes it waits there to be claimed. Returns the inboxes
 * left and joined, and what changed.
 */
export function setAgentInboxes(db: Database, agentId: string, inboxIds: string[]): Promise<{ left: string[]; joined: string[]; changes: DeskChanges }> {
  return db.transaction(async (tx) => {
    const changes = emptyChanges();
    const before = await inboxIdsOfAgent(tx, agentId);
    await setMemberships(tx, agentId, inboxIds);
    const left = before.filter((id) => !inboxIds.includes(id));
    const joined = [...new Set(inboxIds)].filter((id) => !before.includes(id));
    const agent = left.length > 0 ? await findAgent(tx, agentId) : undefined;
    if (agent) {
      // In id order, like every other lock of several conversations (lockConversations).
      const query = tx.selectFrom('conversations').selectAll().where('assignee_id', '=', agentId).where('inbox_id', 'in', left).where('status', '!=', 'resolved').orderBy('id');
      const held = await (db.dialect === 'postgres' ? query.forUpdate() : query).execute();
      const back = new Set(selectLeavingRequeue(held));
      const reason = manualReason('requeue', null, `${agent.name} left the inbox`);
      const line = `${agent.name} is no longer available here; the conversation is back in the queue`;
      await requeueToFront(tx, db.dialect, held.filter((c) => back.has(c.id)).map((conversation) => ({ conversation, reason, line })), changes);
      await drainQueues(tx, db.dialect, changes, left);
    }
    return { left, joined, changes };
  }, 'routing');
}

/** The open conversations of agents gone offline, in `auto` inboxes, back to the front of their queues. */
async function requeueOpenConversations(tx: Executor, dialect: Dialect, agents: AgentRow[], changes: DeskChanges): Promise<void> {
  const names = new Map(agents.map((agent) => [agent.id, agent.name]));
  const routingOf = new Map((await listInboxRows(tx)).map((i) => [i.id, i.routing]));
  // In id order, like every other lock of several conversations (lockConversations).
  const query = tx.selectFrom('conversations').selectAll().where('assignee_id', 'in', [...names.keys()]).where('status', '=', 'open').orderBy('id');
  const open = await (dialect === 'postgres' ? query.forUpdate() : query).execute();
  const requeue = new Set(selectOfflineRequeue(open.map((c) => ({ id: c.id, status: c.status, routing: routingOf.get(c.inbox_id) ?? 'manual' }))));
  const requeues = open
    .filter((c) => requeue.has(c.id))
    .map((conversation) => {
      const name = names.get(conversation.assignee_id!)!;
      return { conversation, reason: manualReason('offline_requeue', null, `${name} went offline`), line: `${name} went offline; the conversation is back in the queue` };
    });
  await requeueToFront(tx, dialect, requeues, changes);
}

type Requeue = { conversation: ConversationRow; reason: AssignmentReason; line: string };

/**
 * Conversations locked by the caller back to the front of their queues, the longest-open first: each
 * queue read once, and written together (one statement on PostgreSQL, see applyAssignments). One by
 * one, with the queue read again for each, a shift going offline at once (50 agents, 400
 * conversations) held the routing lock for seconds.
 */
async function requeueToFront(tx: Executor, dialect: Dialect, requeues: Requeue[], changes: DeskChanges): Promise<void> {
  const now = new Date().toISOString();
  const decisions: AssignmentChange[] = [];
  for (const [inboxId, group] of groupBy(requeues, (r) => r.conversation.inbox_id)) {
    const ordered = sortQueue(group.map((r) => ({ id: r.conversation.id, priority: r.conversation.priority, queuedAt: r.conversation.created_at, r })));
    const keys = frontOfQueueTimes(await queueEntriesOf(tx, inboxId), ordered.length, now);
    ordered.forEach(({ r: { conversation, reason, line } }, i) => decisions.push({ conversation, agent: null, reason, line, queueKey: keys[i]!, locked: true }));
  }
  // Chunks keep each statement's parameters (about 20 per conversation) far below PostgreSQL's 65 535.
  for (let i = 0; i < decisions.length; i += REQUEUE_CHUNK) await applyAssignments(tx, dialect, decisions.slice(i, i + REQUEUE_CHUNK), changes);
}

const REQUEUE_CHUNK = 500;
