import { chooseAgent } from './routing.js';
import type { AgentCandidate, AssignmentReason } from './routing.js';
import { compareIds, parseTime } from './time.js';

export type QueueEntry = { id: string; priority: number; queuedAt: string };
export type PlannedAssignment = { conversationId: string; agentId: string; reason: AssignmentReason };

/** An entry with its queuedAt parsed once; an unparsable one waits behind every real one rather than jumping the queue. */
type Placed<T extends QueueEntry> = { entry: T; at: number };
const placed = <T extends QueueEntry>(entry: T): Placed<T> => ({ entry, at: parseTime(entry.queuedAt) ?? Infinity });

function comparePlaced(a: Placed<QueueEntry>, b: Placed<QueueEntry>): number {
  return b.entry.priority - a.entry.priority || (a.at === b.at ? 0 : a.at < b.at ? -1 : 1) || compareIds(a.entry.id, b.entry.id);
}

/** Queue order: higher priority first, then longest waiting, then id for determinism. */
export function compareQueueEntries(a: QueueEntry, b: QueueEntry): number {
  return comparePlaced(placed(a), placed(b));
}

export function sortQueue<T extends QueueEntry>(entries: T[]): T[] {
  // Each time parsed once rather than at every comparison: a queue of a thousand sorts in a fraction of a millisecond.
  return entries.map(placed).sort(comparePlaced).map((p) => p.entry);
}

/** 1-based positions in queue order, as shown to waiting visitors. */
export function queuePositions(entries: QueueEntry[]): Map<string, number> {
  return new Map(sortQueue(entries).map((e, i) => [e.id, i + 1]));
}

/**
 * The queuedAt that puts a conversation ahead of everything already waiting, so that the
 * conversations of an agent who went offline are not punished for it.
 */
export function frontOfQueueTime(queue: QueueEntry[], now: string): string {
  // reduce rather than Math.min(...): a long queue must not overflow the argument list.
  const earliest = queue.reduce((min, e) => Math.min(min, parseTime(e.queuedAt) ?? Infinity), Infinity);
  return earliest === Infinity ? now : new Date(earliest - 1).toISOString();
}

/**
 * Queue keys that put several conversations ahead of everything already waiting, 1 ms apart, in the
 * order given: the first gets the earliest key. One pass over the queue for all of them (an agent's
 * whole shift going offline at once), the same keys as placing them one by one, last first.
 */
export function frontOfQueueTimes(queue: QueueEntry[], count: number, now: string): string[] {
  const front = Date.parse(frontOfQueueTime(queue, now));
  return Array.from({ length: count }, (_, i) => new Date(front - (count - 1 - i)).toISOString());
}

// Planned assignments must rank after every real one, so the marker starts past the latest
// known time (and `now` when given) and grows by 1 ms per planned assignment.
function latestKnownTime(candidates: AgentCandidate[], now: string | undefined): number {
  const start = parseTime(now ?? null) ?? 0;
  return candidates.reduce((max, c) => Math.max(max, parseTime(c.lastAssignedAt) ?? 0), start);
}

function recordAssignment(pool: AgentCandidate[], agentId: string, at: number): AgentCandidate[] {
  const lastAssignedAt = new Date(at).toISOString();
  return pool.map((c) => (c.id === agentId ? { ...c, load: c.load + 1, lastAssignedAt } : c));
}

/**
 * Assignments that drain the queue in order while anyone has free capacity. Loads and
 * last-assignment times are updated as it goes, so capacity holds and round-robin continues.
 * `now` (optional) only makes the planned lastAssignedAt markers realistic.
 */
export function planDrain(queue: QueueEntry[], candidates: AgentCandidate[], now?: string): PlannedAssignment[] {
  const planned: PlannedAssignment[] = [];
  const seen = new Set<string>();
  let pool = candidates;
  let marker = latestKnownTime(candidates, now);
  for (const entry of sortQueue(queue)) {
    if (seen.has(entry.id)) continue;
    const { agentId, reason } = chooseAgent(pool);
    if (agentId === null) break;
    seen.add(entry.id);
    marker += 1;
    pool = recordAssignment(pool, agentId, marker);
    planned.push({ conversationId: entry.id, agentId, reason });
  }
  return planned;
}
