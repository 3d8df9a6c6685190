import type { ErrorBody, ErrorCode } from '@kefu/protocol';

/** Every failure the SDK reports carries a wire ErrorCode, so callers branch on the server's codes. */
export class KefuClientError extends Error {
  readonly code: ErrorCode;

  constructor(code: ErrorCode, message: string = code, options?: ErrorOptions) {
    super(message, options);
    this.name = 'KefuClientError';
    this.code = code;
  }

  static fromBody(error: ErrorBody): KefuClientError {
    return new KefuClientError(error.code, error.message);
  }
}

// Typed as a Record over ErrorCode so the compiler flags any drift from the protocol's list,
// without importing that list as a value (which would pull zod into browser bundles).
const knownCodes: Record<ErrorCode, true> = {
  bad_request: true,
  unauthorized: true,
  forbidden: true,
  not_found: true,
  conflict: true,
  too_large: true,
  rate_limited: true,
  unavailable: true,
  internal: true,
};

export function isErrorCode(value: unknown): value is ErrorCode {
  return typeof value === 'string' && Object.hasOwn(knownCodes, value);
}

/** The server refuses a handshake with an Error whose message is the code; anything else is transport. */
export function errorFromConnectError(err: Error): KefuClientError {
  if (isErrorCode(err.message)) return new KefuClientError(err.message, err.message);
  return new KefuClientError('unavailable', err.message, { cause: err });
}

export function closedError(): KefuClientError {
  return new KefuClientError('unavailable', 'client closed');
}
