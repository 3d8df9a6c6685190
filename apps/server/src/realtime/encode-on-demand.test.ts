import { once } from 'node:events';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from '@jest/globals';
import { createShardedAdapter } from '@socket.io/redis-adapter';
import { Server } from 'socket.io';
import { io as connect, type Socket as ClientSocket } from 'socket.io-client';
import { connectRedis, type RedisClients } from '../redis.js';
import { createLogger } from '../logger.js';
import { encodeOnDemand } from './encode-on-demand.js';

type Node = { io: Server; url: string; encodes: () => number };
const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** A real Socket.IO server on port 0 whose encoder counts the packets it encodes. */
async function startNode(redis?: RedisClients, channelPrefix?: string): Promise<Node> {
  const http = createServer();
  const io = new Server(http);
  io.adapter(encodeOnDemand(redis ? createShardedAdapter(redis.pub, redis.sub, { subscriptionMode: 'dynamic', channelPrefix }) : io.adapter()!));
  let count = 0;
  const encode = io.encoder.encode.bind(io.encoder);
  io.encoder.encode = (packet): unknown[] => {
    count++;
    return encode(packet) as unknown[];
  };
  io.on('connection', (socket) => socket.on('join', (room: string, done: () => void) => void Promise.resolve(socket.join(room)).then(done)));
  http.listen(0);
  await once(http, 'listening');
  cleanups.push(() => new Promise<void>((resolve) => void io.close(() => resolve())));
  return { io, url: `http://127.0.0.1:${(http.address() as AddressInfo).port}`, encodes: () => count };
}

/** The adapter subscribes to a room's channel when the room is created, without waiting for Redis. */
async function subscribed(redis: RedisClients, channel: string): Promise<void> {
  for (;;) {
    const [, count] = await redis.pub.sendCommand<[string, number]>(['PUBSUB', 'SHARDNUMSUB', channel]);
    if (count > 0) return;
  }
}

const next = (client: ClientSocket, event: string) => new Promise<unknown>((resolve) => client.once(event, resolve));

async function joined(node: Node, room: string): Promise<ClientSocket & { id: string }> {
  const client = connect(node.url, { transports: ['websocket'], forceNew: true });
  cleanups.push(async () => client.disconnect());
  await next(client, 'connect');
  await client.emitWithAck('join', room);
  return client as ClientSocket & { id: string };
}

describe('encodeOnDemand', () => {
  it('encodes a broadcast once for the sockets it reaches, and not at all when it reaches none', async () => {
    const node = await startNode();
    const [a, b] = [await joined(node, 'r'), await joined(node, 'r')];
    const before = node.encodes();

    node.io.to('nobody-here').emit('note', { n: 1 });
    node.io.to('r').except(a.id).except(b.id).emit('note', { n: 2 });
    expect(node.encodes()).toBe(before);

    const received = Promise.all([next(a, 'note'), next(b, 'note')]);
    node.io.to('r').emit('note', { n: 3, text: '<b>as typed</b>' });
    expect(node.encodes()).toBe(before + 1);
    expect(await received).toEqual([{ n: 3, text: '<b>as typed</b>' }, { n: 3, text: '<b>as typed</b>' }]);

    const toB = next(b, 'note');
    node.io.to('r').except(a.id).emit('note', { n: 4 });
    expect(await toB).toEqual({ n: 4 });
  });

  it('keeps broadcasts that wait for acknowledgements', async () => {
    const node = await startNode();
    const client = await joined(node, 'r');
    client.on('ping?', (done: (answer: string) => void) => done('pong'));
    await expect(node.io.to('r').timeout(2000).emitWithAck('ping?')).resolves.toEqual(['pong']);
    await expect(node.io.to('nobody-here').timeout(2000).emitWithAck('ping?')).resolves.toEqual([]);
  });

  it('on two nodes through Redis, the sender encodes nothing for a room whose sockets are all on the other node', async () => {
    const log = createLogger('silent');
    const prefix = `kefu-test-encode-${process.pid}-`;
    const clients = [await connectRedis('redis://127.0.0.1:6379', log), await connectRedis('redis://127.0.0.1:6379', log)];
    cleanups.push(() => Promise.all(clients.map((redis) => redis.close())));
    const [sender, receiver] = [await startNode(clients[0], prefix), await startNode(clients[1], prefix)];
    const client = await joined(receiver, 'r');
    await subscribed(clients[0]!, `${prefix}#/#r#`);
    const before = { sender: sender.encodes(), receiver: receiver.encodes() };

    const received = next(client, 'note');
    sender.io.to('r').emit('note', { n: 1 });
    expect(await received).toEqual({ n: 1 });
    expect(sender.encodes()).toBe(before.sender);
    expect(receiver.encodes()).toBe(before.receiver + 1);
  });
});
