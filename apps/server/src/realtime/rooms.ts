/**
 * Every room name and audience of kefu, in one place. Room names are built here from ids the server
 * trusts and never come from clients.
 */
export const rooms = {
  /** /agent: every socket of one agent. */
  agent: (agentId: string) => `agent:${agentId}`,
  /** /agent: the sockets of one login session, so logout can disconnect exactly them. */
  session: (sessionId: string) => `session:${sessionId}`,
  /** /agent: members of an inbox; they get its conversations' list events (created, updated, activity). */
  inbox: (inboxId: string) => `inbox:${inboxId}`,
  /** /agent: admins, who see every inbox. */
  admins: 'admins',
  /** /agent: agents who have a conversation open (typing, live preview, read receipts). */
  conversation: (conversationId: string) => `conv:${conversationId}`,
  /** /visitor: every socket (tab, device) of one visitor. */
  visitor: (visitorId: string) => `visitor:${visitorId}`,
  /** /visitor: every visitor of an inbox, for its online/away presence. */
  inboxVisitors: (inboxId: string) => `inbox-visitors:${inboxId}`,
} as const;

/**
 * Agents who follow a conversation: its assignee and whoever holds it open (admins included). They
 * get its every message; the rest of the inbox gets coalesced `conversation:activity` rows.
 */
export const conversationFollowers = (conversationId: string, assigneeId: string | null): string[] =>
  assigneeId ? [rooms.conversation(conversationId), rooms.agent(assigneeId)] : [rooms.conversation(conversationId)];

/** Agents who may see an inbox's conversations: its members and every admin. */
export const inboxAudience = (inboxId: string): string[] => [rooms.inbox(inboxId), rooms.admins];

/** Collision guard: `conversation:viewers` goes to whoever has the conversation open. */
export const conversationViewers = (conversationId: string): string => rooms.conversation(conversationId);

/** Supervision: a whisper pops up on every socket of the conversation's assignee, whatever they have open. */
export const whisperAudience = (assigneeId: string): string => rooms.agent(assigneeId);
