import { once } from 'node:events';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from '@jest/globals';
import { createShardedAdapter } from '@socket.io/redis-adapter';
import { Server } from 'socket.io';
import { io as connect, type Socket as ClientSocket } from 'socket.io-client';
import { connectRedis, type RedisClients } from '../redis.js';
import { createLogger } from '../logger.js';
import { dropOwnEchoes } from './drop-own-echoes.js';
import { encodeOnDemand } from './encode-on-demand.js';

/** What the adapter hands on after parsing (a cluster message) and what reaches it from Redis, as text. */
type ClusterMessage = { uid: string; data?: unknown };
type Node = { io: Server; url: string; uid: string; handedOn: ClusterMessage[]; arrived: (text: string) => Promise<void> };

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/**
 * A real Socket.IO server on port 0 with the adapter as app.ts builds it. Its adapter is watched from
 * outside: every message that reaches it from Redis (`arrived`), and every one it parsed and handed on.
 */
async function startNode(redis: RedisClients, channelPrefix: string): Promise<Node> {
  const http = createServer();
  const io = new Server(http);
  io.adapter(encodeOnDemand(dropOwnEchoes(createShardedAdapter(redis.pub, redis.sub, { subscriptionMode: 'dynamic', channelPrefix }))));
  const adapter = io.of('/').adapter as unknown as {
    uid: string;
    onRawMessage(message: Buffer, channel: Buffer): void;
    onMessage(message: ClusterMessage, offset?: string): unknown;
  };
  const handedOn: ClusterMessage[] = [];
  const onMessage = adapter.onMessage.bind(adapter);
  adapter.onMessage = (message, offset) => {
    handedOn.push(message);
    return onMessage(message, offset);
  };
  const waiters: { text: string; resolve: () => void }[] = [];
  const onRawMessage = adapter.onRawMessage.bind(adapter);
  adapter.onRawMessage = (message, channel) => {
    onRawMessage(message, channel);
    const text = message.toString();
    for (const waiter of waiters.filter((w) => text.includes(w.text))) waiter.resolve();
  };
  io.on('connection', (socket) => socket.on('join', (room: string, done: () => void) => void Promise.resolve(socket.join(room)).then(done)));
  http.listen(0);
  await once(http, 'listening');
  cleanups.push(() => new Promise<void>((resolve) => void io.close(() => resolve())));
  return {
    io,
    url: `http://127.0.0.1:${(http.address() as AddressInfo).port}`,
    uid: adapter.uid,
    handedOn,
    arrived: (text) => new Promise<void>((resolve) => waiters.push({ text, resolve })),
  };
}

/** The adapter subscribes to a room's channel when the room is created, without waiting for Redis. */
async function subscribers(redis: RedisClients, channel: string, count: number): Promise<void> {
  for (;;) {
    const [, subscribed] = await redis.pub.sendCommand<[string, number]>(['PUBSUB', 'SHARDNUMSUB', channel]);
    if (subscribed >= count) return;
  }
}

const next = (client: ClientSocket, event: string) => new Promise<unknown>((resolve) => client.once(event, resolve));

async function joined(node: Node, room: string): Promise<ClientSocket> {
  const client = connect(node.url, { transports: ['websocket'], forceNew: true });
  cleanups.push(async () => client.disconnect());
  await next(client, 'connect');
  await client.emitWithAck('join', room);
  return client;
}

describe('dropOwnEchoes', () => {
  it("drops a node's own broadcasts that come back from Redis unparsed, and hands on every other node's", async () => {
    const log = createLogger('silent');
    const prefix = `kefu-test-echo-${process.pid}-`;
    const clients = [await connectRedis('redis://127.0.0.1:6379', log), await connectRedis('redis://127.0.0.1:6379', log)];
    cleanups.push(() => Promise.all(clients.map((redis) => redis.close())));
    const [a, b] = [await startNode(clients[0]!, prefix), await startNode(clients[1]!, prefix)];
    const [onA, onB] = [await joined(a, 'r'), await joined(b, 'r')];
    await subscribers(clients[0]!, `${prefix}#/#r#`, 2);

    // A's broadcast reaches both sockets, and comes back to A from Redis (A listens on the room's channel).
    const fromA = Promise.all([next(onA, 'note'), next(onB, 'note'), a.arrived('"from":"a"')]);
    a.io.to('r').emit('note', { from: 'a', text: '<b>as typed</b>' });
    const [toA, toB] = await fromA;
    expect([toA, toB]).toEqual([{ from: 'a', text: '<b>as typed</b>' }, { from: 'a', text: '<b>as typed</b>' }]);
    // Without the drop, A parsed its own message and handed it on (to be ignored there).
    expect(a.handedOn.filter((message) => message.uid === a.uid)).toEqual([]);

    // B's broadcast still reaches A's socket through A's adapter.
    const fromB = Promise.all([next(onA, 'note'), next(onB, 'note')]);
    b.io.to('r').emit('note', { from: 'b' });
    expect(await fromB).toEqual([{ from: 'b' }, { from: 'b' }]);
    expect(a.handedOn.map((message) => message.uid)).toContain(b.uid);
  });
});
