import { spawn, type ChildProcess } from 'node:child_process';
import { afterAll, beforeAll } from '@jest/globals';
import type { VisitorClient, AgentClient } from '@kefu/client';
import { MessageSchema, type Message } from '@kefu/protocol';
import { createClient } from 'redis';
import { freePort, startCluster, type Cluster } from './cluster-harness.js';

/** What the fault suites share: a private Redis, a cluster on it, and a fresh fetch of a conversation. */

/**
 * A redis-server of the test's own on a free port (no persistence), so that pausing, killing and
 * restarting it never disturbs another suite or the machine's Redis.
 */
export type PrivateRedis = {
  url: string;
  pause(): void;
  resume(): void;
  /** Kills it (SIGKILL) and starts a fresh, empty one on the same port. */
  restart(): Promise<void>;
  stop(): Promise<void>;
};

async function launch(port: number): Promise<ChildProcess> {
  const child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
  const deadline = Date.now() + 10_000;
  for (;;) {
    const client = createClient({ url: `redis://127.0.0.1:${port}`, socket: { reconnectStrategy: false } });
    client.on('error', () => undefined);
    try {
      await client.connect();
      await client.ping();
      await client.quit();
      return child;
    } catch (error) {
      if (child.exitCode !== null || Date.now() > deadline) throw new Error(`redis-server on ${port} did not start: ${String(error)}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
}

const exited = (child: ChildProcess) => (child.exitCode !== null || child.signalCode !== null ? Promise.resolve() : new Promise<void>((resolve) => child.once('exit', () => resolve())));

export async function startPrivateRedis(): Promise<PrivateRedis> {
  const port = await freePort();
  let child = await launch(port);
  return {
    url: `redis://127.0.0.1:${port}`,
    pause: () => void child.kill('SIGSTOP'),
    resume: () => void child.kill('SIGCONT'),
    async restart() {
      child.kill('SIGCONT');
      child.kill('SIGKILL');
      await exited(child);
      child = await launch(port);
    },
    async stop() {
      child.kill('SIGCONT');
      child.kill('SIGKILL');
      await exited(child);
    },
  };
}

/** Registers a private Redis and a cluster of `size` nodes on it for the enclosing describe block. */
export function useFaultCluster(size: number): { redis: () => PrivateRedis; cluster: () => Cluster } {
  let redis: PrivateRedis | undefined;
  let cluster: Cluster | undefined;
  beforeAll(async () => {
    redis = await startPrivateRedis();
    cluster = await startCluster({ size, redisUrl: redis.url });
  }, 60_000);
  afterAll(async () => {
    await cluster?.stop();
    await redis?.stop();
  });
  return { redis: () => redis!, cluster: () => cluster! };
}

/** Every message of a conversation through conversation:sync, page by page: what the store holds. */
export async function fetchAll(client: VisitorClient | AgentClient, conversationId: string): Promise<Message[]> {
  const messages: Message[] = [];
  let afterSeq = 0;
  for (;;) {
    // Both namespaces have the same conversation:sync; the cast only merges the two call() overloads.
    const page = await (client as VisitorClient).call('conversation:sync', { conversationId, afterSeq });
    messages.push(...page.messages.map((m) => MessageSchema.parse(m)));
    if (!page.hasMore) return messages;
    afterSeq = page.messages.at(-1)!.seq;
  }
}
