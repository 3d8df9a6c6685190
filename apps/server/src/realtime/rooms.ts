/**
 * Every room name and audience of kefu, in one place. Room names are built here from ids the server
 * trusts and never come from clients.
 */
export const rooms = {
  /** /agent: every socket of one agent. */
  agent: (agentId: string) => `agent:${agentId}`,
  /** /agent: the sockets of one login session, so logout can disconnect exactly them. */
  session: (sessionId: string) => `session:${sessionId}`,
  /** /agent: members of an inbox; they get every conversation and message event of it. */
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

/** Agents who may see an inbox's conversations: its members and every admin. */
export const inboxAudience = (inboxId: string): string[] => [rooms.inbox(inboxId), rooms.admins];
