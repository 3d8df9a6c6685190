import type { ConversationStatus } from '@kefu/protocol';

/** The conversation status machine: queued → open → (snoozed ↔ open) → resolved. */
export type StatusAction =
  | 'assign' // an agent takes it (claim, transfer, auto-route, reply to unassigned)
  | 'requeue' // back to the queue (assign null, or agent went offline)
  | 'snooze'
  | 'open' // agent sets open: wakes a snoozed one; reopens a resolved one
  | 'resolve'
  | 'visitor_message'; // a visitor wrote

export type TransitionInput = { status: ConversationStatus; assigneeId: string | null };
export type Transition = { ok: true; status: ConversationStatus } | { ok: false; reason: string };

type Refusal = { refuse: string };
// A cell is a fixed target, a refusal, or a rule that needs the assignee (reopening).
type Cell = ConversationStatus | Refusal | ((conv: TransitionInput) => ConversationStatus);

const REOPEN_FIRST: Refusal = { refuse: 'conversation is resolved; reopen it first' };

// A visitor writing to a resolved conversation is refused with this reason; callers that start a new
// conversation instead ask startsNewConversation() first.
export const RESOLVED_REASON = 'resolved';

// A reopened conversation goes back to its agent if it still has one, otherwise to the queue.
const reopen = (conv: TransitionInput): ConversationStatus => (conv.assigneeId ? 'open' : 'queued');

const table: Record<StatusAction, Record<ConversationStatus, Cell>> = {
  // A transfer keeps a snoozed conversation snoozed: the new agent inherits the wake-up time.
  assign: { queued: 'open', open: 'open', snoozed: 'snoozed', resolved: REOPEN_FIRST },
  requeue: { queued: 'queued', open: 'queued', snoozed: 'queued', resolved: REOPEN_FIRST },
  snooze: {
    queued: { refuse: 'conversation is queued; claim it first' },
    open: 'snoozed',
    snoozed: 'snoozed',
    resolved: REOPEN_FIRST,
  },
  open: {
    queued: { refuse: 'conversation is queued; claim it instead' },
    open: 'open',
    snoozed: 'open',
    resolved: reopen,
  },
  // Resolving twice is harmless (two agents clicking at once), so it is idempotent.
  resolve: { queued: 'resolved', open: 'resolved', snoozed: 'resolved', resolved: 'resolved' },
  // A visitor writing to a snoozed conversation means it needs attention again.
  visitor_message: {
    queued: 'queued',
    open: 'open',
    snoozed: 'open',
    resolved: { refuse: RESOLVED_REASON },
  },
};

export function transition(conv: TransitionInput, action: StatusAction): Transition {
  const cell = table[action][conv.status];
  if (typeof cell === 'function') return { ok: true, status: cell(conv) };
  if (typeof cell === 'string') return { ok: true, status: cell };
  return { ok: false, reason: cell.refuse };
}

/** A visitor message after these starts a new conversation instead of reviving the old one (a store may ask in SQL). */
export const STARTING_NEW: readonly ConversationStatus[] = ['resolved'];

export function startsNewConversation(status: ConversationStatus): boolean {
  return STARTING_NEW.includes(status);
}

/**
 * The statuses `action` accepts and leaves as they are, whoever the assignee: a store may apply the
 * action to a conversation in one of them without reading it first.
 */
export function statusesKeptBy(action: StatusAction): ConversationStatus[] {
  return (Object.entries(table[action]) as [ConversationStatus, Cell][]).filter(([from, cell]) => cell === from).map(([from]) => from);
}
