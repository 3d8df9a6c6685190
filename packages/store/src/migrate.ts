import type SQLite from 'better-sqlite3';
import { Kysely, Migrator, SqliteAdapter, SqliteDialect, type MigrationResultSet } from 'kysely';
import { migrationProvider, OWN_TRANSACTION } from './migrations.js';
import type { DB } from './schema.js';

// Numbers are handed out to features ahead of time and land in any order: a database that already ran
// 007 still gets 006 when it arrives (each migration runs once, whatever its place).
const migratorOn = (db: Kysely<DB>) => new Migrator({ db, provider: migrationProvider, allowUnorderedMigrations: true });

/** Throws what failed; an error that is no `Error` of this realm (a native driver's, seen from another) keeps its message. */
function check({ error }: MigrationResultSet): void {
  if (!error) return;
  if (error instanceof Error) throw error;
  const message = typeof error === 'object' && error !== null && 'message' in error && typeof error.message === 'string' ? error.message : JSON.stringify(error);
  throw new Error(`migration failed: ${message}`, { cause: error });
}

/** PostgreSQL: every pending migration, in one transaction with their records (Kysely's own way there). */
export async function migratePostgres(db: Kysely<DB>): Promise<void> {
  check(await migratorOn(db).migrateToLatest());
}

/**
 * SQLite: the pending migrations one at a time, each in a transaction with its record, so that a crash
 * or a failure part way through one (a full disk, a killed process) leaves it undone, to run whole at
 * the next start. Kysely's adapter does not claim SQLite's transactional DDL, and without it a failed
 * migration kept the statements it had run: the next start failed on them ("duplicate column name")
 * and the desk could not start without a hand-edited database. A migration that runs a transaction of
 * its own (OWN_TRANSACTION) runs as Kysely runs it.
 */
export async function migrateSqlite(database: SQLite.Database, db: Kysely<DB>): Promise<void> {
  const inTransactions = new Kysely<DB>({
    // The store's connection, never closed from here (Kysely's destroy would close it).
    dialect: new TransactionalDdlSqliteDialect({ database: { prepare: (text: string) => database.prepare(text), close: () => undefined } }),
  });
  for (;;) {
    const next = (await migratorOn(db).getMigrations()).find((migration) => migration.executedAt === undefined);
    if (!next) return;
    check(await migratorOn(OWN_TRANSACTION.has(next.name) ? db : inTransactions).migrateUp());
  }
}

class TransactionalDdlSqliteDialect extends SqliteDialect {
  override createAdapter(): SqliteAdapter {
    return new (class extends SqliteAdapter {
      override get supportsTransactionalDdl(): boolean {
        return true;
      }
    })();
  }
}
