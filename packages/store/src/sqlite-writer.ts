import { once } from 'node:events';
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';

/**
 * A write of two statements in SQL with named parameters (`@name`): `second` runs only when `first`
 * returned a row, and gets the write's parameters with that row's columns added.
 */
export type TwoStatements = { first: string; second: string };

export type Row = Record<string, unknown>;

/** For each write, in order: the row `second` returned (undefined when `first` returned none), or its error. */
export type WriteOutcome = PromiseSettledResult<Row | undefined>;

export type SqliteWriter = {
  /**
   * The writes of `statements` in one transaction of the writer's connection, each in a savepoint of
   * its own (one that fails is rolled back alone and settles with its error); resolves after the
   * COMMIT, and rejects when the transaction as a whole failed or the worker is gone. The caller runs
   * no other write meanwhile (the group commit runs one batch at a time), so the two connections never
   * wait for each other.
   */
  write(statements: TwoStatements, writes: Row[]): Promise<WriteOutcome[]>;
  /** false once the worker is gone (it failed or was stopped): writes reject then. */
  alive(): boolean;
  stop(): Promise<void>;
};

/** An error as it crosses the thread: what isUniqueViolation and the logs read. */
type ErrorData = { message: string; code?: string };
/** A write's outcome as the worker posts it. */
type PostedOutcome = PromiseFulfilledResult<Row | undefined> | { status: 'rejected'; reason: ErrorData };

// Runs in the worker: a connection of its own to the same file (configured as the main one). Each pair
// of statements comes once and is known by a number after it (copying the text cost more than a
// batch's writes), and is prepared on its first batch, again on the next if that failed (the tables
// exist only once the main connection has migrated).
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.driver);
const db = new Database(workerData.file);
for (const pragma of workerData.pragmas) db.pragma(pragma);
const asData = (error) => ({ message: String(error && error.message), code: error && error.code });
const known = new Map();
const prepared = new Map();
const prepare = (statements) => {
  const first = db.prepare(statements.first);
  const second = db.prepare(statements.second);
  const one = db.transaction((params) => {
    const row = first.get(params);
    // Object.assign, not a spread: docs/benchmarks.md, change 85.
    return row && second.get(Object.assign({}, params, row));
  });
  return db.transaction((writes) => writes.map((params) => {
    try {
      return { status: 'fulfilled', value: one(params) };
    } catch (error) {
      return { status: 'rejected', reason: asData(error) };
    }
  }));
};
parentPort.on('message', (message) => {
  if (message === 'stop') {
    db.close();
    return parentPort.close();
  }
  const { key, statements, writes } = message;
  if (statements) known.set(key, statements);
  try {
    if (!prepared.has(key)) prepared.set(key, prepare(known.get(key)));
    parentPort.postMessage({ outcomes: prepared.get(key).immediate(writes) });
  } catch (error) {
    parentPort.postMessage({ failed: asData(error) });
  }
});
`;

const errorOf = ({ message, code }: ErrorData): Error => Object.assign(new Error(message), code === undefined ? {} : { code });

/**
 * better-sqlite3 runs every statement on the event loop, and at 3 000 msgs/s the short path's two
 * statements were a quarter of one node's busy time (docs/benchmarks.md, sixteenth round): a worker
 * thread with a connection of its own runs them instead, while the event loop serves the sockets.
 * Each batch is one message each way. The rows come back as SQLite gave them; an error as its message
 * and code. When the worker is gone, every write rejects and `alive()` is false: the caller then takes
 * its other path.
 */
export function startSqliteWriter(file: string, pragmas: readonly string[]): SqliteWriter {
  const worker = new Worker(WORKER_SOURCE, {
    eval: true,
    workerData: { file, pragmas, driver: createRequire(import.meta.url).resolve('better-sqlite3') },
  });
  const exited = once(worker, 'exit');
  const replies: { resolve(outcomes: WriteOutcome[]): void; reject(error: Error): void }[] = [];
  const keys = new Map<TwoStatements, number>();
  let gone: Error | null = null;

  worker.on('message', (reply: { outcomes: PostedOutcome[] } | { failed: ErrorData }) => {
    const waiting = replies.shift();
    if (!waiting) return;
    if ('failed' in reply) return waiting.reject(errorOf(reply.failed));
    waiting.resolve(reply.outcomes.map((outcome) => (outcome.status === 'rejected' ? { status: 'rejected', reason: errorOf(outcome.reason) } : outcome)));
  });
  const end = (error: Error) => {
    gone ??= error;
    replies.splice(0).forEach((waiting) => waiting.reject(error));
  };
  worker.on('error', end);
  worker.on('exit', () => end(new Error('the SQLite writer thread has stopped')));

  return {
    write: (statements, writes) =>
      new Promise((resolve, reject) => {
        if (gone) return reject(gone);
        // Posted first: should the writes not copy, this promise rejects and no reply is awaited.
        const key = keys.get(statements);
        if (key !== undefined) worker.postMessage({ key, writes });
        else {
          worker.postMessage({ key: keys.size, statements, writes });
          keys.set(statements, keys.size);
        }
        replies.push({ resolve, reject });
      }),
    alive: () => gone === null,
    async stop() {
      if (!gone) worker.postMessage('stop');
      await exited;
    },
  };
}
