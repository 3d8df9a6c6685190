import { AuditQuerySchema, KefuError, parseOrThrow, type AuditEntry } from '@kefu/protocol';
import { insertAuditEntry, listAuditEntries, type AuditEntry as AuditInput, type AuditRow } from '@kefu/store';
import type { AppContext } from '../context.js';

/**
 * The audit trail of accounts: logins (success and failure), password, role and activation changes.
 * Each entry is a structured log line (`msg: "audit"`) and a row admins read at GET /api/admin/audit.
 * Entries hold ids, the email a login named, the client address and a few words of detail: never a
 * password, hash or token. A store that cannot take the row does not fail the login it describes.
 */
export async function recordAudit(ctx: Pick<AppContext, 'db' | 'log'>, entry: AuditInput): Promise<void> {
  ctx.log.info({ audit: entry }, 'audit');
  try {
    await ctx.db.inTurn((tx) => insertAuditEntry(tx, entry));
  } catch (error) {
    ctx.log.error({ err: error, action: entry.action }, 'audit entry not stored');
  }
}

const toEntry = (row: AuditRow): AuditEntry => ({
  id: row.id,
  at: row.at,
  action: row.action,
  actorId: row.actor_id,
  subjectId: row.subject_id,
  email: row.email,
  ip: row.ip,
  detail: row.detail ? (JSON.parse(row.detail) as AuditEntry['detail']) : null,
});

const encodeCursor = (row: AuditRow) => Buffer.from(JSON.stringify([row.at, row.id])).toString('base64url');

function decodeCursor(cursor: string): { at: string; id: string } {
  try {
    const [at, id] = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as unknown[];
    if (typeof at === 'string' && typeof id === 'string') return { at, id };
  } catch {
    // falls through to the refusal
  }
  throw new KefuError('bad_request', 'before: not a cursor this server gave out');
}

/** One page of the audit log, newest first. */
export async function auditPage(ctx: Pick<AppContext, 'db'>, query: unknown): Promise<{ entries: AuditEntry[]; nextCursor: string | null }> {
  const { limit = 50, before } = parseOrThrow(AuditQuerySchema, query);
  const rows = await listAuditEntries(ctx.db.db, { limit: limit + 1, before: before === undefined ? undefined : decodeCursor(before) });
  const page = rows.slice(0, limit);
  return { entries: page.map(toEntry), nextCursor: rows.length > limit ? encodeCursor(page.at(-1)!) : null };
}
