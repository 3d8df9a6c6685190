import { afterEach, describe, expect, it } from '@jest/globals';
import { createShardedAdapter } from '@socket.io/redis-adapter';
import type { Server } from 'socket.io';
import { Adapter } from 'socket.io-adapter';
import type { RedisClients } from '../redis.js';
import { encodeOnDemand } from './encode-on-demand.js';
import { joined as joinedAt, next, redisPair, serve, subscribers, type Cleanups } from './test-adapter-nodes.js';

type Node = { io: Server; url: string; encodes: () => number };
const cleanups: Cleanups = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** A real Socket.IO server on port 0 whose encoder counts the packets it encodes. */
async function startNode(redis?: RedisClients, channelPrefix?: string): Promise<Node> {
  const { io, url } = await serve(encodeOnDemand(redis ? createShardedAdapter(redis.pub, redis.sub, { subscriptionMode: 'dynamic', channelPrefix }) : Adapter), cleanups);
  let count = 0;
  const encode = io.encoder.encode.bind(io.encoder);
  io.encoder.encode = (packet): unknown[] => {
    count++;
    return encode(packet) as unknown[];
  };
  return { io, url, encodes: () => count };
}

const joined = (node: Node, room: string) => joinedAt(node.url, room, cleanups);

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
    const { clients, prefix } = await redisPair('encode', cleanups);
    const [sender, receiver] = [await startNode(clients[0], prefix), await startNode(clients[1], prefix)];
    const client = await joined(receiver, 'r');
    await subscribers(clients[0], `${prefix}#/#r#`);
    const before = { sender: sender.encodes(), receiver: receiver.encodes() };

    const received = next(client, 'note');
    sender.io.to('r').emit('note', { n: 1 });
    expect(await received).toEqual({ n: 1 });
    expect(sender.encodes()).toBe(before.sender);
    expect(receiver.encodes()).toBe(before.receiver + 1);
  });
});
