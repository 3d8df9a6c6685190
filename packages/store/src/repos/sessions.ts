import type { Executor } from '../database.js';
import type { SessionsTable } from '../schema.js';
import { newId, nowIso } from '../util.js';

export type SessionRow = SessionsTable;

export async function insertSession(db: Executor, agentId: string, ttlMs: number): Promise<SessionRow> {
  const row: SessionRow = {
    id: newId(),
    agent_id: agentId,
    created_at: nowIso(),
    expires_at: new Date(Date.now() + ttlMs).toISOString(),
    revoked_at: null,
  };
  await db.insertInto('sessions').values(row).execute();
  return row;
}

export const findSession = (db: Executor, id: string): Promise<SessionRow | undefined> =>
  db.selectFrom('sessions').selectAll().where('id', '=', id).executeTakeFirst();

export async function revokeSession(db: Executor, id: string): Promise<void> {
  await db.updateTable('sessions').set({ revoked_at: nowIso() }).where('id', '=', id).where('revoked_at', 'is', null).execute();
}

export async function revokeSessionsOfAgent(db: Executor, agentId: string): Promise<string[]> {
  const rows = await db
    .updateTable('sessions')
    .set({ revoked_at: nowIso() })
    .where('agent_id', '=', agentId)
    .where('revoked_at', 'is', null)
    .returning('id')
    .execute();
  return rows.map((r) => r.id);
}
