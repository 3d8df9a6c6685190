import { io, type Socket } from 'socket.io-client';
import type { ClientOptions } from './options.js';

/**
 * Creates the socket of one namespace without connecting it, so the client can attach its listeners
 * before the first `session` can arrive.
 */
export function openSocket(options: ClientOptions, namespace: string, auth: Record<string, unknown>): Socket {
  const base = options.url.replace(/\/+$/, '');
  return io(`${base}${namespace}`, {
    transports: options.transports ?? ['websocket'],
    // One connection per client, as in a browser tab: sharing a Manager would make one client's
    // disconnect (or a test's kick) hit another's.
    forceNew: true,
    ...options.socketOptions,
    autoConnect: false,
    auth,
  });
}
