import type { Socket } from 'socket.io-client';

/**
 * socket.io-client does not reconnect when the *server* ends the connection ("io server disconnect"),
 * yet that is what a draining node or `io.disconnectSockets()` does, and the client must then move to
 * another node. Credentials that were revoked meanwhile fail the new handshake with connect_error
 * `unauthorized`, which is final (handshake-retry.ts retries only `unavailable` / `internal`), so a
 * logout cannot turn into a reconnect storm.
 */
export function reconnectAfterServerDisconnect(socket: Socket, signal: AbortSignal): void {
  let timer: ReturnType<typeof setTimeout> | undefined;
  socket.on('disconnect', (reason) => {
    if (reason !== 'io server disconnect' || signal.aborted || !socket.io.reconnection()) return;
    timer = setTimeout(() => {
      if (!signal.aborted && !socket.connected) socket.connect();
    }, jittered(socket.io.reconnectionDelay()));
  });
  signal.addEventListener('abort', () => clearTimeout(timer), { once: true });
}

// Jitter spreads the reconnections of many clients kicked by the same node at the same moment.
function jittered(ms: number): number {
  return ms * (0.5 + Math.random());
}
