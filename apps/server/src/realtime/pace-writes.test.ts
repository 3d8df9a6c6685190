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

async function startNode(redis?: RedisClients, channelPrefix?: string): Promise<{ io: Server; url: string }> {
  return serve(paceWrites(encodeOnDemand(redis ? createShardedAdapter(redis.pub, redis.sub, { subscriptionMode: 'dynamic', channelPrefix }) : Adapter), paced), cleanups);
}

/**
 * How many sockets each synchronous run of the server wrote to: a run ends when its microtasks run,
 * so writes made in one turn of the event loop count as one entry.
 */
function writesPerRun(io: Server): number[] {
  const runs: number[] = [];
  let open = false;
  for (const socket of io.of('/').sockets.values()) {
    socket.onAnyOutgoing(() => {
      if (!open) {
        runs.push(0);
        open = true;
        queueMicrotask(() => (open = false));
      }
      runs[runs.length - 1]!++;
    });
  }
  return runs;
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
    const runs = writesPerRun(node.io);

    const received = Promise.all(clients.map((c) => new Promise((resolve) => c.on('list', (n: number) => n === 2 && resolve(null)))));
    const order = clients.map(() => [] as number[]);
    clients.forEach((c, i) => c.on('list', (n: number) => order[i]!.push(n)));
    node.io.to('r').emit('list', 1);
    node.io.to('r').emit('list', 2);
    expect(runs).toEqual([SOCKETS_PER_TURN]);
    await pacedWritesDone(node.io.of('/'));
    expect(runs).toEqual([SOCKETS_PER_TURN, SOCKETS_PER_TURN, SOCKETS_PER_TURN, SOCKETS_PER_TURN, SOCKETS_PER_TURN]);
    await received;
    expect(order).toEqual(clients.map(() => [1, 2]));

    runs.length = 0;
    const other = Promise.all(clients.map((c) => next(c, 'other')));
    node.io.to('r').emit('other', '<b>as typed</b>');
    expect(runs).toEqual([SOCKETS]);
    expect(await other).toEqual(clients.map(() => '<b>as typed</b>'));
  });

  it('skips a socket that went before its turn came, and resolves at once when nothing waits', async () => {
    const node = await startNode();
    const clients = await clientsOf(node.url, SOCKETS);
    const runs = writesPerRun(node.io);
    const last = node.io.of('/').sockets.get(clients.at(-1)!.id)!;

    const delivered = Promise.all(clients.slice(0, -1).map((c) => next(c, 'list')));
    node.io.to('r').emit('list', 1);
    last.disconnect(true);
    await pacedWritesDone(node.io.of('/'));
    expect(runs).toEqual([SOCKETS_PER_TURN, SOCKETS_PER_TURN, SOCKETS - 2 * SOCKETS_PER_TURN - 1]);
    await delivered;
    await expect(pacedWritesDone(node.io.of('/'))).resolves.toBeUndefined();
  });

  it('paces what another node broadcasts through Redis on the node whose sockets it reaches', async () => {
    const { clients: redis, prefix } = await redisPair('pace', cleanups);
    const [sender, receiver] = [await startNode(redis[0], prefix), await startNode(redis[1], prefix)];
    const clients = await clientsOf(receiver.url, SOCKETS);
    await subscribers(redis[0], `${prefix}#/#r#`);
    const runs = writesPerRun(receiver.io);

    const received = Promise.all(clients.map((c) => next(c, 'list')));
    sender.io.to('r').emit('list', { rows: 3 });
    expect(await received).toEqual(clients.map(() => ({ rows: 3 })));
    expect(runs).toEqual([SOCKETS_PER_TURN, SOCKETS_PER_TURN, SOCKETS - 2 * SOCKETS_PER_TURN]);
  });
});
