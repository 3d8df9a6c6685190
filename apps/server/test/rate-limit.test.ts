import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createClient, type RedisClientType } from 'redis';
import { createLimiter, type Limiter } from '../src/rate-limit.js';
import { deleteRedisKeys, REDIS_URL } from './cluster-harness.js';
import { startPrivateRedis } from './fault-kit.js';

/** Two limiters on one Redis prefix stand for two nodes of a cluster. */
describe('rate limits shared through Redis, decided on each node', () => {
  const prefix = `kefu-test-rl-${randomUUID()}:`;
  let redis: RedisClientType;
  const nodes = (points: number): [Limiter, Limiter] => {
    const name = randomUUID();
    const one = () => createLimiter(name, { points, durationSec: 60 }, { client: redis, prefix });
    return [one(), one()];
  };
  const consumeMany = async (limiter: Limiter, key: string, times: number) => {
    const answers: boolean[] = [];
    for (let i = 0; i < times; i++) answers.push(await limiter.consume(key));
    return answers;
  };

  beforeAll(async () => {
    redis = createClient({ url: REDIS_URL });
    await redis.connect();
  });
  afterAll(async () => {
    await deleteRedisKeys(prefix);
    await redis.quit();
  });

  it("refuses past a node's own count at once, and each key has a budget of its own", async () => {
    const [node] = nodes(3);
    expect(await consumeMany(node, 'v:a', 5)).toEqual([true, true, true, false, false]);
    expect(await node.consume('v:b')).toBe(true);
  });

  it('counts what every node let through: a key used up on one node is refused on the other after they share', async () => {
    const [one, two] = nodes(4);
    expect(await consumeMany(one, 'v:a', 3)).toEqual([true, true, true]);
    await one.share();
    expect(await two.consume('v:a')).toBe(true); // the fourth in the cluster
    await two.share();
    expect(await two.consume('v:a')).toBe(false);
    await one.share(); // nothing of its own to add: it learns the total only when it next shares
    expect(await one.consume('v:a')).toBe(true);
    await one.share();
    expect(await one.consume('v:a')).toBe(false);
  });

  it('adds only what it let through: refused commands cost Redis nothing and do not count', async () => {
    const [node] = nodes(2);
    expect(await consumeMany(node, 'v:flood', 50)).toEqual([true, true, ...Array<boolean>(48).fill(false)]);
    await node.share();
    const keys: string[] = [];
    for await (const batch of redis.scanIterator({ MATCH: `${prefix}*v:flood`, COUNT: 500 })) keys.push(...batch);
    expect(keys).toHaveLength(1);
    expect(await redis.get(keys[0]!)).toBe('2');
  });

  it('decides on its own count while Redis does not answer, and shares what it owes once Redis is back', async () => {
    const own = await startPrivateRedis();
    const clients = [createClient({ url: own.url }), createClient({ url: own.url })] as RedisClientType[];
    try {
      await Promise.all(clients.map((client) => client.connect()));
      const name = randomUUID();
      const [node, other] = clients.map((client) => createLimiter(name, { points: 2, durationSec: 60 }, { client, prefix }));
      own.pause();
      expect(await consumeMany(node!, 'v:a', 3)).toEqual([true, true, false]);
      const sharing = node!.share(); // waits for Redis
      own.resume();
      await sharing;
      expect(await other!.consume('v:a')).toBe(true); // its own count is 0 until it learns the cluster's
      await other!.share();
      expect(await other!.consume('v:a')).toBe(false);
    } finally {
      own.resume();
      await Promise.allSettled(clients.map((client) => client.quit()));
      await own.stop();
    }
  });
});
