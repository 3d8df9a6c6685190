import { once } from 'node:events';
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';

/** How often the background connection copies the WAL's committed pages into the database file. */
const INTERVAL_MS = 250;

/**
 * The main connection's own automatic checkpoint, left as a safety net should the background one stop
 * (1 000 pages by default; 10 000 pages is a WAL of about 40 MB).
 */
export const FALLBACK_AUTOCHECKPOINT_PAGES = 10_000;

/** What `PRAGMA wal_checkpoint(PASSIVE)` reports: WAL frames in all, and how many are in the database file now. */
export type CheckpointResult = { busy: number; log: number; checkpointed: number };

export type WalCheckpointer = {
  /** The next checkpoint that found frames to copy (tests wait for it instead of for time). */
  next(): Promise<CheckpointResult>;
  stop(): Promise<void>;
};

// Runs in the worker: a connection of its own to the same file, checkpointing on a timer until told to stop.
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.driver);
const db = new Database(workerData.file);
const timer = setInterval(() => {
  const [result] = db.pragma('wal_checkpoint(PASSIVE)');
  if (result.log > 0) parentPort.postMessage(result);
}, workerData.intervalMs);
parentPort.once('message', () => {
  clearInterval(timer);
  db.close();
  parentPort.close();
});
`;

/**
 * SQLite in WAL mode copies the log into the database file (a checkpoint, with its fsync) inside the
 * commit that crosses the log's size limit, and better-sqlite3 runs on the event loop: every thousand
 * pages or so one commit stopped every socket for the length of a checkpoint (the one-node latency p99
 * at 1 500 and 3 000 msgs/s was 16 to 18 ms with it, 7 to 15 ms without, docs/benchmarks.md). A worker
 * thread with its own connection checkpoints instead, PASSIVE (it never waits for or blocks the
 * writer), a few times a second; the writer then restarts the log from its beginning by itself. If the
 * worker ever stops, the main connection's automatic checkpoint (at a larger size) takes over again.
 */
export function startWalCheckpointer(file: string): WalCheckpointer {
  const worker = new Worker(WORKER_SOURCE, {
    eval: true,
    workerData: { file, driver: createRequire(import.meta.url).resolve('better-sqlite3'), intervalMs: INTERVAL_MS },
  });
  worker.unref();
  const exited = once(worker, 'exit');
  // A worker that fails (the file removed under it, say) leaves the fallback checkpoint in charge.
  worker.on('error', () => undefined);
  let waiting: ((result: CheckpointResult) => void)[] = [];
  worker.on('message', (result: CheckpointResult) => {
    const resolvers = waiting;
    waiting = [];
    resolvers.forEach((resolve) => resolve(result));
  });
  return {
    next: () => new Promise((resolve) => waiting.push(resolve)),
    async stop() {
      // Held from here until it exits: with nothing else on the event loop (a script's last close) an
      // unref'd worker's exit would never be waited for, and the process would end mid-close.
      worker.ref();
      worker.postMessage('stop');
      await exited;
    },
  };
}
