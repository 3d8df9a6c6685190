import { randomUUID } from 'node:crypto';
import { Socket } from 'node:net';
import { describe, expect, it, jest } from '@jest/globals';
import { connectRedis } from '../src/redis.js';
import { REDIS_URL } from './cluster-harness.js';

const quiet = { warn: () => undefined } as unknown as Parameters<typeof connectRedis>[1];

/**
 * Bytes handed to sockets by `start` and what it sets off until its turn of the event loop ends:
 * node-redis writes what was asked in a turn from a setImmediate queued before ours. The spy calls
 * through: the writes reach Redis.
 */
async function bytesWrittenThisTurn(start: () => void): Promise<number> {
  const write = jest.spyOn(Socket.prototype, 'write');
  try {
    start();
    await new Promise((resolve) => setImmediate(resolve));
    return write.mock.calls.reduce((sum, [chunk]) => sum + (typeof chunk === 'string' ? Buffer.byteLength(chunk) : chunk.byteLength), 0);
  } finally {
    write.mockRestore();
  }
}

describe('the Redis clients of a node', () => {
  it("write a turn's publishes in that turn, however many: a busy node does not fall behind its own broadcasts", async () => {
    const clients = await connectRedis(REDIS_URL, quiet);
    try {
      // 500 KB of publishes asked for in one turn, as a node handling thousands of messages a second
      // asks in a few. With the socket's default high-water mark (16 KiB) node-redis wrote about 16 KiB
      // of them in that turn and the rest one turn per 16 KiB after.
      const payload = 'x'.repeat(1_000);
      const channel = `kefu-test-nobody-${randomUUID()}`;
      let published: Promise<number[]> = Promise.resolve([]);
      const bytes = await bytesWrittenThisTurn(() => {
        published = Promise.all(Array.from({ length: 500 }, () => clients.pub.publish(channel, payload)));
      });
      expect(bytes).toBeGreaterThan(500 * payload.length);
      expect(await published).toHaveLength(500);
    } finally {
      await clients.close();
    }
  });
});
