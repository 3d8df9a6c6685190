import type { ConversationStatus, ConversationView } from '@kefu/protocol';

/**
 * Which list of the dashboard a conversation belongs in; the store's `conversation:list` query
 * selects the same. Resolved ones are only in "resolved"; the others are in "all", and in "mine" or
 * "unassigned" by their assignee.
 */
export function isInView(conversation: { status: ConversationStatus; assigneeId: string | null }, view: ConversationView, agentId: string): boolean {
  if (view === 'resolved') return conversation.status === 'resolved';
  if (conversation.status === 'resolved') return false;
  if (view === 'mine') return conversation.assigneeId === agentId;
  if (view === 'unassigned') return conversation.assigneeId === null;
  return true;
}
