import type { Executor } from '../database.js';

export async function getSetting(db: Executor, key: string): Promise<string | null> {
  const row = await db.selectFrom('settings').select('value').where('key', '=', key).executeTakeFirst();
  return row?.value ?? null;
}

/** Stores value unless the key exists; returns the value that is stored now (first writer wins). */
export async function setSettingIfAbsent(db: Executor, key: string, value: string): Promise<string> {
  await db.insertInto('settings').values({ key, value }).onConflict((oc) => oc.column('key').doNothing()).execute();
  return (await getSetting(db, key)) ?? value;
}

/** Next value of a named counter, under the row lock of its UPDATE (gapless across nodes). */
export async function nextCounter(db: Executor, name: string): Promise<number> {
  await db.insertInto('counters').values({ name, value: 0 }).onConflict((oc) => oc.column('name').doNothing()).execute();
  const row = await db
    .updateTable('counters')
    .set((eb) => ({ value: eb('value', '+', 1) }))
    .where('name', '=', name)
    .returning('value')
    .executeTakeFirstOrThrow();
  return row.value;
}
