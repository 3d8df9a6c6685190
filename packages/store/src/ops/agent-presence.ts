import { frontOfQueueTime, selectOfflineRequeue, sortQueue } from '@kefu/core';
import type { Database, Dialect, Executor } from '../database.js';
import { findAgent, setAgentPresence, type AgentRow } from '../repos/agents.js';
import { toBool } from '../util.js';
import { queueEntryOf, queuedConversations } from '../repos/conversations.js';
import { inboxIdsOfAgent, listInboxRows } from '../repos/inboxes.js';
import { applyAssignment, manualReason } from './assignment.js';
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
    await drainQueues(tx, db.dialect, changes, await inboxIdsOfAgent(tx, agentId));
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
    const expired = await isExpired(connected.map((a) => a.id));
    for (const agentId of expired) await takeOffline(tx, db.dialect, agentId, changes);
    if (expired.size > 0) await drainQueues(tx, db.dialect, changes);
    return changes;
  }, 'routing');
}

async function takeOffline(tx: Executor, dialect: Dialect, agentId: string, changes: DeskChanges): Promise<void> {
  const agent = await findAgent(tx, agentId);
  if (!agent) return;
  await setAgentPresence(tx, agentId, { connected: false });
  notePresence(changes, agentId);
  const routingOf = new Map((await listInboxRows(tx)).map((i) => [i.id, i.routing]));
  const open = await tx.selectFrom('conversations').selectAll().where('assignee_id', '=', agentId).where('status', '=', 'open').execute();
  const requeue = new Set(
    selectOfflineRequeue(open.map((c) => ({ id: c.id, status: c.status, routing: routingOf.get(c.inbox_id) ?? 'manual' }))),
  );
  // Oldest first, each placed ahead of the current queue: they were waiting on someone already.
  for (const conversation of sortQueue(open.map((c) => ({ ...c, queuedAt: c.created_at }))).reverse()) {
    if (!requeue.has(conversation.id)) continue;
    const queue = (await queuedConversations(tx, conversation.inbox_id)).map(queueEntryOf);
    const reason = manualReason('offline_requeue', null, `${agent.name} went offline`);
    const line = `${agent.name} went offline; the conversation is back in the queue`;
    await applyAssignment(tx, dialect, { conversation, agent: null, reason, line, queueKey: frontOfQueueTime(queue, new Date().toISOString()) }, changes);
  }
}
