import { io, type Socket } from 'socket.io-client';

/**
 * A websocket-only Socket.IO client with no reconnection: the bench counts failures rather than hiding
 * them. `parser`: another Socket.IO parser (list-updates.ts), Socket.IO's own by default.
 */
export function connect(url: string, namespace: '/visitor' | '/agent', auth: Record<string, unknown> = {}, parser?: object): Promise<Socket> {
  const socket = io(`${url}${namespace}`, { auth, transports: ['websocket'], reconnection: false, forceNew: true, timeout: 20_000, ...(parser ? { parser } : {}) });
  return new Promise((resolve, reject) => {
    socket.once('session', () => resolve(socket));
    socket.once('connect_error', (error) => {
      socket.close();
      reject(error);
    });
  });
}

/**
 * `connect` that keeps every socket it opened, so that they close together (a desk's shoppers, an agents'
 * process's agents), those opened so far too when opening fails part way (they would otherwise stay connected).
 */
export function openedSockets() {
  const sockets: Socket[] = [];
  return {
    async connect(...args: Parameters<typeof connect>): Promise<Socket> {
      const socket = await connect(...args);
      sockets.push(socket);
      return socket;
    },
    close: () => sockets.forEach((socket) => socket.close()),
  };
}

type Result<T> = { ok: true; data: T } | { ok: false; error: { code: string; message: string } };

/** Emits a command and resolves with its ack data, or rejects with the error code. */
export async function command<T>(socket: Socket, event: string, payload: unknown, timeoutMs = 30_000): Promise<T> {
  const result = (await socket.timeout(timeoutMs).emitWithAck(event, payload)) as Result<T>;
  if (!result.ok) throw new Error(`${event}: ${result.error.code} ${result.error.message}`);
  return result.data;
}
