import { Manager, type ManagerOptions, type Socket, type SocketOptions } from 'socket.io-client';
import { Endpoints } from './endpoints.js';
import { errorFromConnectError } from './errors.js';
import { isRetryableHandshakeCode } from './handshake-retry.js';
import type { ClientOptions } from './options.js';

/**
 * Creates the socket of one namespace without connecting it, so the client can attach its listeners
 * before the first `session` can arrive.
 *
 * The Manager (one per client, as in a browser tab: sharing one would make one client's disconnect,
 * or a test's kick, hit another's) is built from `hostname` / `port` / `secure` options rather than a
 * URL, so that failover only has to point those options at the next node: every engine the Manager
 * opens reads them. The socket itself, with its listeners, auth, buffered emits and pending acks,
 * stays the same object across nodes.
 */
export function openSocket(options: ClientOptions, namespace: string, auth: Record<string, unknown>): Socket {
  const endpoints = Endpoints.parse(options.url, options.urls);
  const opts: Partial<ManagerOptions & SocketOptions> = {
    transports: options.transports ?? ['websocket'],
    ...options.socketOptions,
    autoConnect: false,
    auth,
  };
  if (endpoints.query && !opts.query) opts.query = endpoints.query;
  endpoints.applyTo(opts);
  const manager = new Manager(opts);
  const socket = manager.socket(`${endpoints.pathPrefix}${namespace}`, opts);
  // Round-robin over the nodes on each failed attempt (the socket reports every one as connect_error):
  // the node did not answer or refused for now, so the next attempt, ours or the Manager's, goes
  // elsewhere. Final refusals (`unauthorized`, …) end the attempts, so they need no move.
  socket.on('connect_error', (error) => {
    if (isRetryableHandshakeCode(errorFromConnectError(error).code)) endpoints.advance(manager.opts);
  });
  // A connection lost for any reason but the client's own (its node went down, the network, a draining
  // node ending it) is resumed on the next node first, not on the one that just went away, which a
  // draining node would refuse and a killed one would not answer.
  socket.on('disconnect', (reason) => {
    if (reason !== 'io client disconnect') endpoints.advance(manager.opts);
  });
  return socket;
}
