// Shared builders for the unit tests (excluded from the build by tsconfig.build.json).
import type { AgentCandidate } from './routing.js';
import type { QueueEntry } from './queue.js';

export function makeAgent(id: string, overrides: Partial<AgentCandidate> = {}): AgentCandidate {
  return {
    id,
    name: id.charAt(0).toUpperCase() + id.slice(1),
    status: 'online',
    active: true,
    isMember: true,
    capacity: 3,
    load: 0,
    lastAssignedAt: null,
    ...overrides,
  };
}

export function makeEntry(id: string, queuedAt: string, priority = 0): QueueEntry {
  return { id, priority, queuedAt };
}

/** mulberry32: a tiny seeded PRNG so that property-style tests replay exactly. */
export function createRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function randomInt(random: () => number, min: number, max: number): number {
  return min + Math.floor(random() * (max - min + 1));
}
