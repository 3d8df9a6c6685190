import { sql, type Kysely, type Transaction } from 'kysely';
import type { DB } from './schema.js';

/** Work that runs its own transaction outside Kysely (sqlite-writer.ts): given many inputs at once, settles each. */
export type Detached<I, O> = (inputs: I[]) => Promise<PromiseSettledResult<O>[]>;

type Settle = { resolve(value: unknown): void; reject(error: unknown): void };
type TransactionJob = Settle & { work: (tx: Transaction<DB>) => Promise<unknown> };
type DetachedJob = Settle & { detached: Detached<unknown, unknown>; input: unknown };
type Job = TransactionJob | DetachedJob;

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
 *
 * `detached` work (the writer's) waits its turn in the same line: the jobs at the head of the line that
 * share its runner go to it together, and nothing else runs until it has settled them. So no
 * transaction is open on the connection when it begins its own, and every caller still sees the order
 * in which it asked.
 *
 * `aside` writes need no place in the line (a read mark, a new visitor: nothing else asked for at the
 * same time depends on them). They wait beside it and run together, in a batch of their own, taking
 * turns with the line's batches: in the line, a read mark between two shoppers' messages would split
 * the writer's batch in two, and agents mark a conversation read as each message arrives.
 */
export function createGroupCommit(db: Kysely<DB>, beforeBatch: () => Promise<void> | undefined = () => undefined) {
  const waiting: Job[] = [];
  const aside: TransactionJob[] = [];
  let asideNext = true;
  let running = false;

  async function runJob(tx: Transaction<DB>, job: TransactionJob): Promise<() => void> {
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

  async function runTogether(batch: TransactionJob[]): Promise<void> {
    const settle = await db.transaction().execute(async (tx) => {
      const outcomes: (() => void)[] = [];
      for (const job of batch) outcomes.push(await runJob(tx, job));
      return outcomes;
    });
    settle.forEach((done) => done());
  }

  async function runDetached(run: Detached<unknown, unknown>, batch: DetachedJob[]): Promise<void> {
    const outcomes = await run(batch.map((job) => job.input));
    batch.forEach((job, i) => {
      const outcome = outcomes[i]!;
      if (outcome.status === 'fulfilled') job.resolve(outcome.value);
      else job.reject(outcome.reason);
    });
  }

  /** The jobs at the head of the line that run the same way (together, or by the same detached runner). */
  function takeBatch(): Job[] {
    const runner = (job: Job) => ('detached' in job ? job.detached : undefined);
    const first = runner(waiting[0]!);
    let length = 1;
    while (length < Math.min(waiting.length, MAX_BATCH) && runner(waiting[length]!) === first) length++;
    return waiting.splice(0, length);
  }

  /** The writes aside and the line take turns while both have some. */
  function nextBatch(): Job[] {
    const fromAside = aside.length > 0 && (asideNext || waiting.length === 0);
    asideNext = !fromAside;
    return fromAside ? aside.splice(0, MAX_BATCH) : takeBatch();
  }

  async function runBatches(): Promise<void> {
    while (waiting.length > 0 || aside.length > 0) {
      await beforeBatch();
      const batch = nextBatch();
      const head = batch[0]!;
      try {
        if ('detached' in head) await runDetached(head.detached, batch as DetachedJob[]);
        else await runTogether(batch as TransactionJob[]);
      } catch (error) {
        batch.forEach((job) => job.reject(error));
      }
    }
    running = false;
  }

  /** `job` writes its object out, settle functions included: docs/benchmarks.md, change 85. */
  function enqueue<T, J extends Job>(queue: J[], job: (resolve: Settle['resolve'], reject: Settle['reject']) => J): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      queue.push(job(resolve, reject));
      if (running) return;
      running = true;
      setImmediate(() => void runBatches());
    });
  }

  return {
    transaction: <T>(work: (tx: Transaction<DB>) => Promise<T>): Promise<T> => enqueue(waiting, (resolve, reject) => ({ resolve, reject, work })),
    detached: <I, O>(run: Detached<I, O>, input: I): Promise<O> =>
      enqueue(waiting, (resolve, reject) => ({ resolve, reject, detached: run as Detached<unknown, unknown>, input })),
    aside: <T>(work: (tx: Transaction<DB>) => Promise<T>): Promise<T> => enqueue(aside, (resolve, reject) => ({ resolve, reject, work })),
  };
}
