import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import SQLite from 'better-sqlite3';
import { Kysely, Migrator, PostgresDialect, SqliteDialect, sql, type PostgresPool, type PostgresPoolClient, type SqliteDatabase } from 'kysely';
import pg from 'pg';
import { createGroupCommit } from './group-commit.js';
import { migrationProvider } from './migrations.js';
import { searchText } from './search-text.js';
import { FALLBACK_AUTOCHECKPOINT_PAGES, startWalCheckpointer, type WalCheckpointer } from './wal-checkpointer.js';
import type { DB } from './schema.js';

export type StoreConfig = { kind: 'sqlite'; file: string } | { kind: 'postgres'; url: string; poolSize?: number };
export type Dialect = StoreConfig['kind'];
export type Executor = Kysely<DB>;

/** Lock keys for pg_advisory_xact_lock: one for the first-start bootstrap, one for every routing decision. */
const LOCK_KEYS = { bootstrap: 4_711_001, routing: 4_711_002 } as const;
export type LockName = keyof typeof LOCK_KEYS;

export type Database = {
  db: Kysely<DB>;
  dialect: Dialect;
  /** Runs fn in a transaction; on PostgreSQL it first takes the named cluster-wide transaction lock. */
  transaction<T>(fn: (tx: Executor) => Promise<T>, lock?: LockName): Promise<T>;
  migrate(): Promise<void>;
  ping(): Promise<void>;
  close(): Promise<void>;
};

// int8 (count(*)) arrives as a string from pg; our counts are small, so numbers are right.
pg.types.setTypeParser(20, (value: string) => Number(value));

function openSqlite(file: string): { db: Kysely<DB>; checkpointer: WalCheckpointer | null } {
  if (file !== ':memory:') mkdirSync(dirname(file), { recursive: true });
  const database = new SQLite(file);
  database.pragma('journal_mode = WAL');
  database.pragma('synchronous = NORMAL');
  database.pragma('foreign_keys = ON');
  database.pragma('busy_timeout = 5000');
  // The search index (migration 004, ops/search-index.ts) calls it for every message it indexes.
  database.function('kefu_search_text', { deterministic: true }, (body: unknown) => searchText(String(body)));
  // Checkpoints run off the event loop (wal-checkpointer.ts); the automatic one only if that stops.
  const checkpointer = file === ':memory:' ? null : startWalCheckpointer(file);
  if (checkpointer) database.pragma(`wal_autocheckpoint = ${FALLBACK_AUTOCHECKPOINT_PAGES}`);
  return { db: new Kysely<DB>({ dialect: new SqliteDialect({ database: withStatementCache(database) }) }), checkpointer };
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
  const wrap = (client: pg.PoolClient): PostgresPoolClient => ({
    release: (destroy) => client.release(destroy),
    // kefu streams no query, so Kysely never passes a cursor here: only (sql, parameters).
    query: ((text: string, values: readonly unknown[]) =>
      client.query({ name: values.length > 0 ? nameOf(text) : undefined, text, values: values as unknown[] })) as unknown as PostgresPoolClient['query'],
  });
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

// SQLite has one connection, so its transactions never run at once and need no lock; they are
// committed in groups (group-commit.ts), and between two groups the log is started over when it is long.
const sqliteTransaction =
  (checkpointer: WalCheckpointer | null) =>
  (db: Kysely<DB>): Database['transaction'] =>
    createGroupCommit(db, () => (checkpointer?.restartDue() ? checkpointer.restart() : undefined));

const postgresTransaction =
  (db: Kysely<DB>, locked: Kysely<DB>): Database['transaction'] =>
  (fn, lock) =>
    lock
      ? locked.transaction().execute(async (tx) => {
          await sql`select pg_advisory_xact_lock(${LOCK_KEYS[lock]})`.execute(tx);
          return fn(tx);
        })
      : db.transaction().execute(fn);

export function openDatabase(config: StoreConfig): Database {
  if (config.kind === 'sqlite') {
    const { db, checkpointer } = openSqlite(config.file);
    const database = databaseOf(db, 'sqlite', sqliteTransaction(checkpointer));
    // The checkpointer's connection first: the last one to close folds the log into the file and removes it.
    const close = async () => {
      await checkpointer?.stop();
      await db.destroy();
    };
    return { ...database, close };
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
    migrate: async () => {
      // Numbers are handed out to features ahead of time and land in any order: a database that already
      // ran 007 still gets 006 when it arrives (each migration runs once, whatever its place).
      const { error } = await new Migrator({ db, provider: migrationProvider, allowUnorderedMigrations: true }).migrateToLatest();
      if (error) throw error instanceof Error ? error : new Error('migration failed', { cause: error });
    },
    ping: async () => {
      await sql`select 1`.execute(db);
    },
    close: () => db.destroy(),
  };
}
