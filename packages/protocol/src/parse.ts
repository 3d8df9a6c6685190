import type { z } from 'zod';
import { KefuError } from './errors.js';

/** Parses a payload or throws a `bad_request` KefuError that names the first offending field. */
export function parseOrThrow<S extends z.ZodType>(schema: S, value: unknown): z.output<S> {
  const result = schema.safeParse(value);
  if (result.success) {
    const nul = nulPath(result.data);
    if (nul !== null) throw new KefuError('bad_request', `${nul ? `${nul}: ` : ''}text may not contain the NUL character (U+0000)`);
    return result.data;
  }
  const issue = result.error.issues[0];
  const where = issue && issue.path.length > 0 ? `${issue.path.join('.')}: ` : '';
  throw new KefuError('bad_request', `${where}${issue?.message ?? 'invalid payload'}`);
}

/**
 * Where a string holding U+0000 sits in a parsed payload ('' for the payload itself), or null.
 * PostgreSQL cannot store that character in text, so no store accepts it: a payload that holds it
 * is a bad request everywhere, instead of an internal error on one store and stored on the other.
 */
export function nulPath(value: unknown, path = ''): string | null {
  if (typeof value === 'string') return value.includes('\u0000') ? path : null;
  if (typeof value !== 'object' || value === null) return null;
  for (const [key, item] of Object.entries(value)) {
    const found = nulPath(item, path ? `${path}.${key}` : key);
    if (found !== null) return found;
  }
  return null;
}
