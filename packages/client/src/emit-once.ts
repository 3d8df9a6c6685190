import type { Result } from '@kefu/protocol';
import type { Socket } from 'socket.io-client';
import { isResult } from './result.js';

/**
 * One emit of a command. Returns `null` when no ack came: the timeout fired, or the connection
 * dropped first (socket.io-client then fails the ack at once rather than at the timeout).
 */
export async function emitOnce(
  socket: Socket,
  command: string,
  payload: unknown,
  timeoutMs: number,
): Promise<Result<unknown> | null> {
  let ack: unknown;
  try {
    ack = await socket.timeout(Math.max(1, timeoutMs)).emitWithAck(command, payload);
  } catch {
    return null;
  }
  if (isResult(ack)) return ack;
  return { ok: false, error: { code: 'internal', message: `malformed ack for ${command}` } };
}
