import { conversationAccess, type Actor, type AgentActor, type ConversationFacts } from '@kefu/core';
import { enforce, findConversation, inboxIdsOfAgent, listInboxRows, type ConversationRow, type Executor } from '@kefu/store';
import type { AgentSocketData, VisitorSocketData } from './realtime/namespaces.js';

/**
 * Loads the facts the authorization policy (packages/core, access.ts) decides on, for socket
 * commands and HTTP routes alike. Memberships are read per command, so a change applies at once.
 */
export async function agentActor(db: Executor, agent: Pick<AgentSocketData, 'agentId' | 'role'>): Promise<AgentActor> {
  const inboxIds = agent.role === 'admin' ? [] : await inboxIdsOfAgent(db, agent.agentId);
  return { type: 'agent', id: agent.agentId, role: agent.role, inboxIds };
}

export const visitorActor = (visitor: Pick<VisitorSocketData, 'visitorId' | 'inboxId'>): Actor => ({ type: 'visitor', id: visitor.visitorId, inboxId: visitor.inboxId });

export const factsOf = (row: ConversationRow): ConversationFacts => ({ visitorId: row.visitor_id, inboxId: row.inbox_id, assigneeId: row.assignee_id });

/** The inboxes an agent may see: all for admins, their memberships for agents. */
export async function visibleInboxIds(db: Executor, agent: Pick<AgentSocketData, 'agentId' | 'role'>): Promise<string[]> {
  if (agent.role === 'admin') return (await listInboxRows(db)).map((i) => i.id);
  return inboxIdsOfAgent(db, agent.agentId);
}

/** The same rule over inboxes already read: all for admins, their memberships for agents. */
export const inboxesSeenBy = <Inbox extends { id: string }>(role: AgentSocketData['role'], memberOf: readonly string[], inboxes: readonly Inbox[]): Inbox[] =>
  role === 'admin' ? [...inboxes] : inboxes.filter((inbox) => memberOf.includes(inbox.id));

/** A conversation the actor may see; anything else answers not_found, like one that does not exist. */
export async function visibleConversation(db: Executor, actor: Actor, id: string): Promise<ConversationRow> {
  const row = await findConversation(db, id);
  enforce(conversationAccess(actor, row && factsOf(row)));
  return row!;
}
