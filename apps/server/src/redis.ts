import { createClient, type RedisClientType } from 'redis';
import type { Logger } from './logger.js';

export type RedisClients = { pub: RedisClientType; sub: RedisClientType; close(): Promise<void> };

/** The adapter's publisher doubles as the client for presence and rate limits; the subscriber is its own. */
export async function connectRedis(url: string, log: Logger): Promise<RedisClients> {
  const pub = createClient({ url }) as RedisClientType;
  const sub = pub.duplicate();
  for (const [name, client] of [['pub', pub], ['sub', sub]] as const) {
    client.on('error', (err: unknown) => log.warn({ err, client: name }, 'redis error'));
  }
  await Promise.all([pub.connect(), sub.connect()]);
  return {
    pub,
    sub,
    close: async () => {
      await Promise.allSettled([pub.quit(), sub.quit()]);
    },
  };
}
