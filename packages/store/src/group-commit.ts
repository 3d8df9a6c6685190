import { sql, type Kysely, type Transaction } from 'kysely';
import type { DB } from './schema.js';

type Job = { work: (tx: Transaction<DB>) => Promise<unknown>; resolve(value: unknown): void; reject(error: unknown): void };

/** Enough to amortise a commit; small enough that one batch never holds the connection for long. */
const MAX_BATCH = 128;

/**
 * Group commit for the embedded store. SQLite has one connection and commits one transaction at a
 * time, and the commit costs more than the statements of a send. The transactions that queue up while
 * one batch runs are run together in the next transaction, each inside a savepoint of its own: one that
 * fails is rolled back alone and rejected, the others go on. Every caller's promise settles only after
 * the COMMIT (a value is never seen before it is durable: "ack only after commit" holds), and if the
 * COMMIT fails they all reject.
 *
 * A batch starts on the next turn of the event loop (setImmediate), not at once: better-sqlite3 never
 * yields, so a batch started at once ran to its COMMIT before the next socket's command was even read,
 * and groups were of one or two. Deferred, a batch takes every transaction that the commands read in
 * this turn asked for; a lone transaction waits well under a millisecond.
 *
 * `beforeBatch`, when it returns a promise, holds the next batch until it settles: the WAL checkpointer
 * starts the log over between two batches (wal-checkpointer.ts). Transactions asked for meanwhile wait
 * and go into that batch.
 */
export function createGroupCommit(db: Kysely<DB>, beforeBatch: () => Promise<void> | undefined = () => undefined) {
  const waiting: Job[] = [];
  let running = false;

  async function runJob(tx: Transaction<DB>, job: Job): Promise<() => void> {
    await sql`savepoint kefu_job`.execute(tx);
    try {
      const value = await job.work(tx);
      await sql`release savepoint kefu_job`.execute(tx);
      return () => job.resolve(value);
    } catch (error) {
      await sql`rollback to savepoint kefu_job`.execute(tx);
      await sql`release savepoint kefu_job`.execute(tx);
      return () => job.reject(error);
    }
  }

  async function runBatches(): Promise<void> {
    while (waiting.length > 0) {
      await beforeBatch();
      const batch = waiting.splice(0, MAX_BATCH);
      try {
        const settle = await db.transaction().execute(async (tx) => {
          const outcomes: (() => void)[] = [];
          for (const job of batch) outcomes.push(await runJob(tx, job));
          return outcomes;
        });
        settle.forEach((done) => done());
      } catch (error) {
        batch.forEach((job) => job.reject(error));
      }
    }
    running = false;
  }

  return function transaction<T>(work: (tx: Transaction<DB>) => Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      waiting.push({ work, resolve, reject });
      if (running) return;
      running = true;
      setImmediate(() => void runBatches());
    });
  };
}
