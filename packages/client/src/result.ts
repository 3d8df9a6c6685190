import type { Result } from '@kefu/protocol';
import { KefuClientError } from './errors.js';

/** Unwraps a Result, turning `ok: false` into a thrown KefuClientError. */
export function unwrap<T>(result: Result<T>): T {
  if (result.ok) return result.data;
  throw KefuClientError.fromBody(result.error);
}

/** Guards against a server (or proxy) acking with something that is not a Result at all. */
export function isResult(value: unknown): value is Result<unknown> {
  return typeof value === 'object' && value !== null && typeof (value as { ok?: unknown }).ok === 'boolean';
}

export function unavailable(message: string): Result<never> {
  return { ok: false, error: { code: 'unavailable', message } };
}
