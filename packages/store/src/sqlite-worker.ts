import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';

/** A worker thread of the store's, as its owner holds it. */
export type SqliteWorker = {
  worker: Worker;
  /** Settles (never rejects) when the worker has ended, however it ended. */
  exited: Promise<void>;
  /** Asks the worker to stop ('stop') and waits until it has. */
  stop(): Promise<void>;
};

/**
 * A worker thread running `source` (CommonJS, evaluated: the store's tests run its TypeScript, which a
 * worker cannot load), with better-sqlite3's path as `workerData.driver`, unref'd so that it keeps no
 * process alive. The WAL checkpointer and the search index each run in one.
 *
 * A worker that fails emits 'error' and ends; its owner learns it from `exited`. Not `events.once`:
 * that rejects on the 'error', and a rejection nobody awaited (a worker that failed before `stop`)
 * ended the whole process.
 */
export function startSqliteWorker(source: string, workerData: Record<string, unknown>): SqliteWorker {
  const worker = new Worker(source, { eval: true, workerData: { ...workerData, driver: createRequire(import.meta.url).resolve('better-sqlite3') } });
  worker.unref();
  worker.on('error', () => undefined);
  const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
  return {
    worker,
    exited,
    async stop() {
      // Held until it exits: with nothing else on the event loop (a script's last close) an unref'd
      // worker's exit would never be waited for, and the process would end mid-close.
      worker.ref();
      worker.postMessage('stop');
      await exited;
    },
  };
}
