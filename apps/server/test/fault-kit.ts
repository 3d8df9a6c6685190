import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { chownSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
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

/**
 * A PostgreSQL server of the test's own (initdb in a temp directory, a free port, trust auth, no
 * fsync), so that stopping and restarting it never disturbs the machine's server or another suite.
 * PostgreSQL refuses to run as root: then its files and processes belong to the `postgres` user.
 */
export type PrivatePostgres = {
  url: string;
  /** A fast shutdown (SIGINT): every connection is closed, new ones are refused. */
  stop(): Promise<void>;
  start(): Promise<void>;
  /** Stops it for good and removes its files. */
  destroy(): Promise<void>;
};

const postgresBin = (name: string) => join(execFileSync('pg_config', ['--bindir'], { encoding: 'utf8' }).trim(), name);
/** As root, the processes run as the `postgres` user (its uid and gid), who owns the data directory. */
function postgresOwner(): { uid: number; gid: number } | null {
  if (process.getuid?.() !== 0) return null;
  const id = (flag: string) => Number(execFileSync('id', [flag, 'postgres'], { encoding: 'utf8' }));
  return { uid: id('-u'), gid: id('-g') };
}

async function accepts(url: string): Promise<boolean> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 1_000 });
  client.on('error', () => undefined);
  try {
    await client.connect();
    await client.query('select 1');
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => undefined);
  }
}

export async function startPrivatePostgres(): Promise<PrivatePostgres> {
  const owner = postgresOwner();
  const dir = mkdtempSync(join(tmpdir(), 'kefu-pg-'));
  if (owner) chownSync(dir, owner.uid, owner.gid);
  const data = join(dir, 'data');
  execFileSync(postgresBin('initdb'), ['-D', data, '-A', 'trust', '-U', 'postgres', '-E', 'UTF8', '--no-sync'], { stdio: 'ignore', ...owner });
  const port = await freePort();
  const url = `postgres://postgres@127.0.0.1:${port}/postgres`;
  let child: ChildProcess | null = null;

  const start = async () => {
    if (child) return;
    const args = ['-D', data, '-p', String(port), '-k', dir, '-c', 'listen_addresses=127.0.0.1', '-c', 'fsync=off', '-c', 'max_connections=200'];
    const spawned = spawn(postgresBin('postgres'), args, { stdio: 'ignore', ...owner });
    child = spawned;
    const deadline = Date.now() + 20_000;
    while (!(await accepts(url))) {
      if (spawned.exitCode !== null || Date.now() > deadline) throw new Error(`the private PostgreSQL on ${port} did not start`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  };
  const stop = async () => {
    const running = child;
    child = null;
    if (!running) return;
    running.kill('SIGINT');
    await exited(running);
  };
  await start();
  return {
    url,
    start,
    stop,
    async destroy() {
      await stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * Registers a private Redis and a cluster of `size` nodes on it for the enclosing describe block;
 * with `privatePostgres`, the cluster's database lives on a PostgreSQL server of its own too.
 */
export function useFaultCluster(size: number, options: { privatePostgres?: boolean } = {}): { redis: () => PrivateRedis; postgres: () => PrivatePostgres; cluster: () => Cluster } {
  let redis: PrivateRedis | undefined;
  let postgres: PrivatePostgres | undefined;
  let cluster: Cluster | undefined;
  beforeAll(async () => {
    redis = await startPrivateRedis();
    if (options.privatePostgres) postgres = await startPrivatePostgres();
    cluster = await startCluster({ size, redisUrl: redis.url, ...(postgres && { postgresUrl: postgres.url }) });
  }, 60_000);
  afterAll(async () => {
    if (postgres) await postgres.start().catch(() => undefined); // the cluster drops its database on it
    await cluster?.stop();
    await postgres?.destroy();
    await redis?.stop();
  });
  return { redis: () => redis!, postgres: () => postgres!, cluster: () => cluster! };
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
