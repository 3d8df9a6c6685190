import type { CannedResponse } from '@kefu/protocol';
import type { Executor } from '../database.js';
import { newId, nowIso } from '../util.js';

export const listCanned = (db: Executor): Promise<CannedResponse[]> =>
  db.selectFrom('canned_responses').select(['id', 'shortcut', 'body']).orderBy('shortcut').execute();

export async function insertCanned(db: Executor, canned: { shortcut: string; body: string }): Promise<CannedResponse> {
  const row = { id: newId(), shortcut: canned.shortcut.toLowerCase(), body: canned.body, created_at: nowIso() };
  await db.insertInto('canned_responses').values(row).execute();
  return { id: row.id, shortcut: row.shortcut, body: row.body };
}

export async function deleteCanned(db: Executor, id: string): Promise<boolean> {
  const result = await db.deleteFrom('canned_responses').where('id', '=', id).executeTakeFirst();
  return Number(result.numDeletedRows) > 0;
}
