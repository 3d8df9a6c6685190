import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import SQLite from 'better-sqlite3';
import { Kysely, PostgresDialect, SqliteDialect, sql, type PostgresPool, type PostgresPoolClient, type SqliteDatabase } from 'kysely';
import pg from 'pg';
import { createGroupCommit, type Detached } from './group-commit.js';
import { migratePostgres, migrateSqlite } from './migrate.js';
import { startSearchIndex, type SearchIndex } from './search-index.js';
import { isDeadlock, isStalePlan } from './util.js';
import { sqliteWriter, type Row, type SqliteWriter, type TwoStatements } from './sqlite-writer.js';
import { FALLBACK_AUTOCHECKPOINT_PAGES, startWalCheckpointer, type WalCheckpointer } from './wal-checkpointer.js';
import type { DB } from './schema.js';

export type StoreConfig = { kind: 'sqlite'; file: string } | { kind: 'postgres'; url: string; poolSize?: number };
export type Dialect = StoreConfig['kind'];
export type Executor = Kysely<DB>;

/** Lock keys for pg_advisory_xact_lock: one for the first-start bootstrap, one for every routing decision. */
const LOCK_KEYS = { bootstrap: 4_711_001, routing: 4_711_002 } as const;
export type LockName = keyof typeof LOCK_KEYS;
const noLock = async () => undefined;

export type Database = {
  db: Kysely<DB>;
  dialect: Dialect;
  /**
   * Runs fn in a transaction; on PostgreSQL it first takes the named cluster-wide transaction lock, or
   * with `later` only once fn calls `takeLock` (what fn does before that holds up no one who waits for
   * the lock). SQLite runs one transaction at a time: `takeLock` does nothing there.
   */
  transaction<T>(fn: (tx: Executor, takeLock: () => Promise<void>) => Promise<T>, lock?: LockName, later?: 'later'): Promise<T>;
  /**
   * A write of a single statement or two outside any transaction (a read mark, a new visitor), that
   * nothing asked for at the same time depends on. On SQLite it runs with the others like it, in turn
   * with the group commit's batches (group-commit.ts, `aside`), so that such writes share a commit
   * and none splits a batch of the line in two. Elsewhere it runs at once.
   */
  inTurn<T>(write: (db: Executor) => Promise<T>): Promise<T>;
  /**
   * SQLite: writes of `statements` run straight on the connection (sqlite-writer.ts), in turn with the
   * transactions; each resolves with the row its second statement returned, after the COMMIT, or
   * undefined when nothing was written (its first statement returned no row). Absent on PostgreSQL.
   */
  writeInTurn?: (statements: TwoStatements) => (params: Row) => Promise<Row | undefined>;
  /** SQLite with a file: the search index, in a file of its own (search-index.ts). Absent elsewhere. */
  searchIndex?: SearchIndex;
  migrate(): Promise<void>;
  ping(): Promise<void>;
  close(): Promise<void>;
};

// int8 (count(*)) arrives as a string from pg; our counts are small, so numbers are right.
pg.types.setTypeParser(20, (value: string) => Number(value));

/**
 * The store's connection, the one that writes to the file. Checkpoints run off the event loop
 * (wal-checkpointer.ts); its automatic one only if that stops.
 */
const CONNECTION_PRAGMAS = ['synchronous = NORMAL', 'foreign_keys = ON', 'busy_timeout = 5000', `wal_autocheckpoint = ${FALLBACK_AUTOCHECKPOINT_PAGES}`];

type SqliteParts = { database: SQLite.Database; db: Kysely<DB>; checkpointer: WalCheckpointer | null; writer: SqliteWriter; searchIndex: SearchIndex | undefined };

function openSqlite(file: string): SqliteParts {
  const inMemory = file === ':memory:';
  if (!inMemory) mkdirSync(dirname(file), { recursive: true });
  const database = new SQLite(file);
  database.pragma('journal_mode = WAL');
  CONNECTION_PRAGMAS.forEach((pragma) => database.pragma(pragma));
  const db = new Kysely<DB>({ dialect: new SqliteDialect({ database: withStatementCache(database) }) });
  return {
    database,
    db,
    checkpointer: inMemory ? null : startWalCheckpointer(file),
    writer: sqliteWriter(database),
    searchIndex: inMemory ? undefined : startSearchIndex(file),
  };
}

/** Enough for every query kefu builds, `in (…)` lists of various lengths included. */
const STATEMENT_CACHE_SIZE = 500;

/**
 * Kysely asks the driver to prepare every query it runs, and preparing costs about as much as running
 * a short statement. Statements are kept by their SQL text and reused: better-sqlite3 runs them to the
 * end synchronously (kefu streams no query), so one statement is never used by two queries at once.
 */
function withStatementCache(database: SQLite.Database): SqliteDatabase {
  const statements = new Map<string, SQLite.Statement>();
  return {
    close: () => database.close(),
    prepare(text: string) {
      let statement = statements.get(text);
      if (!statement) {
        if (statements.size >= STATEMENT_CACHE_SIZE) statements.clear();
        statement = database.prepare(text);
        statements.set(text, statement);
      }
      return statement;
    },
  };
}

function openPool(url: string, max: number): pg.Pool {
  const pool = new pg.Pool({ connectionString: url, max });
  // An idle client that loses its server must not crash the process; the next query reports the error.
  pool.on('error', () => undefined);
  // Nor may a checked-out one: pg emits 'error' on it besides failing its query (found by killing a
  // backend mid-query with pg_terminate_backend), and an 'error' nobody listens to ends the process.
  pool.on('connect', (client) => client.on('error', () => undefined));
  return pool;
}

/** Enough for every query kefu builds; longer `in (…)` lists than it expects run unprepared. */
const PREPARED_STATEMENTS = 1000;

/**
 * PostgreSQL parses and plans every unnamed statement again, and for kefu's statements that costs more
 * than running them: a visitor's message (one CTE) cost PostgreSQL about 1.1 ms of CPU unnamed and
 * 0.65 ms prepared (docs/benchmarks.md, fifth round). Each SQL text with parameters gets a name of its
 * own, and pg prepares it once per connection and then only binds and executes it. Names are never
 * reused for another text, so a connection can never hold a name with a different statement; the
 * number of names is bounded, and texts beyond it run unnamed as before. Statements without parameters
 * (`begin`, `commit`, migrations' DDL) keep the simple protocol.
 */
function withPreparedStatements(pool: pg.Pool): PostgresPool {
  const names = new Map<string, string>();
  const nameOf = (text: string): string | undefined => {
    let name = names.get(text);
    if (name === undefined && names.size < PREPARED_STATEMENTS) names.set(text, (name = `kefu_${names.size}`));
    return name;
  };
  const clients = new WeakMap<pg.PoolClient, PostgresPoolClient>();
  const wrap = (client: pg.PoolClient): PostgresPoolClient => {
    let stale = false;
    return {
      // A connection whose statements a migration made stale (isStalePlan) is closed; the pool opens a new one.
      release: (destroy) => client.release(destroy || stale),
      // kefu streams no query, so Kysely never passes a cursor here: only (sql, parameters). pg's
      // callback form, not its promise: a query pg makes a promise for is given its callback after it
      // is built, and on Node 20 the send statement's such queries, their rows and every value in them
      // outlived their scavenges though nothing held them (a select's did not; docs/benchmarks.md,
      // change 87). The one place every query passes, so no caller needs to know.
      query: ((text: string, values: readonly unknown[]) =>
        new Promise<pg.QueryResult>((resolve, reject) => {
          const config = { name: values.length > 0 ? nameOf(text) : undefined, text, values: values as unknown[] };
          client.query(config, (error, result) => {
            if (!error) return resolve(result);
            stale ||= isStalePlan(error);
            reject(error);
          });
        })) as unknown as PostgresPoolClient['query'],
    };
  };
  return {
    end: () => pool.end(),
    async connect() {
      const client = await pool.connect();
      let wrapped = clients.get(client);
      if (!wrapped) clients.set(client, (wrapped = wrap(client)));
      return wrapped;
    },
  };
}

const openPostgres = (pool: pg.Pool): Kysely<DB> => new Kysely<DB>({ dialect: new PostgresDialect({ pool: withPreparedStatements(pool) }) });

/**
 * Connections of their own for the transactions that take a cluster-wide lock (routing). They run one
 * at a time anyway (the lock), and in the main pool they waited behind every queued send and read
 * before they could even ask for the lock: under load, seconds per routing decision (bench, routing).
 */
const LOCKED_POOL_SIZE = 2;

/**
 * SQLite's writes never run at once, so they need no lock: the transactions and the writer's batches
 * take turns in one line, the single writes aside take turns with the line, all committed in groups
 * (group-commit.ts), and between two groups the log is started over when long.
 */
function sqliteWrites({ db, checkpointer, writer }: SqliteParts): Pick<Database, 'transaction' | 'inTurn' | 'writeInTurn'> {
  const line = createGroupCommit(db, () => (checkpointer?.restartDue() ? checkpointer.restart() : undefined));
  const { aside: inTurn } = line;
  const transaction: Database['transaction'] = (fn) => line.transaction((tx) => fn(tx, noLock));
  // One runner per pair of statements: the line batches the writes that share it.
  const runners = new Map<TwoStatements, (params: Row) => Promise<Row | undefined>>();
  const writeInTurn = (statements: TwoStatements) => {
    let runner = runners.get(statements);
    if (!runner) {
      const run: Detached<Row, Row | undefined> = async (writes) => writer(statements, writes);
      runner = (params) => line.detached(run, params);
      runners.set(statements, runner);
    }
    return runner;
  };
  return { transaction, inTurn, writeInTurn };
}

const postgresTransaction =
  (db: Kysely<DB>, locked: Kysely<DB>): Database['transaction'] =>
  (fn, lock, later) =>
    retryingDeadlocks(() => {
      if (!lock) return db.transaction().execute((tx) => fn(tx, noLock));
      const key = LOCK_KEYS[lock];
      // Taken later, the lock waits on a connection of the main pool: most such transactions never take it.
      if (later) return db.transaction().execute((tx) => fn(tx, () => takeLock(tx, key)));
      return lockedTransaction(locked, key, fn);
    });

const DEADLOCK_ATTEMPTS = 3;

/**
 * Two transactions that each wait for a row the other has locked: PostgreSQL ends one of them, which
 * rolls back whole. Run again, it finds the other committed and goes through, so the command that
 * asked for it gets its answer instead of an internal error (the protocol fuzz met one: an agent's
 * assignment and status change against a shopper's send). A transaction writes only to the database
 * and commits or rolls back whole, so running it again is safe.
 */
async function retryingDeadlocks<T>(run: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await run();
    } catch (error) {
      if (attempt >= DEADLOCK_ATTEMPTS || !isDeadlock(error)) throw error;
    }
  }
}

/** The key is a constant of ours (LOCK_KEYS), not input. */
const lockStatement = (key: number) => `select pg_advisory_xact_lock(${key})`;
const takeLock = async (tx: Executor, key: number) => void (await sql.raw(lockStatement(key)).execute(tx));

/**
 * A transaction that first takes a cluster-wide lock; `tx` is its connection, for fn's own use until fn
 * settles (after that the connection is back in the pool). `begin` and the lock go to PostgreSQL as one
 * simple query (two statements, one round trip; the key is a constant of ours, not input): every
 * routing decision holds the lock until it commits, so each round trip before its first read is one
 * more the next decision waits for.
 */
function lockedTransaction<T>(locked: Kysely<DB>, key: number, fn: (tx: Executor, takeLock: () => Promise<void>) => Promise<T>): Promise<T> {
  return locked.connection().execute(async (tx) => {
    let result: T;
    try {
      await sql.raw(`begin; ${lockStatement(key)}`).execute(tx);
      result = await fn(tx, noLock);
    } catch (error) {
      // A broken connection cannot roll back; the pool drops it, and PostgreSQL ends its transaction.
      await sql`rollback`.execute(tx).catch(() => undefined);
      throw error;
    }
    // PostgreSQL answers a commit of a failed transaction (a statement whose error fn caught) with ROLLBACK.
    const { rows } = await sql<{ command: string }>`commit`.execute(tx);
    if (rows[0]?.command === 'ROLLBACK') throw new Error('the transaction was rolled back: one of its statements failed');
    return result;
  });
}

export function openDatabase(config: StoreConfig): Database {
  if (config.kind === 'sqlite') {
    const parts = openSqlite(config.file);
    const { db, checkpointer, searchIndex } = parts;
    const writes = sqliteWrites(parts);
    // The other connections first: the last one to close folds the log into the file and removes it.
    // Then the checkpointer's descriptor of the file, which no connection may outlive (closeFile).
    const close = async () => {
      await searchIndex?.stop();
      await checkpointer?.stop();
      await db.destroy();
      checkpointer?.closeFile();
    };
    return { ...databaseOf(db, 'sqlite', () => writes.transaction), ...writes, ...(searchIndex && { searchIndex }), migrate: () => migrateSqlite(parts.database, db), close };
  }
  const db = openPostgres(openPool(config.url, config.poolSize ?? 10));
  const locked = openPostgres(openPool(config.url, LOCKED_POOL_SIZE));
  const database = databaseOf(db, 'postgres', (main) => postgresTransaction(main, locked));
  return { ...database, close: async () => void (await Promise.all([db.destroy(), locked.destroy()])) };
}

function databaseOf(db: Kysely<DB>, dialect: Dialect, transaction: (db: Kysely<DB>) => Database['transaction']): Database {
  return {
    db,
    dialect,
    transaction: transaction(db),
    inTurn: (write) => write(db),
    migrate: () => migratePostgres(db),
    ping: async () => {
      await sql`select 1`.execute(db);
    },
    close: () => db.destroy(),
  };
}
