import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible';
import type { RedisClientType } from 'redis';

export type Limiter = { consume(key: string): Promise<boolean> };

/**
 * How long a decision may wait for Redis. A paused or unreachable Redis keeps the socket open and
 * never answers; without this bound every command would wait for it, and nothing would be acked.
 */
const REDIS_DECISION_MS = 500;

class TooSlow extends Error {}

function within<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new TooSlow()), ms);
  });
  return Promise.race([promise, late]).finally(() => clearTimeout(timer));
}

/** A fixed-window limiter, in Redis when the cluster has one so the limit holds across nodes. */
export function createLimiter(
  name: string,
  options: { points: number; durationSec: number },
  redis: { client: RedisClientType; prefix: string } | null,
): Limiter {
  // If Redis stumbles (an error, or no answer in time), a per-node limit decides instead of refusing every command.
  const local = new RateLimiterMemory({ keyPrefix: name, points: options.points, duration: options.durationSec });
  const limiter: RateLimiterAbstract = redis
    ? new RateLimiterRedis({
        storeClient: redis.client,
        useRedisPackage: true,
        keyPrefix: `${redis.prefix}rl:${name}`,
        points: options.points,
        duration: options.durationSec,
        insuranceLimiter: local,
      })
    : local;
  const decide = async (attempt: Promise<unknown>) => {
    try {
      await attempt;
      return true;
    } catch (error) {
      if (error instanceof RateLimiterRes) return false;
      throw error;
    }
  };
  return {
    consume: async (key) => {
      if (!redis) return decide(local.consume(key));
      const shared = limiter.consume(key);
      shared.catch(() => undefined); // it may settle after we stopped waiting
      try {
        return await decide(within(shared, REDIS_DECISION_MS));
      } catch (error) {
        if (error instanceof TooSlow) return decide(local.consume(key));
        throw error;
      }
    },
  };
}
