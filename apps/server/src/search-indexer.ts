import { indexNewMessages } from '@kefu/store';
import type { AppContext } from './context.js';

const INTERVAL_MS = 2_000;

/**
 * SQLite's search index follows the messages a batch at a time (indexNewMessages), so sending never
 * waits for it; every search also catches up first, so this only keeps that catch-up short.
 * PostgreSQL keeps its index on insert: no timer.
 */
export function startSearchIndexer(ctx: Pick<AppContext, 'db' | 'log'>): { stop(): Promise<void> } {
  if (ctx.db.dialect !== 'sqlite') return { stop: async () => undefined };
  let running: Promise<unknown> = Promise.resolve();
  const timer = setInterval(() => {
    running = running.then(() => indexNewMessages(ctx.db)).catch((err: unknown) => ctx.log.warn({ err }, 'search indexing failed'));
  }, INTERVAL_MS);
  timer.unref();
  return {
    stop: async () => {
      clearInterval(timer);
      await running;
    },
  };
}
