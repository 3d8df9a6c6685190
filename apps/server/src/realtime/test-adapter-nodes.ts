import { once } from 'node:events';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Server } from 'socket.io';
import { io as connect, type Socket as ClientSocket } from 'socket.io-client';
import { createLogger } from '../logger.js';
import { connectRedis, type RedisClients } from '../redis.js';
import type { AdapterConstructor } from './encode-on-demand.js';

/**
 * For the tests of the adapter wrappers (encode-on-demand.ts, drop-own-echoes.ts): real Socket.IO
 * servers on port 0, real clients, real Redis. Each test gathers its cleanups and runs them afterwards.
 */
export type Cleanups = (() => Promise<unknown>)[];

/** A server with the given adapter whose clients join a room with `join` (acked once joined). */
export async function serve(adapter: AdapterConstructor, cleanups: Cleanups): Promise<{ io: Server; url: string }> {
  const http = createServer();
  const io = new Server(http);
  io.adapter(adapter);
  io.on('connection', (socket) => socket.on('join', (room: string, done: () => void) => void Promise.resolve(socket.join(room)).then(done)));
  http.listen(0);
  await once(http, 'listening');
  cleanups.push(() => new Promise<void>((resolve) => void io.close(() => resolve())));
  return { io, url: `http://127.0.0.1:${(http.address() as AddressInfo).port}` };
}

/** Two nodes' Redis clients and a channel prefix of their own. */
export async function redisPair(name: string, cleanups: Cleanups): Promise<{ clients: [RedisClients, RedisClients]; prefix: string }> {
  const log = createLogger('silent');
  const clients: [RedisClients, RedisClients] = [await connectRedis('redis://127.0.0.1:6379', log), await connectRedis('redis://127.0.0.1:6379', log)];
  cleanups.push(() => Promise.all(clients.map((redis) => redis.close())));
  return { clients, prefix: `kefu-test-${name}-${process.pid}-` };
}

/** The adapter subscribes to a room's channel when the room is created, without waiting for Redis. */
export async function subscribers(redis: RedisClients, channel: string, count = 1): Promise<void> {
  for (;;) {
    const [, subscribed] = await redis.pub.sendCommand<[string, number]>(['PUBSUB', 'SHARDNUMSUB', channel]);
    if (subscribed >= count) return;
  }
}

export const next = (client: ClientSocket, event: string) => new Promise<unknown>((resolve) => client.once(event, resolve));

/** A client of the server at `url`, in `room`. */
export async function joined(url: string, room: string, cleanups: Cleanups): Promise<ClientSocket & { id: string }> {
  const client = connect(url, { transports: ['websocket'], forceNew: true });
  cleanups.push(async () => client.disconnect());
  await next(client, 'connect');
  await client.emitWithAck('join', room);
  return client as ClientSocket & { id: string };
}
