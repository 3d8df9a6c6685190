import type { QueueInfo, VisitorConversation } from '@kefu/protocol';
import {
  findAgent,
  onlineMemberCount,
  queueInfoOf,
  toVisitorConversation,
  type ConversationRow,
  type Executor,
} from '@kefu/store';

/** The visitor's view of a conversation: who answers, and while queued, position and wait. */
export async function visitorConversationView(
  db: Executor,
  row: ConversationRow,
  queueInfo?: Map<string, QueueInfo>,
): Promise<VisitorConversation> {
  const agent = row.assignee_id ? await findAgent(db, row.assignee_id) : undefined;
  const assignee = agent ? { name: agent.name, ...(agent.avatar_url ? { avatarUrl: agent.avatar_url } : {}) } : null;
  const queue = row.status === 'queued' ? ((queueInfo ?? (await queueInfoOf(db, row.inbox_id))).get(row.id) ?? null) : null;
  return toVisitorConversation(row, assignee, queue);
}

/** An inbox is online for visitors while one of its active members is online. */
export const isInboxOnline = async (db: Executor, inboxId: string): Promise<boolean> => (await onlineMemberCount(db, inboxId)) > 0;
