import { KefuError, type ErrorBody } from '@kefu/protocol';
import { isConnectionLoss } from '@kefu/store';
import type { Logger } from './logger.js';

/**
 * What anything thrown answers, in a command's ack, a handshake's connect_error or an HTTP response:
 * KefuErrors keep their code, a lost database connection is `unavailable` (logged as a warning:
 * clients retry), everything else `internal` (logged as an error, its details kept from the client).
 */
export function errorBodyOf(error: unknown, log: Logger, what: 'command' | 'handshake' | 'request', context: Record<string, unknown> = {}): ErrorBody {
  if (error instanceof KefuError) return { code: error.code, message: error.message };
  if (isConnectionLoss(error)) {
    log.warn({ err: error, ...context }, `${what} failed: the database connection was lost`);
    return { code: 'unavailable', message: 'the database did not answer; retry' };
  }
  log.error({ err: error, ...context }, `${what} failed`);
  return { code: 'internal', message: 'internal error' };
}
