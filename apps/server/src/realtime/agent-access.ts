import { KefuError } from '@kefu/protocol';
import { findConversation, inboxIdsOfAgent, listInboxRows, type ConversationRow, type Executor } from '@kefu/store';
import type { AgentSocketData } from './namespaces.js';

/** The inboxes an agent may see: all for admins, their memberships for agents. */
export async function visibleInboxIds(db: Executor, agent: AgentSocketData): Promise<string[]> {
  if (agent.role === 'admin') return (await listInboxRows(db)).map((i) => i.id);
  return inboxIdsOfAgent(db, agent.agentId);
}

/** A conversation of an inbox the agent may see; anything else answers not_found. */
export async function visibleConversation(db: Executor, agent: AgentSocketData, id: string): Promise<ConversationRow> {
  const row = await findConversation(db, id);
  if (!row) throw new KefuError('not_found', 'no such conversation');
  if (agent.role !== 'admin' && !(await inboxIdsOfAgent(db, agent.agentId)).includes(row.inbox_id)) {
    throw new KefuError('not_found', 'no such conversation');
  }
  return row;
}

/** Status changes belong to the assignee, or anyone while unassigned; admins may do any. */
export function authorizeStatusChange(agent: AgentSocketData, row: ConversationRow): void {
  if (agent.role === 'admin' || row.assignee_id === null || row.assignee_id === agent.agentId) return;
  throw new KefuError('forbidden', 'this conversation belongs to another agent');
}
