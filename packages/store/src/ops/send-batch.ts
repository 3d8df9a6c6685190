import type { Database } from '../database.js';
import { appendInOneStatement, type OneStatementAppend, type OneStatementSend } from './append-in-one-statement.js';

type Waiter = { send: OneStatementSend; resolve(appended: OneStatementAppend | undefined): void; reject(error: unknown): void };

/** Statements in flight at once: the others' sends gather meanwhile. The pool keeps room for the rest. */
const IN_FLIGHT = 2;
/**
 * While one statement is in flight, the next starts only once this many sends wait for it: each
 * statement wakes a PostgreSQL backend and commits, so fewer, larger statements cost PostgreSQL less
 * (a fifth less CPU a message at 1 500 msgs/s, docs/benchmarks.md, change 67), and a second one
 * still starts when sends pile up (with one in flight at most, 5 000 msgs/s fell behind).
 */
const SECOND_AT = 4;
/** Enough to amortise a statement; small enough that one never holds its row locks for long. */
const MAX_BATCH = 64;

/**
 * Group commit for PostgreSQL's one-statement sends. On its own each send is a statement and a commit
 * of its own, and PostgreSQL spends more CPU on a statement's start and commit than on the rows: the
 * sends that arrive while statements are in flight go together into the next one (appendInOneStatement
 * takes many), and each caller is answered only after that statement has committed. A send waits at
 * most for the statements in flight and for the end of the event loop's turn; when none is in flight,
 * it runs at that turn's end; when one is, it waits for it unless SECOND_AT sends wait.
 *
 * A statement starts at the end of a turn (setImmediate), not at once. Started at once, the first send
 * a node read in a turn went alone and the others read after it waited for that statement; and a
 * statement that had just committed started the next before its own sends' acks were written, while
 * the write that sends a statement wakes a PostgreSQL backend, which can take the core from the node
 * for the length of the statement. At the turn's end the statement takes every send read in the turn,
 * and the finished sends' acks have left. Once a full batch (MAX_BATCH) waits, the statement starts at
 * once, as it cannot take more: on a node too busy to keep up, turns are long, and PostgreSQL sat idle
 * until their ends (docs/benchmarks.md, change 88).
 *
 * A conversation has at most one send in flight: the next waits for the one before it, so a visitor's
 * messages are stored in the order they arrived (and one statement never holds one conversation twice).
 * When a statement fails (a repeated clientMsgId hits its unique key, a connection is lost), its sends
 * run again one by one, so each caller sees only its own error.
 */
export function createSendBatcher(db: Database) {
  let waiting: Waiter[] = [];
  let inFlight = 0;
  let startScheduled = false;
  const busy = new Set<string>();

  /** The first waiter of each conversation not in flight, up to MAX_BATCH; the rest keep their turn. */
  function takeBatch(): Waiter[] {
    const batch: Waiter[] = [];
    const rest: Waiter[] = [];
    const taken = new Set<string>();
    for (const waiter of waiting) {
      const id = waiter.send.conversationId;
      if (batch.length < MAX_BATCH && !busy.has(id) && !taken.has(id)) {
        taken.add(id);
        batch.push(waiter);
      } else rest.push(waiter);
    }
    waiting = rest;
    return batch;
  }

  async function run(batch: Waiter[]): Promise<void> {
    try {
      const appended = await appendInOneStatement(db, batch.map((w) => w.send));
      batch.forEach((waiter, i) => waiter.resolve(appended[i]));
    } catch (error) {
      if (batch.length === 1) return batch[0]!.reject(error);
      await Promise.all(batch.map((waiter) => runAlone(waiter)));
    }
  }

  async function runAlone(waiter: Waiter): Promise<void> {
    try {
      const [appended] = await appendInOneStatement(db, [waiter.send]);
      waiter.resolve(appended);
    } catch (error) {
      waiter.reject(error);
    }
  }

  /** next(), at the end of this turn of the event loop (once, however many ask); now if a full batch waits. */
  function nextAtTurnEnd(): void {
    if (waiting.length >= MAX_BATCH) return next();
    if (startScheduled) return;
    startScheduled = true;
    setImmediate(() => {
      startScheduled = false;
      next();
    });
  }

  function next(): void {
    while (inFlight < IN_FLIGHT && waiting.length >= (inFlight === 0 ? 1 : SECOND_AT)) {
      const batch = takeBatch();
      if (batch.length === 0) return;
      inFlight++;
      batch.forEach((w) => busy.add(w.send.conversationId));
      void run(batch).finally(() => {
        inFlight--;
        batch.forEach((w) => busy.delete(w.send.conversationId));
        nextAtTurnEnd();
      });
    }
  }

  return (send: OneStatementSend): Promise<OneStatementAppend | undefined> =>
    new Promise((resolve, reject) => {
      waiting.push({ send, resolve, reject });
      nextAtTurnEnd();
    });
}
