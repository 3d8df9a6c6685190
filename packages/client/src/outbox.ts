import type { Socket } from 'socket.io-client';
import { waitForConnect } from './connection-wait.js';
import { delay } from './delay.js';
import { emitOnce } from './emit-once.js';
import { closedError, KefuClientError } from './errors.js';

export type OutboxTiming = {
  /** How long one attempt waits for its ack before sending again. */
  attemptTimeoutMs: number;
  /** Give up (reject with `unavailable`) this long after the first attempt. */
  deadlineMs: number;
};

/**
 * Emits `payload` until the server acks it. The payload — and so its clientMsgId — is the same object
 * on every attempt: that is what lets the server recognise a retry and answer with the original
 * message instead of storing a second one. While disconnected it waits for the reconnection, so an
 * outage does not burn attempts and the resend goes out as soon as the socket is back.
 */
export async function sendUntilAcked(
  socket: Socket,
  command: string,
  payload: unknown,
  timing: OutboxTiming,
  signal: AbortSignal,
): Promise<unknown> {
  const deadline = Date.now() + timing.deadlineMs;
  for (let attempt = 1; ; attempt++) {
    assertUsable(command, deadline, signal);
    await waitForConnect(socket, deadline, signal);
    const timeoutMs = Math.min(timing.attemptTimeoutMs, deadline - Date.now());
    const result = await emitOnce(socket, command, payload, timeoutMs);
    if (result?.ok) return result.data;
    if (result && result.error.code !== 'unavailable') throw KefuClientError.fromBody(result.error);
    // `unavailable` means this node is draining: back off so the disconnect (and our move to another
    // node) happens before the next attempt.
    if (result) await delay(Math.min(backoffMs(attempt), deadline - Date.now()), signal);
  }
}

function assertUsable(command: string, deadline: number, signal: AbortSignal): void {
  if (signal.aborted) throw closedError();
  if (Date.now() >= deadline) throw new KefuClientError('unavailable', `${command} was not acknowledged in time`);
}

function backoffMs(attempt: number): number {
  return Math.min(100 * 2 ** (attempt - 1), 2_000);
}
