import { setImmediate as nextTurn } from 'node:timers/promises';
import { indexInSteps } from '@kefu/store';
import type { AppContext } from './context.js';

const INTERVAL_MS = 2_000;

/**
 * Messages indexed per transaction: about 3 ms of SQLite's time, on the event loop, in turn with the
 * sends' writes, which wait for it (changes 91 and 95); a whole tick's worth at once, 5 000 messages
 * at 3 000 msgs/s, held them for 11 to 17 ms every two seconds; steps of 250 cost a third more CPU
 * (each transaction writes a segment of the index), steps of 1 000 the same as one batch
 * (docs/benchmarks.md, twenty-fifth round).
 */
const STEP = 1_000;

/**
 * SQLite's search index follows the messages a step at a time (indexInSteps), so a send waits for one
 * step at most, and the writes of other kinds take turns between two; every search also catches up
 * first, so this only keeps that catch-up short. PostgreSQL keeps its index on insert: no timer.
 */
export function startSearchIndexer(ctx: Pick<AppContext, 'db' | 'log'>): { stop(): Promise<void> } {
  if (ctx.db.dialect !== 'sqlite') return { stop: async () => undefined };
  let running: Promise<unknown> = Promise.resolve();
  const timer = setInterval(() => {
    running = running.then(() => indexInSteps(ctx.db, STEP, () => nextTurn())).catch((err: unknown) => ctx.log.warn({ err }, 'search indexing failed'));
  }, INTERVAL_MS);
  timer.unref();
  return {
    stop: async () => {
      clearInterval(timer);
      await running;
    },
  };
}
