import type { Result } from '@kefu/protocol';
import type { Socket } from 'socket.io-client';
import { emitOnce } from './emit-once.js';
import { unavailable } from './result.js';

export type RequestOptions = {
  /** How long to wait for each ack. */
  timeoutMs?: number;
  /** Extra attempts after a missing ack. Only safe for idempotent commands, hence 0 by default. */
  retries?: number;
};

/**
 * Emits a command and returns the server's Result. Only a missing ack is retried: an `ok: false`
 * answer is the server's decision and asking again would not change it.
 */
export async function requestWithRetry(
  socket: Socket,
  command: string,
  payload: unknown,
  timeoutMs: number,
  retries: number,
): Promise<Result<unknown>> {
  const attempts = Math.max(0, retries) + 1;
  for (let attempt = 1; attempt <= attempts; attempt++) {
    const result = await emitOnce(socket, command, payload, timeoutMs);
    if (result) return result;
  }
  return unavailable(`no ack for ${command} after ${attempts} attempt(s) of ${timeoutMs} ms`);
}
