import { closeSync, openSync } from 'node:fs';
import { startSqliteWorker, type SqliteWorker } from './sqlite-worker.js';

/** How often the background connection copies the WAL's committed pages into the database file. */
const INTERVAL_MS = 250;

/**
 * A log this long (about 64 MB) is started over: the writer holds its next transaction until one more
 * checkpoint has copied the rest (`restart`). That costs the writer two fsyncs, so not too often: at
 * 3 000 msgs/s a log grows by about 8 000 frames a second.
 */
export const RESTART_FRAMES = 16_000;

/**
 * The main connection's own automatic checkpoint, left as a safety net should the background one stop
 * (1 000 pages by default; 32 000 pages is a WAL of about 130 MB). Above RESTART_FRAMES, or it would
 * come first.
 */
export const FALLBACK_AUTOCHECKPOINT_PAGES = 32_000;

/**
 * A log due to start over is copied again, round after round, until a round copies fewer frames than
 * this (about 2 MB), or CATCH_UP_ROUNDS have run: the writer then waits only for what is left.
 */
export const CATCH_UP_FRAMES = 512;
export const CATCH_UP_ROUNDS = 4;

/**
 * What `PRAGMA wal_checkpoint(PASSIVE)` reports: WAL frames in all, and how many are in the database
 * file now; and how many rounds it took (more than one when it caught up before a restart).
 */
export type CheckpointResult = { busy: number; log: number; checkpointed: number; rounds: number };

export type WalCheckpointer = {
  /** The next checkpoint that found frames to copy (tests wait for it instead of for time). */
  next(): Promise<CheckpointResult>;
  /** Whether the last checkpoint found the log at `restartFrames` (RESTART_FRAMES) or longer. */
  restartDue(): boolean;
  /**
   * A checkpoint now. Called with no write of the caller's in progress and none started until it
   * resolves, it copies every frame, and the writer's next transaction starts the log from its
   * beginning. Resolves (never rejects) when it is done, or at once if the worker is gone.
   */
  restart(): Promise<void>;
  stop(): Promise<void>;
  /**
   * Closes its descriptor of the database file. Only once every connection of this process to the
   * file is closed: closing any descriptor of a file drops all of the process's POSIX locks on it,
   * SQLite's own included.
   */
  closeFile(): void;
};

// Runs in the worker: a connection of its own to the same file, checkpointing on a timer and when
// asked ('checkpoint'), until told to stop. `syncFd` is a descriptor of the database file that the
// caller opened (and closes: closeFile).
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const { fdatasyncSync } = require('node:fs');
const Database = require(workerData.driver);
const { file, syncFd, restartFrames, catchUp } = workerData;
const db = new Database(file);
const passive = () => ({ ...db.pragma('wal_checkpoint(PASSIVE)')[0], rounds: 1 });
// Copies again what the writer added meanwhile, each round's pages synced while the writer goes on,
// until a round copies little (or enough rounds ran).
const catchUpWith = (result) => {
  let grown;
  do {
    fdatasyncSync(syncFd);
    const next = passive();
    // What the writer added during the last round: what this round had to copy.
    grown = next.log - result.log;
    result = { ...next, rounds: result.rounds + 1 };
  } while (grown >= catchUp.frames && result.rounds < catchUp.rounds);
  fdatasyncSync(syncFd);
  return result;
};
// Only while the log grows: an idle writer's next transaction starts it over by itself.
let lastLog = 0;
const checkpoint = (asked) => {
  let result = passive();
  if (!asked && result.log >= restartFrames && result.log > lastLog) result = catchUpWith(result);
  lastLog = result.log;
  if (asked || result.log > 0) parentPort.postMessage({ ...result, asked });
};
const timer = setInterval(() => checkpoint(false), workerData.intervalMs);
parentPort.on('message', (message) => {
  if (message === 'checkpoint') return checkpoint(true);
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
 * writer), a few times a second.
 *
 * The log starts over from its beginning only when a writer begins a transaction with every frame
 * copied. Under a steady stream of writes that never happens by itself: each checkpoint copies what
 * was there when it began, and the writer has added more by the time it ends. The log then grew to the
 * main connection's own limit, whose checkpoint ran on the event loop (27 to 94 ms every third of a
 * second with the store writing flat out: send-bench.js; every second or two at 3 000 msgs/s; fifteenth
 * round). So once the log is RESTART_FRAMES long, the writer asks for `restart` between two of its
 * transactions and waits for it: one more checkpoint copies the few frames written since the last one,
 * and the writer's next transaction starts the log over. Its sockets are served meanwhile. If the
 * worker ever stops, the main connection's automatic checkpoint (at a larger size) takes over again.
 *
 * What the writer waits for is kept short. A checkpoint syncs the log before it copies, and the
 * database file only once it has copied every frame. Under a steady stream of writes only the
 * checkpoint the writer waits for does, so its sync flushed every page copied since the last restart:
 * more as the tables grew (the wait took 6 ms at the start of a scenario at 3 000 msgs/s and 28 ms at
 * its end; 31 ms writing flat out: docs/benchmarks.md, change 94). So once the log is long enough, the
 * worker catches up first while the writer goes on: it syncs the database file itself and copies
 * again, until a round copies fewer than CATCH_UP_FRAMES (or CATCH_UP_ROUNDS have run). The writer then
 * waits for what is left (and, should it ask while the next catch-up runs, for that too: the worker
 * answers one message at a time).
 */
export function startWalCheckpointer(file: string, { restartFrames = RESTART_FRAMES, intervalMs = INTERVAL_MS } = {}): WalCheckpointer {
  // Read-only is enough for fdatasync.
  let syncFd = openSync(file, 'r');
  const closeFile = () => {
    // Once only: a number closed twice may by then be another file's (another connection's).
    if (syncFd >= 0) closeSync(syncFd);
    syncFd = -1;
  };
  let started: SqliteWorker;
  try {
    started = startSqliteWorker(WORKER_SOURCE, {
      file,
      syncFd,
      intervalMs,
      restartFrames,
      catchUp: { frames: CATCH_UP_FRAMES, rounds: CATCH_UP_ROUNDS },
    });
  } catch (error) {
    closeFile();
    throw error;
  }
  const { worker } = started;
  const waiting: ((result: CheckpointResult) => void)[] = [];
  const asked: (() => void)[] = [];
  const settleAsked = () => asked.splice(0).forEach((resolve) => resolve());
  let lastLog = 0;
  let gone = false;
  const exited = started.exited.finally(() => {
    gone = true;
    settleAsked();
  });
  // A worker that fails (the file removed under it, say) ends, and leaves the fallback checkpoint in charge.
  worker.on('message', ({ asked: wasAsked, ...result }: CheckpointResult & { asked: boolean }) => {
    // An asked checkpoint left nothing to copy, and the writer is about to start the log over.
    lastLog = wasAsked ? 0 : result.log;
    if (wasAsked) settleAsked();
    if (result.log > 0) waiting.splice(0).forEach((resolve) => resolve(result));
  });
  return {
    next: () => new Promise((resolve) => waiting.push(resolve)),
    restartDue: () => !gone && lastLog >= restartFrames,
    restart() {
      if (gone) return Promise.resolve();
      // Asked once: later callers wait for the same checkpoint.
      if (asked.length === 0) worker.postMessage('checkpoint');
      return new Promise((resolve) => asked.push(resolve));
    },
    // The worker's own exit first, then what its end settles here.
    stop: () => started.stop().then(() => exited),
    closeFile,
  };
}
