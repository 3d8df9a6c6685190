import type { ErrorCode } from '@kefu/protocol';
import type { Socket } from 'socket.io-client';

/**
 * Handshake failures worth another attempt: `unavailable` (a draining node refusing new sessions, or
 * a transport failure: node down, unreachable, timed out) and `internal` (a transient server failure).
 * `unauthorized` / `forbidden` are final: asking again would get the same answer.
 */
export function isRetryableHandshakeCode(code: ErrorCode): boolean {
  return code === 'unavailable' || code === 'internal';
}

/**
 * socket.io-client retries transport failures on its own, but a handshake refused by the server's
 * middleware (a CONNECT_ERROR packet) ends its reconnection for good, whatever the code: a client
 * reconnecting into a draining node would stay offline. This retries retryable refusals with a
 * growing, jittered, bounded delay (socketOptions.reconnectionDelay … reconnectionDelayMax) while the
 * client is open and socket.io reconnection is enabled, honouring `reconnectionAttempts`.
 */
export class HandshakeRetry {
  private failures = 0;
  private timer: ReturnType<typeof setTimeout> | undefined;

  constructor(
    private readonly socket: Socket,
    private readonly signal: AbortSignal,
  ) {
    socket.on('connect', () => {
      this.failures = 0;
    });
    signal.addEventListener('abort', () => clearTimeout(this.timer), { once: true });
  }

  /** Handles one connect_error; returns whether another attempt will follow. */
  afterConnectError(code: ErrorCode): boolean {
    const manager = this.socket.io;
    if (this.signal.aborted || !isRetryableHandshakeCode(code) || !manager.reconnection()) return false;
    this.failures++;
    // A transport failure leaves the socket active: its Manager retries by itself, with its own backoff
    // (and says `reconnect_failed` when it runs out of attempts).
    if (this.socket.active) return true;
    if (this.failures > manager.reconnectionAttempts()) return false;
    clearTimeout(this.timer);
    this.timer = setTimeout(
      () => {
        if (!this.signal.aborted && !this.socket.active) this.socket.connect();
      },
      backoffMs(this.failures, manager.reconnectionDelay(), manager.reconnectionDelayMax()),
    );
    return true;
  }
}

/**
 * Doubles from `minMs` per consecutive failure up to `maxMs`, then jitters (×0.5–1.5, still capped at
 * `maxMs`) so the many clients a draining node refuses at once do not come back in lockstep.
 */
export function backoffMs(failures: number, minMs: number, maxMs: number): number {
  const base = Math.min(maxMs, minMs * 2 ** Math.min(failures - 1, 30));
  return Math.min(maxMs, base * (0.5 + Math.random()));
}
