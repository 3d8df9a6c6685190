import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible';
import type { RedisClientType } from 'redis';

export type Limiter = { consume(key: string): Promise<boolean> };

/** A fixed-window limiter, in Redis when the cluster has one so the limit holds across nodes. */
export function createLimiter(
  name: string,
  options: { points: number; durationSec: number },
  redis: { client: RedisClientType; prefix: string } | null,
): Limiter {
  const limiter: RateLimiterAbstract = redis
    ? new RateLimiterRedis({
        storeClient: redis.client,
        useRedisPackage: true,
        keyPrefix: `${redis.prefix}rl:${name}`,
        points: options.points,
        duration: options.durationSec,
        // If Redis stumbles, fall back to a per-node limit instead of refusing every command.
        insuranceLimiter: new RateLimiterMemory({ points: options.points, duration: options.durationSec }),
      })
    : new RateLimiterMemory({ keyPrefix: name, points: options.points, duration: options.durationSec });
  return {
    consume: async (key) => {
      try {
        await limiter.consume(key);
        return true;
      } catch (error) {
        if (error instanceof RateLimiterRes) return false;
        throw error;
      }
    },
  };
}
