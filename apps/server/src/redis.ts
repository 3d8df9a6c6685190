import type { DuplexOptions } from 'node:stream';
import { createClient, type RedisClientOptions, type RedisClientType } from 'redis';
import type { Logger } from './logger.js';

export type RedisClients = { pub: RedisClientType; sub: RedisClientType; close(): Promise<void> };

/**
 * What a client may hand its socket in one turn of the event loop. node-redis stops writing once the
 * socket's buffer passes its high-water mark and goes on only after 'drain' and another turn, so with
 * Node's default (16 KiB) a busy node published about 16 KiB a turn, less than its broadcasts at 3 000
 * to 5 000 messages a second: they queued in the node, and agents received them up to seconds after
 * they were stored (docs/benchmarks.md, tenth round). The bound still holds, at a size a turn's
 * publishes do not reach.
 */
const WRITE_BUFFER_BYTES = 1024 * 1024;
/** node-redis hands these to net.connect, whose socket passes writableHighWaterMark on to its stream; its type lists only connect's. */
type SocketOptions = NonNullable<RedisClientOptions['socket']> & Pick<DuplexOptions, 'writableHighWaterMark'>;

/** The adapter's publisher doubles as the client for presence and rate limits; the subscriber is its own. */
export async function connectRedis(url: string, log: Logger): Promise<RedisClients> {
  // A new object per client: node-redis writes the URL's host and port into it.
  const socket: SocketOptions = { writableHighWaterMark: WRITE_BUFFER_BYTES };
  const pub = createClient({ url, socket }) as RedisClientType;
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
