import type { z } from 'zod';
import { KefuError } from './errors.js';

/** Parses a payload or throws a `bad_request` KefuError that names the first offending field. */
export function parseOrThrow<S extends z.ZodType>(schema: S, value: unknown): z.output<S> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const where = issue && issue.path.length > 0 ? `${issue.path.join('.')}: ` : '';
  throw new KefuError('bad_request', `${where}${issue?.message ?? 'invalid payload'}`);
}
