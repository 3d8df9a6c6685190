import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Migrator, sql, type Migration } from 'kysely';
import { openDatabase, type Database } from './database.js';
import { migrationProvider } from './migrations.js';
import { migratedStore } from './test-store.js';
import { createTestStore, type TestStore } from './testing.js';

/** Migrations merged out of order (006 after 007 ran) still run, once, on both stores. */
describe.each(['sqlite', 'postgres'] as const)('migrations on %s', (kind) => {
  let test: TestStore;
  let db: Database;
  beforeAll(async () => {
    test = await createTestStore(kind);
    db = openDatabase(test.config);
  });
  afterAll(async () => {
    await db?.close();
    await test?.drop();
  });

  it('runs a migration numbered before one that already ran', async () => {
    const all = await migrationProvider.getMigrations();
    const without006: Record<string, Migration> = Object.fromEntries(Object.entries(all).filter(([name]) => !name.startsWith('006_')));
    const early = await new Migrator({ db: db.db, provider: { getMigrations: async () => without006 } }).migrateToLatest();
    expect(early.error).toBeUndefined();
    expect(early.results?.some((r) => r.migrationName.startsWith('007_'))).toBe(true);

    await db.migrate();
    const ran = await sql<{ name: string }>`select name from kysely_migration order by name`.execute(db.db);
    expect(ran.rows.map((r) => r.name)).toEqual(Object.keys(all).sort());
    await db.migrate();
    expect((await sql<{ name: string }>`select name from kysely_migration`.execute(db.db)).rows).toHaveLength(Object.keys(all).length);
  });
});

/** The search index merges its pending list in small steps, never in one long stop of a send (010). */
describe('the search index on postgres', () => {
  const store = migratedStore('postgres');

  it('keeps a pending list of 64 kB', async () => {
    const { rows } = await sql<{ reloptions: string[] | null }>`select reloptions from pg_class where relname = 'messages_search'`.execute(store.db.db);
    expect(rows).toEqual([{ reloptions: ['gin_pending_list_limit=64'] }]);
  });
});
