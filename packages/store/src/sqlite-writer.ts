import type SQLite from 'better-sqlite3';

/**
 * A write of two statements in SQL with named parameters (`@name`): `second` runs only when `first`
 * returned a row, and gets the write's parameters with that row's columns added.
 */
export type TwoStatements = { first: string; second: string };

export type Row = Record<string, unknown>;

/** For each write, in order: the row `second` returned (undefined when `first` returned none), or its error. */
export type WriteOutcome = PromiseSettledResult<Row | undefined>;

/**
 * The writes of `statements` in one transaction, each in a savepoint of its own (one that fails is
 * rolled back alone and settles with its error); answered after the COMMIT, or throws when the
 * transaction as a whole failed. The caller runs no other write meanwhile (the group commit runs one
 * batch at a time).
 */
export type SqliteWriter = (statements: TwoStatements, writes: Row[]) => WriteOutcome[];

/**
 * The short path's writes, straight on the store's connection: each pair of statements prepared once
 * (on its first batch, again on the next if that failed: the tables exist only once the store has
 * migrated), run by better-sqlite3 without Kysely.
 *
 * On the event loop, as the durable relay writes (change 93). A worker thread with a connection of its
 * own ran them from the sixteenth round to change 95, while its statements were a quarter of one
 * node's busy time. Since then they have become two lean statements, and the thread cost more than it
 * spared: every batch copied each way and woke a thread, and a third busy thread waited for one of the
 * machine's two cores (a node's CPU a message 0.21 ms without it against 0.23 to 0.25 with it, and a
 * lower p99 at 3 000 msgs/s: docs/benchmarks.md, change 95).
 */
export function sqliteWriter(database: SQLite.Database): SqliteWriter {
  const batches = new Map<TwoStatements, (writes: Row[]) => WriteOutcome[]>();
  const prepare = (statements: TwoStatements) => {
    const first = rawStatement(database, statements.first);
    const second = rawStatement(database, statements.second);
    const one = database.transaction((params: Row) => {
      const row = first.get(params);
      // Object.assign, not a spread: docs/benchmarks.md, change 85.
      return row && second.get(Object.assign({}, params, row));
    });
    const all = database.transaction((writes: Row[]) =>
      writes.map((params): WriteOutcome => {
        try {
          return { status: 'fulfilled', value: one(params) };
        } catch (reason) {
          // An error that ended the whole transaction (a full disk, say): the batch fails, and none of
          // the writes after it runs outside the transaction.
          if (!database.inTransaction) throw reason;
          return { status: 'rejected', reason };
        }
      }),
    );
    return (writes: Row[]) => {
      // Begun inside another transaction, the batch would be a savepoint of it, and its writes answered
      // before their COMMIT: the group commit never lets that happen, and this says so if it ever did.
      if (database.inTransaction) throw new Error('a batch of the SQLite writer began inside another transaction');
      return all.immediate(writes);
    };
  };
  return (statements, writes) => {
    let batch = batches.get(statements);
    if (!batch) batches.set(statements, (batch = prepare(statements)));
    return batch(writes);
  };
}

/**
 * A statement whose row better-sqlite3 hands over as an array, made into an object here: better-sqlite3
 * builds a row's object one property at a time through V8's API, and for the short path's update,
 * which returns the conversation's 31 columns, that took about 6 µs a message more than this does
 * (docs/benchmarks.md, change 106).
 */
function rawStatement(database: SQLite.Database, text: string): { get(params: Row): Row | undefined } {
  const statement = database.prepare<[Row], unknown[]>(text).raw(true);
  const names = statement.columns().map((column) => column.name);
  return {
    get(params) {
      const values = statement.get(params);
      if (!values) return undefined;
      const row: Row = {};
      for (let i = 0; i < names.length; i++) row[names[i]!] = values[i];
      return row;
    },
  };
}
