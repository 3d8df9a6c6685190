import { afterEach, describe, expect, it } from '@jest/globals';
import { createShardedAdapter } from '@socket.io/redis-adapter';
import type { Server } from 'socket.io';
import type { RedisClients } from '../redis.js';
import { dropOwnEchoes } from './drop-own-echoes.js';
import { encodeOnDemand } from './encode-on-demand.js';
import { joined, next, redisPair, serve, subscribers, type Cleanups } from './test-adapter-nodes.js';

/** What the adapter hands on after parsing (a cluster message) and what reaches it from Redis, as text. */
type ClusterMessage = { uid: string; data?: unknown };
type Node = { io: Server; url: string; uid: string; handedOn: ClusterMessage[]; arrived: (text: string) => Promise<void> };

const cleanups: Cleanups = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/**
 * A real Socket.IO server on port 0 with the adapter as app.ts builds it. Its adapter is watched from
 * outside: every message that reaches it from Redis (`arrived`), and every one it parsed and handed on.
 */
async function startNode(redis: RedisClients, channelPrefix: string): Promise<Node> {
  const { io, url } = await serve(encodeOnDemand(dropOwnEchoes(createShardedAdapter(redis.pub, redis.sub, { subscriptionMode: 'dynamic', channelPrefix }))), cleanups);
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
  return {
    io,
    url,
    uid: adapter.uid,
    handedOn,
    arrived: (text) => new Promise<void>((resolve) => waiters.push({ text, resolve })),
  };
}

describe('dropOwnEchoes', () => {
  it("drops a node's own broadcasts that come back from Redis unparsed, and hands on every other node's", async () => {
    const { clients, prefix } = await redisPair('echo', cleanups);
    const [a, b] = [await startNode(clients[0], prefix), await startNode(clients[1], prefix)];
    const [onA, onB] = [await joined(a.url, 'r', cleanups), await joined(b.url, 'r', cleanups)];
    await subscribers(clients[0], `${prefix}#/#r#`, 2);

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

    // A request's answers come back on the node's own channel with the answering node's uid: handed on.
    const sockets = await a.io.in('r').fetchSockets();
    expect(sockets.map((socket) => socket.id).sort()).toEqual([onA.id, onB.id].sort());
  });
});
