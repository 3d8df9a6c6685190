import type { Executor } from '../database.js';
import type { AuditLogTable } from '../schema.js';
import { newId, nowIso } from '../util.js';

export type AuditAction = AuditLogTable['action'];
export type AuditEntry = {
  action: AuditAction;
  actorId?: string | null;
  subjectId?: string | null;
  email?: string | null;
  ip?: string | null;
  detail?: Record<string, string | number | boolean | null>;
};
export type AuditRow = AuditLogTable;

export async function insertAuditEntry(db: Executor, entry: AuditEntry): Promise<AuditRow> {
  const row: AuditRow = {
    id: newId(),
    at: nowIso(),
    action: entry.action,
    actor_id: entry.actorId ?? null,
    subject_id: entry.subjectId ?? null,
    email: entry.email ?? null,
    ip: entry.ip ?? null,
    detail: entry.detail ? JSON.stringify(entry.detail) : null,
  };
  await db.insertInto('audit_log').values(row).execute();
  return row;
}

/** Newest first; `before` is the `at` and `id` of the last entry of the previous page. */
export function listAuditEntries(db: Executor, options: { limit: number; before?: { at: string; id: string } | undefined }): Promise<AuditRow[]> {
  let query = db.selectFrom('audit_log').selectAll().orderBy('at', 'desc').orderBy('id', 'desc').limit(options.limit);
  const before = options.before;
  if (before) query = query.where((eb) => eb.or([eb('at', '<', before.at), eb.and([eb('at', '=', before.at), eb('id', '<', before.id)])]));
  return query.execute();
}
