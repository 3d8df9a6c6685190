import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { connectAgent, connectVisitor, type AgentClient, type AgentClientOptions, type VisitorClient, type VisitorClientOptions } from '@kefu/client';
import { createTestStore, type TestStore } from '@kefu/store/testing';
import { createClient } from 'redis';
import { requestJson } from './kit.js';

import { waitFor } from './kit-events.js';
export { waitFor };

/**
 * Several real kefu processes (the built `apps/server/dist/main.js`) against the real Redis and a
 * PostgreSQL database of their own: what docker-compose runs, minus the load balancer.
 */

export const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));
export const serverMain = join(repoRoot, 'apps/server/dist/main.js');
export const demoMain = join(repoRoot, 'packages/client/dist/demo.js');
export const REDIS_URL = process.env.KEFU_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
export const CLUSTER_ADMIN = { email: 'admin@kefu.local', password: 'cluster-admin-password-1' };

const READY_DEADLINE_MS = 30_000; // a node starts in ~1 s; a loaded 2-core machine can take far longer

export type Exit = { code: number | null; signal: NodeJS.Signals | null };

export type ClusterNode = {
  name: string;
  port: number;
  url: string;
  child: ChildProcess;
  /** Resolves when the process has exited, with its code or the signal that ended it. */
  exited: Promise<Exit>;
  alive(): boolean;
  /** Everything the process wrote to stdout and stderr so far. */
  output(): string;
  /** JSON log lines at level error (50) or above. */
  errorLines(): string[];
  /** The first JSON log line, logged so far or from now on, that passes `match`. */
  logged(label: string, match: (line: LogLine) => boolean): Promise<LogLine>;
  kill(signal: NodeJS.Signals): void;
};

export type Cluster = {
  nodes: ClusterNode[];
  databaseUrl: string;
  redisPrefix: string;
  /** Starts one more node on the same store and Redis prefix (extra env merged over the cluster's). */
  addNode(env?: Record<string, string>): Promise<ClusterNode>;
  /** SIGKILLs a node (if still running) and starts it again on the same port, so clients' urls stay good. */
  restartNode(node: ClusterNode): Promise<ClusterNode>;
  api<T = unknown>(node: ClusterNode, method: string, path: string, body?: unknown, token?: string): Promise<{ status: number; body: T }>;
  login(node: ClusterNode, email?: string, password?: string): Promise<{ token: string; agent: { id: string } }>;
  createInbox(name: string): Promise<{ id: string; key: string }>;
  createAgent(fields: { name: string; inboxIds: string[]; capacity?: number }): Promise<{ id: string; email: string; token: string }>;
  visitor(node: ClusterNode, options: Omit<VisitorClientOptions, 'url'>): VisitorClient;
  agent(node: ClusterNode, token: string, options?: Pick<AgentClientOptions, 'urls'>): AgentClient;
  /** Kills every process still running, closes clients, drops the database and the Redis keys. */
  stop(): Promise<void>;
};

/** A port nobody listens on right now, found the way the OS hands out port 0. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.unref();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      probe.close(() => resolve(port));
    });
  });
}

/** The parent's environment minus every setting the server reads, so nothing leaks into a node. */
export function cleanEnv(): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (value === undefined || key.startsWith('KEFU_') || ['PORT', 'HOST', 'LOG_LEVEL', 'NODE_OPTIONS'].includes(key)) continue;
    env[key] = value;
  }
  return env;
}

/** Polls GET /healthz until it answers 200 (no event crosses the process boundary), or fails fast on exit. */
async function waitUntilHealthy(node: ClusterNode, deadlineMs: number): Promise<void> {
  const deadline = Date.now() + deadlineMs;
  let exit: Exit | null = null;
  void node.exited.then((e) => (exit = e));
  while (Date.now() < deadline) {
    if (exit) throw new Error(`${node.name} exited during startup (${JSON.stringify(exit)}):\n${node.output()}`);
    try {
      const res = await fetch(`${node.url}/healthz`, { signal: AbortSignal.timeout(1_000) });
      if (res.status === 200) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`${node.name} was not healthy within ${deadlineMs} ms:\n${node.output()}`);
}

export type LogLine = { level: number; msg?: string } & Record<string, unknown>;

function parseLogLine(line: string): LogLine | null {
  try {
    return JSON.parse(line) as LogLine;
  } catch {
    return null;
  }
}

function spawnNode(name: string, port: number, env: Record<string, string>): ClusterNode {
  const child = spawn(process.execPath, [serverMain], {
    cwd: repoRoot,
    env: { ...cleanEnv(), ...env, PORT: String(port) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const written = new Set<() => void>();
  const append = (chunk: string) => {
    output += chunk;
    for (const listener of written) listener();
  };
  child.stdout.setEncoding('utf8').on('data', append);
  child.stderr.setEncoding('utf8').on('data', append);
  let running = true;
  const exited = new Promise<Exit>((resolve) =>
    child.once('exit', (code, signal) => {
      running = false;
      resolve({ code, signal });
    }),
  );
  return {
    name,
    port,
    url: `http://127.0.0.1:${port}`,
    child,
    exited,
    alive: () => running,
    output: () => output,
    errorLines: () => output.split('\n').filter((line) => (parseLogLine(line)?.level ?? 0) >= 50),
    logged: (label, match) =>
      waitFor(label, 10_000, (done) => {
        const check = () => {
          const line = output.split('\n').map(parseLogLine).find((parsed) => parsed !== null && match(parsed));
          if (line) done(line);
        };
        written.add(check);
        check();
        return () => written.delete(check);
      }),
    kill: (signal) => {
      if (running) child.kill(signal);
    },
  };
}

const everyChild = new Set<ChildProcess>();
// Last resort if the test process dies without its afterAll: no node may outlive the suite.
process.once('exit', () => {
  for (const child of everyChild) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
});

/** The nodes run the build, not the sources: say so when a source is newer than its package's build. */
function warnIfStale(): void {
  const packages = ['apps/server', 'packages/protocol', 'packages/core', 'packages/store', 'packages/client'];
  const stale = packages.filter((dir) => {
    const built = join(repoRoot, dir, 'dist', dir === 'apps/server' ? 'main.js' : 'index.js');
    if (!existsSync(built)) return true;
    const builtAt = statSync(built).mtimeMs;
    const sources = readdirSync(join(repoRoot, dir, 'src'), { recursive: true, encoding: 'utf8' });
    const isBuilt = (file: string) => file.endsWith('.ts') && !file.endsWith('.test.ts') && !/(^|\/)test-[^/]*$/.test(file);
    return sources.some((file) => isBuilt(file) && statSync(join(repoRoot, dir, 'src', file)).mtimeMs > builtAt);
  });
  if (stale.length > 0) console.warn(`cluster tests run the built code, older than the sources of ${stale.join(', ')}: run \`npx turbo run build\` first`);
}

/** Starts `size` nodes at once against one empty PostgreSQL database. */
export async function startCluster(options: { size: number; env?: Record<string, string>; redisUrl?: string; postgresUrl?: string }): Promise<Cluster> {
  const redisUrl = options.redisUrl ?? REDIS_URL;
  if (!existsSync(serverMain)) throw new Error(`${serverMain} is missing: run \`npx turbo run build\` first`);
  warnIfStale();
  const store: TestStore = await createTestStore('postgres', options.postgresUrl);
  const redisPrefix = `kefu-test-${randomBytes(5).toString('hex')}:`;
  const dataDir = mkdtempSync(join(tmpdir(), 'kefu-cluster-'));
  const baseEnv: Record<string, string> = {
    HOST: '127.0.0.1',
    KEFU_DATA_DIR: dataDir,
    KEFU_DATABASE_URL: store.url!,
    KEFU_REDIS_URL: redisUrl,
    KEFU_REDIS_PREFIX: redisPrefix,
    KEFU_ADMIN_EMAIL: CLUSTER_ADMIN.email,
    KEFU_ADMIN_PASSWORD: CLUSTER_ADMIN.password,
    KEFU_PASSWORD_COST: '10',
    KEFU_RATE_LIMIT_POINTS: '1000000',
    KEFU_LOGIN_ATTEMPTS_PER_MINUTE: '100000',
    LOG_LEVEL: process.env.KEFU_TEST_LOG_LEVEL ?? 'warn',
    ...options.env,
  };
  const nodes: ClusterNode[] = [];
  const clients: { close(): void }[] = [];
  let count = 0;

  const launch = async (env: Record<string, string>): Promise<ClusterNode> => {
    const name = `node${++count}`;
    // A free port can be taken between the probe and the bind; try another one then.
    for (let attempt = 1; ; attempt++) {
      const node = spawnNode(name, await freePort(), { ...baseEnv, KEFU_NODE_ID: name, ...env });
      everyChild.add(node.child);
      nodes.push(node);
      try {
        await waitUntilHealthy(node, READY_DEADLINE_MS);
        return node;
      } catch (error) {
        nodes.splice(nodes.indexOf(node), 1);
        node.kill('SIGKILL');
        if (attempt >= 3 || !node.output().includes('EADDRINUSE')) throw error;
      }
    }
  };

  const api = <T>(node: ClusterNode, method: string, path: string, body?: unknown, token?: string) => requestJson<T>(node.url, method, path, body, token);
  const login = async (node: ClusterNode, email = CLUSTER_ADMIN.email, password = CLUSTER_ADMIN.password) => {
    const res = await api<{ token: string; agent: { id: string } }>(node, 'POST', '/api/auth/login', { email, password });
    if (res.status !== 200) throw new Error(`login of ${email} on ${node.name} failed: ${res.status} ${JSON.stringify(res.body)}`);
    return res.body;
  };
  const firstAlive = () => {
    const node = nodes.find((n) => n.alive());
    if (!node) throw new Error('no node of the cluster is running');
    return node;
  };
  let adminToken: string | null = null;
  const admin = async () => (adminToken ??= (await login(firstAlive())).token);
  let agentCount = 0;

  const cluster: Cluster = {
    nodes,
    databaseUrl: store.url!,
    redisPrefix,
    addNode: (env = {}) => launch(env),
    async restartNode(node) {
      node.kill('SIGKILL');
      await node.exited;
      everyChild.delete(node.child);
      const fresh = spawnNode(node.name, node.port, { ...baseEnv, KEFU_NODE_ID: node.name });
      everyChild.add(fresh.child);
      nodes[nodes.indexOf(node)] = fresh;
      await waitUntilHealthy(fresh, READY_DEADLINE_MS);
      return fresh;
    },
    api,
    login,
    async createInbox(name) {
      const res = await api<{ inbox: { id: string; key: string } }>(firstAlive(), 'POST', '/api/admin/inboxes', { name, routing: 'auto' }, await admin());
      if (res.status !== 201) throw new Error(`create inbox failed: ${res.status} ${JSON.stringify(res.body)}`);
      return res.body.inbox;
    },
    async createAgent({ name, inboxIds, capacity = 3 }) {
      const email = `agent${++agentCount}-${randomBytes(3).toString('hex')}@kefu.test`;
      const password = 'agent-password-1';
      const node = firstAlive();
      const res = await api<{ agent: { id: string } }>(node, 'POST', '/api/admin/agents', { email, name, password, capacity, inboxIds }, await admin());
      if (res.status !== 201) throw new Error(`create agent failed: ${res.status} ${JSON.stringify(res.body)}`);
      const { token } = await login(node, email, password);
      return { id: res.body.agent.id, email, token };
    },
    visitor(node, visitorOptions) {
      const client = connectVisitor({ url: node.url, socketOptions: fastReconnect, ...visitorOptions });
      clients.push(client);
      return client;
    },
    agent(node, token, agentOptions = {}) {
      const client = connectAgent({ url: node.url, token, socketOptions: fastReconnect, ...agentOptions });
      clients.push(client);
      return client;
    },
    async stop() {
      for (const client of clients) client.close();
      await Promise.all(
        nodes.map(async (node) => {
          node.kill('SIGKILL');
          await node.exited;
          everyChild.delete(node.child);
        }),
      );
      await store.drop();
      await deleteRedisKeys(redisPrefix, redisUrl).catch(() => undefined); // a fault test may have stopped its Redis
      rmSync(dataDir, { recursive: true, force: true });
    },
  };

  try {
    // All at once against the empty database: migrations and bootstrap must take their lock.
    await Promise.all(Array.from({ length: options.size }, () => launch({})));
  } catch (error) {
    await cluster.stop();
    throw error;
  }
  return cluster;
}

const fastReconnect = { reconnectionDelay: 100, reconnectionDelayMax: 500 };

/** SCAN + DEL of every key under the run's prefix. */
export async function deleteRedisKeys(prefix: string, url = REDIS_URL): Promise<number> {
  const redis = createClient({ url });
  redis.on('error', () => undefined);
  await redis.connect();
  let deleted = 0;
  try {
    for await (const batch of redis.scanIterator({ MATCH: `${prefix}*`, COUNT: 500 })) {
      const keys = ([] as string[]).concat(batch);
      if (keys.length > 0) deleted += await redis.del(keys);
    }
  } finally {
    await redis.quit();
  }
  return deleted;
}

/** Runs a finished child process (the demo CLI) and collects its output. */
export function runNode(script: string, args: string[], env: Record<string, string> = {}, timeoutMs = 30_000): Promise<Exit & { stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [script, ...args], { cwd: repoRoot, env: { ...cleanEnv(), ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    everyChild.add(child);
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${script} did not finish within ${timeoutMs} ms\nstdout:\n${stdout}\nstderr:\n${stderr}`));
    }, timeoutMs);
    child.once('error', reject);
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      everyChild.delete(child);
      resolve({ code, signal, stdout, stderr });
    });
  });
}
