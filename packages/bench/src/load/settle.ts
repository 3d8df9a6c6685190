import { cpus } from 'node:os';
import { sleep } from '../progress.js';

export type MachineTimes = { busy: number; total: number };

/** The machine's CPU times so far, all cores and processes together. */
export function machineTimes(): MachineTimes {
  let busy = 0;
  let total = 0;
  for (const { times } of cpus()) {
    const all = times.user + times.nice + times.sys + times.idle + times.irq;
    total += all;
    busy += all - times.idle;
  }
  return { busy, total };
}

/** The share (0 to 1) of the machine's cores busy between two readings. */
export const busyBetween = (before: MachineTimes, after: MachineTimes): number => (after.busy - before.busy) / Math.max(1, after.total - before.total);

/** Below this share of the machine's cores busy, the machine counts as quiet. */
const QUIET = 0.25;
const WINDOW_MS = 250;
const MAX_MS = 5_000;
/** What settle() waits for, as the tables' notes say it. */
export const QUIET_MACHINE = `under ${QUIET * 100} % of its cores busy for ${WINDOW_MS} ms, at most ${MAX_MS / 1000} s`;

/**
 * Waits until the machine is quiet (under a quarter of its cores busy over 250 ms), at most 5 s.
 * Targets take turns on one machine, and what one leaves behind (a node's GC, PostgreSQL's
 * autovacuum and checkpoints, a SQLite checkpoint) would otherwise run in the next target's step:
 * one node's p99 moved by 2–3× with what ran before it. Returns the milliseconds waited.
 */
export async function settle(): Promise<number> {
  const start = Date.now();
  for (;;) {
    const before = machineTimes();
    await sleep(WINDOW_MS);
    if (busyBetween(before, machineTimes()) < QUIET || Date.now() - start >= MAX_MS) return Date.now() - start;
  }
}
