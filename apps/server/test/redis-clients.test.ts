import { randomUUID } from 'node:crypto';
import { describe, expect, it } from '@jest/globals';
import { connectRedis } from '../src/redis.js';
import { REDIS_URL } from './cluster-harness.js';

const quiet = { warn: () => undefined } as unknown as Parameters<typeof connectRedis>[1];

/** Turns of the event loop until `work` settles: setImmediate runs once a turn. */
async function turnsUntil(work: Promise<unknown>): Promise<number> {
  let turns = 0;
  let done = false;
  const count = () => {
    if (done) return;
    turns++;
    setImmediate(count);
  };
  setImmediate(count);
  await work.finally(() => (done = true));
  return turns;
}

describe('the Redis clients of a node', () => {
  it("write a turn's publishes at once, however many: a busy node does not fall behind its own broadcasts", async () => {
    const clients = await connectRedis(REDIS_URL, quiet);
    try {
      // 500 KB of publishes asked for in one turn, as a node handling 3 000 messages a second asks
      // in a few. With the socket's default high-water mark (16 KiB) node-redis wrote them over 30+ turns.
      const payload = 'x'.repeat(1_000);
      const channel = `kefu-test-nobody-${randomUUID()}`;
      const turns = await turnsUntil(Promise.all(Array.from({ length: 500 }, () => clients.pub.publish(channel, payload))));
      expect(turns).toBeLessThan(10);
    } finally {
      await clients.close();
    }
  });
});
