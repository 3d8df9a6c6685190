import { once } from 'node:events';
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import { INDEX_STEP } from './ops/search-index.js';
import { CJK_SPACING } from './search-text.js';

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
  /**
   * One step of the search index (ops/search-index.ts, INDEX_STEP), `batch` messages at most, in a
   * transaction of its own; resolves after its COMMIT with how many messages it looked at. The caller
   * runs no other write meanwhile, as for `write`.
   */
  indexSearch(batch: number): Promise<number>;
  /** false once the worker is gone (it failed or was stopped): writes reject then. */
  alive(): boolean;
  stop(): Promise<void>;
};

/** An error as it crosses the thread: what isUniqueViolation and the logs read. */
type ErrorData = { message: string; code?: string };
/** A write's outcome as the worker posts it. */
type PostedOutcome = PromiseFulfilledResult<Row | undefined> | { status: 'rejected'; reason: ErrorData };

/** What the worker answers: each write's outcome, how many messages an index step looked at, or why the whole failed. */
type Reply = Answer | { failed: ErrorData };
type Answer = { outcomes: PostedOutcome[] } | { indexed: number };

// Runs in the worker: a connection of its own to the same file (configured as the main one). Each pair
// of statements comes once and is known by a number after it (copying the text cost more than a
// batch's writes), and is prepared on its first batch, again on the next if that failed (the tables
// exist only once the main connection has migrated); so are the search index's statements.
// kefu_search_text is search-text.ts's searchText, built from its data (this thread runs plain
// JavaScript and cannot import the module from the sources the tests run).
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.driver);
const db = new Database(workerData.file);
for (const pragma of workerData.pragmas) db.pragma(pragma);
const { pattern, flags, replacement } = workerData.cjkSpacing;
const cjk = new RegExp(pattern, flags);
db.function('kefu_search_text', { deterministic: true }, (body) => String(body).toLowerCase().replace(cjk, replacement));
let indexStep;
const prepareIndexStep = ({ range, insert, mark }) => {
  const statements = { range: db.prepare(range), insert: db.prepare(insert), mark: db.prepare(mark) };
  // As indexNewMessages (ops/search-index.ts) on the main connection.
  return db.transaction((batch) => {
    const { indexed, up_to: upTo } = statements.range.get(batch);
    if (upTo === indexed) return 0;
    statements.insert.run(indexed, upTo);
    statements.mark.run(String(upTo));
    return upTo - indexed;
  });
};
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
  if ('index' in message) {
    try {
      indexStep ??= prepareIndexStep(workerData.indexStatements);
      return parentPort.postMessage({ indexed: indexStep.immediate(message.index) });
    } catch (error) {
      return parentPort.postMessage({ failed: asData(error) });
    }
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
    workerData: { file, pragmas, driver: createRequire(import.meta.url).resolve('better-sqlite3'), cjkSpacing: CJK_SPACING, indexStatements: INDEX_STEP },
  });
  const exited = once(worker, 'exit');
  const replies: { resolve(answer: Answer): void; reject(error: Error): void }[] = [];
  const keys = new Map<TwoStatements, number>();
  let gone: Error | null = null;

  worker.on('message', (reply: Reply) => {
    const waiting = replies.shift();
    if (!waiting) return;
    if ('failed' in reply) return waiting.reject(errorOf(reply.failed));
    waiting.resolve(reply);
  });
  const end = (error: Error) => {
    gone ??= error;
    replies.splice(0).forEach((waiting) => waiting.reject(error));
  };
  worker.on('error', end);
  worker.on('exit', () => end(new Error('the SQLite writer thread has stopped')));

  /** Posts `message` (first: should it not copy, this rejects and no reply is awaited), then `posted()`, and waits for the reply. */
  const ask = (message: object, posted = () => {}): Promise<Answer> =>
    new Promise((resolve, reject) => {
      if (gone) return reject(gone);
      worker.postMessage(message);
      posted();
      replies.push({ resolve, reject });
    });

  return {
    async write(statements, writes) {
      const key = keys.get(statements);
      const message = key !== undefined ? { key, writes } : { key: keys.size, statements, writes };
      const { outcomes } = (await ask(message, () => key === undefined && keys.set(statements, keys.size))) as { outcomes: PostedOutcome[] };
      return outcomes.map((outcome) => (outcome.status === 'rejected' ? { status: 'rejected', reason: errorOf(outcome.reason) } : outcome));
    },
    indexSearch: async (batch) => ((await ask({ index: batch })) as { indexed: number }).indexed,
    alive: () => gone === null,
    async stop() {
      if (!gone) worker.postMessage('stop');
      await exited;
    },
  };
}
