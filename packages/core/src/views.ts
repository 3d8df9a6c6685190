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

// Every status once, the type keeping the list complete. (Not the protocol's schema: core is in the
// widget's bundle, and the schema would bring zod with it.)
const everyStatus: Record<ConversationStatus, true> = { queued: true, open: true, snoozed: true, resolved: true };

/** The statuses `view` shows, as a list a query can look up in an index (a `!=` would read every resolved one too). */
export function statusesIn(view: ConversationView): ConversationStatus[] {
  return (Object.keys(everyStatus) as ConversationStatus[]).filter((status) => (status === 'resolved') === (view === 'resolved'));
}
