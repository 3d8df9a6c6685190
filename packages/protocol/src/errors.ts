import { z } from 'zod';

export const errorCodes = [
  'bad_request',
  'unauthorized',
  'forbidden',
  'not_found',
  'conflict',
  'too_large',
  'rate_limited',
  'unavailable',
  'internal',
] as const;

export const ErrorCodeSchema = z.enum(errorCodes);
export type ErrorCode = z.infer<typeof ErrorCodeSchema>;

/** What each code means, for integrators (docs/protocol.md is generated from this). */
export const errorCodeMeanings: Record<ErrorCode, string> = {
  bad_request: 'The payload failed validation, or the request makes no sense (empty message, unknown field value).',
  unauthorized: 'No, invalid, expired or revoked credentials (token, inbox key, identity hash).',
  forbidden: 'Authenticated, but not allowed: wrong role, origin not allowed, deactivated account.',
  not_found: 'No such resource, or one the caller may not see (visitors never learn which).',
  conflict: 'The resource is in a state that forbids the command (resolved conversation, taken email).',
  too_large: 'A message longer than the inbox limit, or an upload over the size limit.',
  rate_limited: 'Too many commands or attempts; wait and retry.',
  unavailable: 'The server is shutting down or a dependency does not answer; retry on another node.',
  internal: 'An unexpected error; details stay in the server log.',
};

export const httpStatusOf: Record<ErrorCode, number> = {
  bad_request: 400,
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  too_large: 413,
  rate_limited: 429,
  unavailable: 503,
  internal: 500,
};

export type ErrorBody = { code: ErrorCode; message: string };
export type Result<T> = { ok: true; data: T } | { ok: false; error: ErrorBody };

export const ok = <T>(data: T): Result<T> => ({ ok: true, data });
export const fail = (code: ErrorCode, message: string): Result<never> => ({ ok: false, error: { code, message } });

/** An error that carries its wire code; thrown inside the server, turned into a Result at the edge. */
export class KefuError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'KefuError';
  }
}

export const ResultSchema = <T extends z.ZodType>(data: T) =>
  z.discriminatedUnion('ok', [
    z.object({ ok: z.literal(true), data }),
    z.object({ ok: z.literal(false), error: z.object({ code: ErrorCodeSchema, message: z.string() }) }),
  ]);
