import type { Socket } from 'socket.io-client';
import { closedError, KefuClientError } from './errors.js';

/**
 * Resolves once the socket is connected. Rejects at `deadline` (epoch ms) or when the client closes,
 * so a sender never waits forever for a server that does not come back.
 */
export function waitForConnect(socket: Socket, deadline: number, signal: AbortSignal): Promise<void> {
  if (signal.aborted) return Promise.reject(closedError());
  if (socket.connected) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const finish = (error?: Error): void => {
      clearTimeout(timer);
      socket.off('connect', onConnect);
      signal.removeEventListener('abort', onAbort);
      if (error) reject(error);
      else resolve();
    };
    const onConnect = (): void => finish();
    const onAbort = (): void => finish(closedError());
    const timer = setTimeout(
      () => finish(new KefuClientError('unavailable', 'not connected before the deadline')),
      Math.max(0, deadline - Date.now()),
    );
    socket.on('connect', onConnect);
    signal.addEventListener('abort', onAbort, { once: true });
  });
}
