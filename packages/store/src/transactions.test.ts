import { describe, expect, it } from '@jest/globals';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { sql, type Transaction } from 'kysely';
import type { Executor } from './database.js';
import { createGroupCommit } from './group-commit.js';
import { migratedStore } from './test-store.js';
import type { DB } from './schema.js';

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

/** Transactions that take a cluster-wide lock (routing, and the first start's bootstrap). */
describe.each(['sqlite', 'postgres'] as const)('locked transactions on %s', (kind) => {
  const store = migratedStore(kind);

  it('rolls back a failed one and leaves its connection usable for the next ones', async () => {
    const failed = store.db.transaction(async (tx) => {
      await tx.insertInto('settings').values({ key: 'locked-failed', value: 'v' }).execute();
      throw new Error('fails after writing');
    }, 'routing');
    await expect(failed).rejects.toThrow('fails after writing');
    // More than the locked pool has connections: one left inside the failed transaction would refuse.
    for (let i = 0; i < 4; i++) {
      await store.db.transaction((tx) => tx.insertInto('settings').values({ key: `locked-${i}`, value: 'v' }).execute(), 'routing');
    }
    const keys = (await store.db.db.selectFrom('settings').select('key').where('key', 'like', 'locked-%').orderBy('key').execute()).map((r) => r.key);
    expect(keys).toEqual(['locked-0', 'locked-1', 'locked-2', 'locked-3']);
  });

  it('returns what the function returned, after the commit', async () => {
    const value = await store.db.transaction(async (tx) => {
      await tx.insertInto('settings').values({ key: 'locked-returned', value: 'v' }).execute();
      return 42;
    }, 'routing');
    expect(value).toBe(42);
    expect(await store.db.db.selectFrom('settings').select('key').where('key', '=', 'locked-returned').executeTakeFirst()).toBeDefined();
  });
});

describe('deadlocks on postgres', () => {
  const store = migratedStore('postgres');

  it('runs again the transaction PostgreSQL ended in a deadlock, and both that waited for each other commit', async () => {
    await store.db.db.insertInto('settings').values([{ key: 'deadlock-a', value: '0' }, { key: 'deadlock-b', value: '0' }]).execute();
    const bump = (tx: Executor, key: string) =>
      sql`update settings set value = (value::int + 1)::text where key = ${key}`.execute(tx);
    // Each takes its first row, then waits until the other has too, then asks for the other's row.
    let firstLocks = 0;
    let bothLocked!: () => void;
    const locked = new Promise<void>((resolve) => (bothLocked = resolve));
    const runs = { ab: 0, ba: 0 };
    const crosswise = (name: 'ab' | 'ba', first: string, second: string) =>
      store.db.transaction(async (tx) => {
        runs[name]++;
        await bump(tx, first);
        if (++firstLocks === 2) bothLocked();
        await locked;
        await bump(tx, second);
        return name;
      });
    expect(await Promise.all([crosswise('ab', 'deadlock-a', 'deadlock-b'), crosswise('ba', 'deadlock-b', 'deadlock-a')])).toEqual(['ab', 'ba']);
    // One of them ran twice; each row was bumped once by each, none by the rolled-back run.
    expect(runs.ab + runs.ba).toBe(3);
    const values = await store.db.db.selectFrom('settings').select(['key', 'value']).where('key', 'like', 'deadlock-%').orderBy('key').execute();
    expect(values).toEqual([
      { key: 'deadlock-a', value: '2' },
      { key: 'deadlock-b', value: '2' },
    ]);
  });
});

describe('the routing lock on postgres', () => {
  const store = migratedStore('postgres');

  it('rejects a locked transaction whose failed statement fn caught, instead of reporting a rolled-back commit', async () => {
    const swallowed = store.db.transaction(async (tx) => {
      await tx.insertInto('settings').values({ key: 'lock-swallowed', value: 'v' }).execute();
      await tx.insertInto('settings').values({ key: 'lock-swallowed', value: 'again' }).execute().catch(() => undefined);
      return 'done';
    }, 'routing');
    await expect(swallowed).rejects.toThrow('rolled back');
    expect(await store.db.db.selectFrom('settings').select('key').where('key', '=', 'lock-swallowed').executeTakeFirst()).toBeUndefined();
  });

  it('holds a second locked transaction until the first commits', async () => {
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    let entered!: () => void;
    const inside = new Promise<void>((resolve) => (entered = resolve));
    const first = store.db.transaction(async (tx) => {
      await tx.insertInto('settings').values({ key: 'lock-first', value: 'v' }).execute();
      entered();
      await released;
    }, 'routing');
    await inside;
    const second = store.db.transaction(
      async (tx) => (await tx.selectFrom('settings').select('key').where('key', '=', 'lock-first').executeTakeFirst()) !== undefined,
      'routing',
    );
    // The second waits on the advisory lock, not on anything of ours: PostgreSQL says so. Without the
    // lock it would run through instead, and the assertion below says what went wrong.
    let settled = false;
    void second.then(
      () => (settled = true),
      () => (settled = true),
    );
    const waiting = async () =>
      (
        await sql<{ n: number }>`select count(*)::int as n from pg_locks
          where locktype = 'advisory' and not granted and database = (select oid from pg_database where datname = current_database())`.execute(store.db.db)
      ).rows[0]!.n > 0;
    while (!settled && !(await waiting())) await new Promise((resolve) => setImmediate(resolve));
    release();
    await first;
    // Its statements ran after the first's commit, so they see its write.
    expect(await second).toBe(true);
  });
});


/** The embedded store's group commit waits for what `beforeBatch` returns (the WAL checkpointer's restart). */
describe('group commit held between batches (SQLite)', () => {
  const store = migratedStore('sqlite');

  it('starts no batch while held; what was asked for meanwhile goes into the next one, once released', async () => {
    let release!: () => void;
    const hold = new Promise<void>((resolve) => (release = resolve));
    let holds = 0;
    const { transaction } = createGroupCommit(store.db.db, () => (holds++ === 0 ? hold : undefined));
    const ran: string[] = [];
    const seen = new Set<unknown>();
    const write = (key: string) =>
      transaction(async (tx) => {
        seen.add(tx);
        ran.push(key);
        await tx.insertInto('settings').values({ key, value: 'v' }).execute();
      });
    const writes = [write('held-a')];
    await nextTurn();
    writes.push(write('held-b'), write('held-c'));
    await nextTurn();
    expect(ran).toEqual([]);
    release();
    await Promise.all(writes);
    expect(ran).toEqual(['held-a', 'held-b', 'held-c']);
    expect(seen.size).toBe(1);
  });
});

/** Work of the writer (sqlite-writer.ts) takes its turn in the group commit's line. */
describe('detached work in the group commit (SQLite)', () => {
  const store = migratedStore('sqlite');

  it('hands the detached jobs at the head of the line to their runner together, and runs nothing else until they settle', async () => {
    const { transaction, detached } = createGroupCommit(store.db.db);
    const ran: string[] = [];
    let started!: () => void;
    const runnerStarted = new Promise<void>((resolve) => (started = resolve));
    let finish!: () => void;
    const held = new Promise<void>((resolve) => (finish = resolve));
    const runner = async (inputs: string[]): Promise<PromiseSettledResult<string>[]> => {
      ran.push(`detached ${inputs.join(',')}`);
      started();
      await held;
      return inputs.map((input) => (input === 'bad' ? { status: 'rejected', reason: new Error('bad input') } : { status: 'fulfilled', value: input.toUpperCase() }));
    };
    const write = (key: string) =>
      transaction(async (tx) => {
        ran.push(`transaction ${key}`);
        await tx.insertInto('settings').values({ key: `detached-${key}`, value: 'v' }).execute();
        return key;
      });
    const outcomes = Promise.allSettled([write('a'), detached(runner, 'x'), detached(runner, 'bad'), detached(runner, 'y'), write('b')]);
    await runnerStarted;
    await nextTurn();
    expect(ran).toEqual(['transaction a', 'detached x,bad,y']);
    finish();
    expect(await outcomes).toEqual([
      { status: 'fulfilled', value: 'a' },
      { status: 'fulfilled', value: 'X' },
      { status: 'rejected', reason: new Error('bad input') },
      { status: 'fulfilled', value: 'Y' },
      { status: 'fulfilled', value: 'b' },
    ]);
    expect(ran).toEqual(['transaction a', 'detached x,bad,y', 'transaction b']);
  });
});

/** Writes that need no place in the line (Database.inTurn on SQLite) wait beside it. */
describe('writes aside in the group commit (SQLite)', () => {
  const store = migratedStore('sqlite');

  it('runs them together, taking turns with the line, so that one between two detached jobs does not split their batch', async () => {
    const { transaction, detached, aside } = createGroupCommit(store.db.db);
    const ran: string[] = [];
    const transactions = new Map<string, unknown>();
    const write = (kind: string, key: string) => async (tx: Transaction<DB>) => {
      ran.push(`${kind} ${key}`);
      transactions.set(key, tx);
      await tx.insertInto('settings').values({ key: `aside-${key}`, value: 'v' }).execute();
      return key;
    };
    const later: Promise<string>[] = [];
    const runner = async (inputs: string[]): Promise<PromiseSettledResult<string>[]> => {
      ran.push(`detached ${inputs.join(',')}`);
      // Asked for while the first detached batch runs: the aside write goes before the line's next batch.
      if (inputs[0] === 'x') later.push(aside(write('aside', 'c')), detached(runner, 'z'));
      return inputs.map((input) => ({ status: 'fulfilled', value: input }));
    };
    const first = await Promise.all([
      detached(runner, 'x'),
      aside(write('aside', 'a')),
      detached(runner, 'y'),
      aside(write('aside', 'b')),
      transaction(write('transaction', 't')),
    ]);
    expect(first).toEqual(['x', 'a', 'y', 'b', 't']);
    expect(await Promise.all(later)).toEqual(['c', 'z']);
    expect(ran).toEqual(['aside a', 'aside b', 'detached x,y', 'aside c', 'transaction t', 'detached z']);
    expect(transactions.get('a')).toBe(transactions.get('b'));
  });
});
