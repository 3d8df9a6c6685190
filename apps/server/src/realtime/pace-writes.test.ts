import { afterEach, describe, expect, it } from '@jest/globals';
import { createShardedAdapter } from '@socket.io/redis-adapter';
import type { Server } from 'socket.io';
import { Adapter } from 'socket.io-adapter';
import type { RedisClients } from '../redis.js';
import { encodeOnDemand } from './encode-on-demand.js';
import { pacedWritesDone, paceWrites, SOCKETS_PER_TURN } from './pace-writes.js';
import { joined as joinedAt, next, redisPair, serve, subscribers, type Cleanups } from './test-adapter-nodes.js';

const cleanups: Cleanups = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

const SOCKETS = 2 * SOCKETS_PER_TURN + 5;
const paced = new Set(['list']);

const errors: unknown[] = [];

async function startNode(redis?: RedisClients, channelPrefix?: string): Promise<{ io: Server; url: string }> {
  const adapter = redis ? createShardedAdapter(redis.pub, redis.sub, { subscriptionMode: 'dynamic', channelPrefix }) : Adapter;
  return serve(paceWrites(encodeOnDemand(adapter), paced, (err) => errors.push(err)), cleanups);
}

/**
 * How many sockets the server wrote to in each turn of its event loop that wrote any, since the last
 * call of the function it returns. A turn is counted by a setImmediate that queues itself again: it
 * runs once a turn, after that turn's I/O.
 */
function writesPerTurn(io: Server): () => number[] {
  let runs: number[] = [];
  let turn = 0;
  let lastTurn = -1;
  let stopped = false;
  const ticker = () => {
    turn++;
    if (!stopped) setImmediate(ticker);
  };
  setImmediate(ticker);
  cleanups.push(async () => (stopped = true));
  for (const socket of io.of('/').sockets.values()) {
    socket.onAnyOutgoing(() => {
      if (turn !== lastTurn) runs.push(0);
      lastTurn = turn;
      runs[runs.length - 1]!++;
    });
  }
  return () => {
    const taken = runs;
    runs = [];
    lastTurn = -1;
    return taken;
  };
}

async function clientsOf(url: string, count: number) {
  const clients = [];
  for (let i = 0; i < count; i++) clients.push(await joinedAt(url, 'r', cleanups));
  return clients;
}

describe('paceWrites', () => {
  it(`writes a paced event ${SOCKETS_PER_TURN} sockets a turn, in order, and every other event at once`, async () => {
    const node = await startNode();
    const clients = await clientsOf(node.url, SOCKETS);
    const runs = writesPerTurn(node.io);

    const received = Promise.all(clients.map((c) => new Promise((resolve) => c.on('list', (n: number) => n === 2 && resolve(null)))));
    const order = clients.map(() => [] as number[]);
    clients.forEach((c, i) => c.on('list', (n: number) => order[i]!.push(n)));
    node.io.to('r').emit('list', 1);
    node.io.to('r').emit('list', 2);
    expect(runs()).toEqual([SOCKETS_PER_TURN]);
    await pacedWritesDone(node.io.of('/'));
    expect(runs()).toEqual([SOCKETS_PER_TURN, SOCKETS_PER_TURN, SOCKETS_PER_TURN, SOCKETS_PER_TURN]);
    await received;
    expect(order).toEqual(clients.map(() => [1, 2]));

    const other = Promise.all(clients.map((c) => next(c, 'other')));
    node.io.to('r').emit('other', '<b>as typed</b>');
    expect(runs()).toEqual([SOCKETS]);
    expect(await other).toEqual(clients.map(() => '<b>as typed</b>'));
  });

  it('skips a socket that went before its turn came, and resolves at once when nothing waits', async () => {
    const node = await startNode();
    const clients = await clientsOf(node.url, SOCKETS);
    const runs = writesPerTurn(node.io);
    const last = node.io.of('/').sockets.get(clients.at(-1)!.id)!;

    const delivered = Promise.all(clients.slice(0, -1).map((c) => next(c, 'list')));
    node.io.to('r').emit('list', 1);
    last.disconnect(true);
    await pacedWritesDone(node.io.of('/'));
    expect(runs()).toEqual([SOCKETS_PER_TURN, SOCKETS_PER_TURN, SOCKETS - 2 * SOCKETS_PER_TURN - 1]);
    await delivered;
    const turnLater = new Promise((resolve) => setImmediate(() => resolve('a turn later')));
    await expect(Promise.race([pacedWritesDone(node.io.of('/')).then(() => 'at once'), turnLater])).resolves.toBe('at once');
  });

  it('writes to the other sockets when one write throws, reports it, and leaves broadcasts that wait for acks unpaced', async () => {
    const node = await startNode();
    const clients = await clientsOf(node.url, SOCKETS);
    const failing = node.io.of('/').sockets.get(clients[SOCKETS_PER_TURN + 1]!.id)!;
    failing.onAnyOutgoing(() => {
      throw new Error('this write fails');
    });
    errors.length = 0;

    const others = clients.filter((c) => c.id !== failing.id);
    const delivered = Promise.all(others.map((c) => next(c, 'list')));
    node.io.to('r').emit('list', 1);
    await pacedWritesDone(node.io.of('/'));
    expect(await delivered).toEqual(others.map(() => 1));
    expect(errors).toEqual([new Error('this write fails')]);

    failing.offAnyOutgoing();
    clients.forEach((c) => c.on('list', (_n: number, done: (answer: string) => void) => done('ok')));
    await expect(node.io.to('r').timeout(2000).emitWithAck('list', 2)).resolves.toEqual(clients.map(() => 'ok'));
  });

  it('paces what another node broadcasts through Redis on the node whose sockets it reaches', async () => {
    const { clients: redis, prefix } = await redisPair('pace', cleanups);
    const [sender, receiver] = [await startNode(redis[0], prefix), await startNode(redis[1], prefix)];
    const clients = await clientsOf(receiver.url, SOCKETS);
    await subscribers(redis[0], `${prefix}#/#r#`);
    const runs = writesPerTurn(receiver.io);

    const received = Promise.all(clients.map((c) => next(c, 'list')));
    sender.io.to('r').emit('list', { rows: 3 });
    expect(await received).toEqual(clients.map(() => ({ rows: 3 })));
    expect(runs()).toEqual([SOCKETS_PER_TURN, SOCKETS_PER_TURN, SOCKETS - 2 * SOCKETS_PER_TURN]);
  });
});
