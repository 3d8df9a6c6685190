import type { Server } from 'node:http';
import type { ProxyTrust } from './client-ip.js';

/**
 * At most `perAddress` open TCP connections from one peer address (0: no limit). Request timeouts
 * drop a slow client after a while, but one address could still reopen a thousand connections and
 * use up the process's file descriptors; with this cap it holds only its own share and everybody
 * else, /healthz included, still gets in. A trusted proxy (KEFU_TRUST_PROXY) speaks for many clients
 * and is not capped here: limit connections per client at the proxy.
 */
export function limitConnectionsPerAddress(server: Server, perAddress: number, trust: ProxyTrust, onRefused: () => void): void {
  if (perAddress <= 0) return;
  const open = new Map<string, number>();
  server.on('connection', (socket) => {
    const address = socket.remoteAddress ?? '';
    if (trust(address, 0)) return;
    const count = (open.get(address) ?? 0) + 1;
    if (count > perAddress) {
      onRefused();
      socket.destroy();
      return;
    }
    open.set(address, count);
    socket.once('close', () => {
      const left = (open.get(address) ?? 1) - 1;
      if (left > 0) open.set(address, left);
      else open.delete(address);
    });
  });
}
