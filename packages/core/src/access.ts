/**
 * Who may do what: the one authorization policy of kefu, used by socket commands and HTTP routes
 * alike. Pure (core imports no runtime code, not even the protocol's: the widget bundles core): the
 * caller loads the facts (the conversation, the agent's inboxes) and enforces the decision
 * (`enforce` in @kefu/store turns a refusal into the wire's KefuError). Someone else's conversation or inbox is `not_found`, exactly like one that does not
 * exist, so ids cannot be probed; `forbidden` is kept for things the caller can already see.
 */
export type AgentActor = { type: 'agent'; id: string; role: 'agent' | 'admin'; inboxIds: readonly string[] };
export type VisitorActor = { type: 'visitor'; id: string; inboxId: string };
export type Actor = AgentActor | VisitorActor;

/** What the policy needs to know about a conversation. */
export type ConversationFacts = { visitorId: string; inboxId: string; assigneeId: string | null };

export type Decision = { ok: true } | { ok: false; code: 'not_found' | 'forbidden' | 'conflict'; message: string };

const allow: Decision = { ok: true };
const deny = (code: 'not_found' | 'forbidden' | 'conflict', message: string): Decision => ({ ok: false, code, message });

const isAdmin = (actor: Actor): boolean => actor.type === 'agent' && actor.role === 'admin';

/** Visitors see their own conversations; agents those of their inboxes; admins all. */
export function canSeeConversation(actor: Actor, conversation: ConversationFacts): boolean {
  if (actor.type === 'visitor') return conversation.visitorId === actor.id;
  return actor.role === 'admin' || actor.inboxIds.includes(conversation.inboxId);
}

export function conversationAccess(actor: Actor, conversation: ConversationFacts | null | undefined): Decision {
  return conversation && canSeeConversation(actor, conversation) ? allow : deny('not_found', 'no such conversation');
}

/** An inbox named in a command (a list filter): members and admins. */
export function inboxAccess(actor: AgentActor, inboxId: string): Decision {
  return isAdmin(actor) || actor.inboxIds.includes(inboxId) ? allow : deny('not_found', 'no such inbox');
}

/**
 * The inboxes an agent's searches cover: every one for admins, their own for agents (the same
 * rule as canSeeConversation, over a set of inboxes).
 */
export function searchScope(actor: AgentActor, allInboxIds: readonly string[]): string[] {
  return isAdmin(actor) ? [...allInboxIds] : allInboxIds.filter((id) => actor.inboxIds.includes(id));
}

/** Who acts on a conversation they can already see (conversationAccess first): the id and role suffice. */
export type Mover = Pick<AgentActor, 'id' | 'role'>;

/** Status changes (resolve, snooze, reopen) belong to the assignee, or anyone while unassigned; admins may do any. */
export function statusChangeAccess(actor: Mover, conversation: Pick<ConversationFacts, 'assigneeId'>): Decision {
  if (actor.role === 'admin' || conversation.assigneeId === null || conversation.assigneeId === actor.id) return allow;
  return deny('forbidden', 'this conversation belongs to another agent');
}

/**
 * Assignment: admins move anything; an agent moves what is theirs, or claims what is free.
 * `targetId` null: back to the queue. The store checks it again on the locked row.
 */
export function assignmentAccess(actor: Mover, conversation: Pick<ConversationFacts, 'assigneeId'>, targetId: string | null): Decision {
  if (actor.role === 'admin') return allow;
  const ownsIt = conversation.assigneeId === actor.id;
  const claimsFree = targetId === actor.id && conversation.assigneeId === null;
  return ownsIt || claimsFree ? allow : deny('forbidden', 'only its assignee or an admin can move this conversation');
}

/** The admin API and the queue view. */
export function adminAccess(actor: Actor): Decision {
  return isAdmin(actor) ? allow : deny('forbidden', 'admins only');
}

/**
 * Supervision: only admins whisper, and a whisper goes to the agent who holds the conversation, so
 * there must be one other than the admin (a note to oneself is a private note) and it must be live.
 */
export function whisperAccess(actor: Mover, conversation: Pick<ConversationFacts, 'assigneeId'> & { status: string }): Decision {
  if (actor.role !== 'admin') return deny('forbidden', 'only admins can whisper');
  if (conversation.status === 'resolved') return deny('conflict', 'this conversation is resolved');
  if (conversation.assigneeId === null) return deny('conflict', 'nobody holds this conversation; there is no one to whisper to');
  if (conversation.assigneeId === actor.id) return deny('conflict', 'you hold this conversation; add a private note instead');
  return allow;
}
