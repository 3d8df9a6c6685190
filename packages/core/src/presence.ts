import type { ConversationStatus, InboxRouting, PresenceStatus } from '@kefu/protocol';

/**
 * True once an agent has had no live socket for longer than the grace period. The grace
 * lets a page reload or a brief network drop pass without bouncing their conversations.
 */
export function isGraceExpired(lastSeenAt: number | null, now: number, graceMs: number): boolean {
  return lastSeenAt === null || now - lastSeenAt > graceMs;
}

/** What others see: the agent's chosen status while they are (or were just) connected. */
export function effectiveStatus(
  chosen: 'online' | 'away',
  lastSeenAt: number | null,
  now: number,
  graceMs: number,
): PresenceStatus {
  return isGraceExpired(lastSeenAt, now, graceMs) ? 'offline' : chosen;
}

export type RequeueCandidate = { id: string; status: ConversationStatus; routing: InboxRouting };

/**
 * Conversations to put back in the queue when their agent goes offline: only open ones in
 * `auto` inboxes. Snoozed ones wait for their wake-up anyway, and `manual` inboxes keep their
 * assignments because there nobody would route them again.
 */
export function selectOfflineRequeue(conversations: RequeueCandidate[]): string[] {
  return conversations.filter((c) => c.status === 'open' && c.routing === 'auto').map((c) => c.id);
}

/**
 * Conversations to put back in the queue when their agent is taken out of their inbox: every one they
 * hold that is not resolved (open or snoozed), whatever the inbox's routing. They can no longer see or
 * answer them, so keeping them would leave the shopper waiting for someone who cannot come.
 */
export function selectLeavingRequeue(conversations: Omit<RequeueCandidate, 'routing'>[]): string[] {
  return conversations.filter((c) => c.status === 'open' || c.status === 'snoozed').map((c) => c.id);
}
