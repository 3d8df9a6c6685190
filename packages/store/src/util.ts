import { randomBytes, randomUUID } from 'node:crypto';
import type { Decision } from '@kefu/core';
import { KefuError, timeOrderedUuid } from '@kefu/protocol';
import { sql, type RawBuilder } from 'kysely';
import type { Dialect } from './database.js';

export const newId = (): string => randomUUID();
/**
 * A message's id, time-ordered (timeOrderedUuid), so that each new message goes to the end of the
 * messages' primary-key index instead of a random page of it. On SQLite a random page per message made
 * the group commit write one page more for each message of a batch (send-bench.js, 200 000 messages
 * stored: 195 µs a message against 140). Message ids are no secret (every reader of the conversation
 * has them); ids that are (sessions) stay random.
 */
export const newMessageId = (): string => timeOrderedUuid();
/** A URL-safe random token, for keys that appear in URLs (inbox keys, upload ids). */
export const randomKey = (bytes = 16): string => randomBytes(bytes).toString('base64url');
export const nowIso = (): string => new Date().toISOString();
/** Whole seconds from an ISO time to `nowMs`, never negative. */
export const secondsSince = (iso: string, nowMs: number): number => Math.max(0, Math.round((nowMs - Date.parse(iso)) / 1000));
export const toBool = (value: number): boolean => value === 1;
export const fromBool = (value: boolean): number => (value ? 1 : 0);

/** The items by key, each group in the items' order. */
export function groupBy<T>(items: Iterable<T>, key: (item: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const group = groups.get(key(item));
    if (group) group.push(item);
    else groups.set(key(item), [item]);
  }
  return groups;
}

/**
 * PostgreSQL refuses to run a prepared statement whose result columns have changed since it was
 * prepared: a `select *` of a table that a migration gave a column, on a node that was running when
 * another node migrated (a rolling upgrade). Every statement of that table the connection prepared
 * would fail alike, so the connection is closed (database.ts) and its successor prepares them anew.
 */
export function isStalePlan(error: unknown): boolean {
  const e = error as { code?: string; routine?: string; message?: string };
  // The routine's name, unlike the message, is not translated (lc_messages); the message is for a server that sends no routine.
  return e?.code === '0A000' && (e.routine === 'RevalidateCachedQuery' || /cached plan must not change result type/.test(e.message ?? ''));
}

/**
 * True when the database connection, not the query, failed: PostgreSQL ended the session
 * (57P01-57P03, class 08), the socket broke, or the connection's prepared statements went stale (it
 * is replaced). Worth a retry, so the wire says `unavailable`.
 */
export function isConnectionLoss(error: unknown): boolean {
  const e = error as { code?: string; message?: string };
  if (isStalePlan(error)) return true;
  if (typeof e?.code === 'string' && (/^57P0[123]$/.test(e.code) || /^08/.test(e.code) || ['ECONNREFUSED', 'ECONNRESET', 'EPIPE'].includes(e.code))) return true;
  return /Connection terminated|connection error|Client has encountered a connection error/i.test(e?.message ?? '');
}

/** PostgreSQL ended the transaction to break a deadlock (two transactions each waiting for the other's rows). */
export function isDeadlock(error: unknown): boolean {
  return (error as { code?: string } | null)?.code === '40P01';
}

export function isUniqueViolation(error: unknown): boolean {
  const e = error as { code?: string; message?: string };
  return e?.code === '23505' || e?.code === 'SQLITE_CONSTRAINT_UNIQUE' || /UNIQUE constraint failed/.test(e?.message ?? '');
}

/** Throws an authorization refusal (a Decision of @kefu/core's access policy) as the wire's KefuError. */
export function enforce(decision: Decision): void {
  if (!decision.ok) throw new KefuError(decision.code, decision.message);
}

/**
 * The inbox column to test `in (inboxIds)` in a query read in the order of another index. One inbox
 * has an index of its own in that order, and PostgreSQL's statistics choose; but SQLite keeps none in
 * kefu's databases, so for several inboxes it would read every row of them through the inbox's index
 * and sort them, where the order's index, read newest first, stops at the page. For it the column is
 * an expression, which no index answers.
 */
export const inboxColumn = (dialect: Dialect, column: string, inboxIds: readonly string[]): RawBuilder<string> =>
  dialect === 'sqlite' && inboxIds.length > 1 ? sql<string>`${sql.ref(column)} || ''` : sql.ref<string>(column);
