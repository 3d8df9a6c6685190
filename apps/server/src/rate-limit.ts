import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes } from 'rate-limiter-flexible';
import type { RedisClientType } from 'redis';

export type Limiter = {
  consume(key: string): Promise<boolean>;
  /** Adds the points this node let through since the last share to the cluster's count (at once; a timer does it too). */
  share(): Promise<void>;
};

/**
 * How long a node's points wait before it adds them to the cluster's count. It bounds how far the
 * cluster can go past a limit: each other node by what it lets through in one such interval.
 */
const SHARE_EVERY_MS = 1_000;

/**
 * A fixed-window limiter. Each node decides on its own count at once, so no command waits for
 * Redis (a round trip and a Lua script before every command could start) and a refusal costs no
 * Redis call at all: a flood is turned away by the node alone. With Redis, every node adds the
 * points it let through to one shared count every SHARE_EVERY_MS and takes the cluster's total back
 * as its own count: the limit holds for all of a visitor's or agent's sockets together, whichever
 * nodes they are on, within one interval. If Redis stumbles, each node's own count keeps deciding.
 */
export function createLimiter(
  name: string,
  options: { points: number; durationSec: number },
  redis: { client: RedisClientType; prefix: string } | null,
): Limiter {
  const local = new RateLimiterMemory({ keyPrefix: name, points: options.points, duration: options.durationSec });
  const shared = redis
    ? new RateLimiterRedis({
        storeClient: redis.client,
        useRedisPackage: true,
        keyPrefix: `${redis.prefix}rl:${name}`,
        points: options.points,
        duration: options.durationSec,
      })
    : null;
  const unshared = new Map<string, number>();
  let timer: ReturnType<typeof setTimeout> | undefined;
  let sharing: Promise<void> | undefined;

  /** The cluster's total, plus what this node let through since it asked, is this node's count now. */
  function adopt(key: string, answer: unknown): void {
    if (!(answer instanceof RateLimiterRes)) return; // Redis failed: this node's count goes on deciding
    const seconds = Math.max(1, Math.ceil(answer.msBeforeNext / 1000));
    void local.set(key, answer.consumedPoints + (unshared.get(key) ?? 0), seconds);
  }

  async function shareNow(): Promise<void> {
    const batch = [...unshared];
    unshared.clear();
    await Promise.all(
      batch.map(([key, points]) =>
        shared!.consume(key, points).then(
          (answer) => adopt(key, answer),
          (answer: unknown) => adopt(key, answer),
        ),
      ),
    );
  }

  // One share in flight at a time: while Redis is slow or away, the points gather here instead.
  async function share(): Promise<void> {
    clearTimeout(timer);
    timer = undefined;
    while (sharing) await sharing;
    if (!shared || unshared.size === 0) return;
    sharing = shareNow().finally(() => {
      sharing = undefined;
      if (unshared.size > 0) later();
    });
    await sharing;
  }

  function later(): void {
    if (timer || sharing) return;
    timer = setTimeout(() => void share(), SHARE_EVERY_MS).unref();
  }

  return {
    consume: async (key) => {
      try {
        await local.consume(key);
      } catch (refusal) {
        if (refusal instanceof RateLimiterRes) return false;
        throw refusal;
      }
      if (shared) {
        unshared.set(key, (unshared.get(key) ?? 0) + 1);
        later();
      }
      return true;
    },
    share,
  };
}
