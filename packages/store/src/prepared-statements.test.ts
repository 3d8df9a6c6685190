import { describe, expect, it } from '@jest/globals';
import { sql } from 'kysely';
import { openDatabase, type Database } from './database.js';
import { migratedStore } from './test-store.js';
import { createTestStore } from './testing.js';
import { isConnectionLoss, isStalePlan } from './util.js';

/** PostgreSQL: statements with parameters are prepared once per connection and reused (database.ts). */
describe('prepared statements on postgres', () => {
  const store = migratedStore('postgres');

  // In one transaction: one connection, so the statements prepared are this connection's.
  const preparedIn = (run: (tx: Database['db']) => Promise<void>) =>
    store.db.db.transaction().execute(async (tx) => {
      await run(tx);
      const { rows } = await sql<{ name: string; statement: string }>`select name, statement from pg_prepared_statements`.execute(tx);
      return rows;
    });

  it('prepares a statement with parameters once, and runs it again by name with other values', async () => {
    const prepared = await preparedIn(async (tx) => {
      for (const key of ['a', 'b', 'c']) await tx.insertInto('settings').values({ key: `prepared-${key}`, value: key }).execute();
    });
    const inserts = prepared.filter((p) => p.statement.startsWith('insert into "settings"'));
    expect(inserts).toHaveLength(1);
    expect(inserts[0]!.name).toMatch(/^kefu_\d+$/);
    const stored = await store.db.db.selectFrom('settings').select('value').where('key', 'like', 'prepared-%').orderBy('key').execute();
    expect(stored.map((r) => r.value)).toEqual(['a', 'b', 'c']);
  });

  it('keeps statements without parameters unnamed (begin, commit, DDL)', async () => {
    const prepared = await preparedIn(async (tx) => {
      await sql`select 1`.execute(tx);
    });
    expect(prepared.map((p) => p.statement)).not.toContain('select 1');
  });

  it('still runs texts beyond the bound, unnamed, with the right results', async () => {
    // 1 100 distinct texts, each with a parameter: more than the names handed out.
    const prepared = await preparedIn(async (tx) => {
      for (let i = 0; i < 1_100; i++) {
        const { rows } = await sql<{ n: number }>`select ${sql.raw(String(i))} + ${1}::int as n`.execute(tx);
        expect(rows).toEqual([{ n: i + 1 }]);
      }
    });
    expect(prepared.length).toBeLessThanOrEqual(1_000);
  });

  // A rolling upgrade: another node migrates while this one runs. One connection, so that the statement
  // prepared before the change is the one run after it.
  it('replaces a connection whose statements a migration made stale: one query fails, worth a retry, and the next runs', async () => {
    const test = await createTestStore('postgres');
    const db = openDatabase(test.config.kind === 'postgres' ? { ...test.config, poolSize: 1 } : test.config);
    try {
      await sql`create table upgraded (id text primary key)`.execute(db.db);
      await sql`insert into upgraded values (${'a'})`.execute(db.db);
      const read = () => sql<Record<string, string>>`select * from upgraded where id = ${'a'}`.execute(db.db);
      expect((await read()).rows).toEqual([{ id: 'a' }]);
      await sql`alter table upgraded add column added text default 'new'`.execute(db.db);

      const failed = await read().catch((error: unknown) => error);
      expect(failed).toMatchObject({ code: '0A000', routine: 'RevalidateCachedQuery' });
      expect(isConnectionLoss(failed)).toBe(true);
      expect((await read()).rows).toEqual([{ id: 'a', added: 'new' }]);
    } finally {
      await db.close();
      await test.drop();
    }
  });

  // PostgreSQL translates its messages (lc_messages), not the name of the routine that raised them.
  it('knows a stale plan by its routine, whatever language the server speaks', () => {
    const translated = 'le plan mis en cache ne doit pas modifier le type de résultat';
    expect(isStalePlan({ code: '0A000', routine: 'RevalidateCachedQuery', message: translated })).toBe(true);
    expect(isStalePlan({ code: '0A000', routine: 'ExecSomethingElse', message: 'feature not supported' })).toBe(false);
  });
});
