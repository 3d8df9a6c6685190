import { randomBytes, randomUUID } from 'node:crypto';

export const newId = (): string => randomUUID();
/** A URL-safe random token, for keys that appear in URLs (inbox keys, upload ids). */
export const randomKey = (bytes = 16): string => randomBytes(bytes).toString('base64url');
export const nowIso = (): string => new Date().toISOString();
/** Whole seconds from an ISO time to `nowMs`, never negative. */
export const secondsSince = (iso: string, nowMs: number): number => Math.max(0, Math.round((nowMs - Date.parse(iso)) / 1000));
export const toBool = (value: number): boolean => value === 1;
export const fromBool = (value: boolean): number => (value ? 1 : 0);

export function isUniqueViolation(error: unknown): boolean {
  const e = error as { code?: string; message?: string };
  return e?.code === '23505' || e?.code === 'SQLITE_CONSTRAINT_UNIQUE' || /UNIQUE constraint failed/.test(e?.message ?? '');
}
