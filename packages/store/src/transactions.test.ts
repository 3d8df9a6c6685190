import { describe, expect, it } from '@jest/globals';
import { migratedStore } from './test-store.js';

/** Transactions that run at once (on SQLite: committed as one group) stay independent of each other. */
describe.each(['sqlite', 'postgres'] as const)('transactions on %s', (kind) => {
  const store = migratedStore(kind);

  const keys = async (prefix: string) =>
    (await store.db.db.selectFrom('settings').select('key').where('key', 'like', `${prefix}%`).orderBy('key').execute()).map((r) => r.key);

  it('rolls back only the one that failed; the others commit and see each other', async () => {
    const write = (i: number) =>
      store.db.transaction(async (tx) => {
        await tx.insertInto('settings').values({ key: `group-${String(i).padStart(2, '0')}`, value: 'v' }).execute();
        if (i === 7) throw new Error('seven fails after writing');
        return i;
      });
    const outcomes = await Promise.allSettled(Array.from({ length: 20 }, (_, i) => write(i)));
    expect(outcomes.filter((o) => o.status === 'fulfilled').map((o) => o.value)).toEqual(
      Array.from({ length: 20 }, (_, i) => i).filter((i) => i !== 7),
    );
    expect(outcomes[7]).toEqual({ status: 'rejected', reason: new Error('seven fails after writing') });
    const stored = await keys('group-');
    expect(stored).toHaveLength(19);
    expect(stored).not.toContain('group-07');
  });

  it('resolves a transaction only once its writes are visible to every reader', async () => {
    const results = await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        store.db.transaction((tx) => tx.insertInto('settings').values({ key: `visible-${i}`, value: 'v' }).execute()).then(() => store.db.db.selectFrom('settings').select('key').where('key', '=', `visible-${i}`).executeTakeFirst()),
      ),
    );
    expect(results.every((row) => row !== undefined)).toBe(true);
  });

  it('a unique violation in one transaction leaves the rest of its group committed', async () => {
    await store.db.transaction((tx) => tx.insertInto('settings').values({ key: 'taken', value: 'first' }).execute());
    const outcomes = await Promise.allSettled([
      store.db.transaction((tx) => tx.insertInto('settings').values({ key: 'before-taken', value: 'v' }).execute()),
      store.db.transaction((tx) => tx.insertInto('settings').values({ key: 'taken', value: 'second' }).execute()),
      store.db.transaction((tx) => tx.insertInto('settings').values({ key: 'after-taken', value: 'v' }).execute()),
    ]);
    expect(outcomes.map((o) => o.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect(await keys('')).toEqual(expect.arrayContaining(['before-taken', 'after-taken', 'taken']));
    const taken = await store.db.db.selectFrom('settings').select('value').where('key', '=', 'taken').executeTakeFirst();
    expect(taken?.value).toBe('first');
  });
});
