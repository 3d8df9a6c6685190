import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { createTestStore, type TestStore } from '@kefu/store/testing';
import { createClient } from 'redis';
import type { Socket } from 'socket.io-client';
import { inParallel } from '../progress.js';
import { openAgents, type Agents } from '../load/agents.js';
import { command, openedSockets } from '../load/sockets.js';
import { repoRoot, startProcess, stopProcess, type NodeProcess } from './process.js';
import type { Desk, DeskSpec, Target } from './target.js';

export const serverMain = join(repoRoot, 'apps/server/dist/main.js');
export const REDIS_URL = process.env.KEFU_BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379';
const ADMIN = { email: 'admin@kefu.local', password: 'bench-admin-password' };
const AGENT_PASSWORD = 'bench-agent-password';

/**
 * Rate limits relaxed by configuration only: one load generator on one address plays thousands of
 * shoppers and agents, which the defaults would (rightly) throttle.
 */
export const benchEnv: Record<string, string> = {
  KEFU_ADMIN_EMAIL: ADMIN.email,
  KEFU_ADMIN_PASSWORD: ADMIN.password,
  KEFU_PASSWORD_COST: '10',
  KEFU_RATE_LIMIT_POINTS: '100000000',
  KEFU_LOGIN_ATTEMPTS_PER_MINUTE: '100000000',
  KEFU_NEW_VISITORS_PER_MINUTE: '100000000',
  // One load generator address plays every shopper and agent: no per-address connection cap.
  KEFU_MAX_CONNECTIONS_PER_ADDRESS: '0',
  LOG_LEVEL: 'warn',
};

export type KefuOptions = {
  nodeArgs?: (nodeIndex: number) => string[];
  /** Another build of kefu (a directory laid out like this repository), for before/after in one run. */
  root?: string;
};

/** The Node flags a build's server starts with, as its `npm start` and image do (none before change 58). */
async function serverNodeFlagsOf(root: string): Promise<readonly string[]> {
  const file = join(root, 'apps/server/dist/node-flags.js');
  if (!existsSync(file)) return [];
  return ((await import(pathToFileURL(file).href)) as { serverNodeFlags: readonly string[] }).serverNodeFlags;
}

/** kefu on one node with its embedded SQLite store (`kefu-1`) or on two nodes with Redis and PostgreSQL (`kefu-2`). */
export async function startKefu(name: string, options: KefuOptions = {}): Promise<Target & { api: KefuApi }> {
  const shape = name.split('@')[0];
  const main = options.root ? join(options.root, 'apps/server/dist/main.js') : serverMain;
  const dataDir = mkdtempSync(join(tmpdir(), 'kefu-bench-'));
  const store: TestStore | null = shape === 'kefu-2' ? await createTestStore('postgres') : null;
  const prefix = `kefu-bench-${randomBytes(4).toString('hex')}:`;
  const env = { ...benchEnv, KEFU_DATA_DIR: dataDir, ...(store ? { KEFU_DATABASE_URL: store.url!, KEFU_REDIS_URL: REDIS_URL, KEFU_REDIS_PREFIX: prefix } : {}) };
  const nodes: NodeProcess[] = [];
  const count = shape === 'kefu-2' ? 2 : 1;
  // One after the other: the first runs the migrations and the bootstrap.
  const flags = await serverNodeFlagsOf(options.root ?? repoRoot);
  for (let i = 0; i < count; i++) nodes.push(await startProcess(`${name}/node${i + 1}`, main, { ...env, KEFU_NODE_ID: `node${i + 1}` }, [...flags, ...(options.nodeArgs?.(i) ?? [])]));
  const api = await kefuApi(nodes[0]!.url);
  const shopperUrl = nodes[0]!.url;
  const agentUrl = nodes[count - 1]!.url;
  // Every desk's agents, closed once the nodes have stopped (see openKefuDesk).
  const agents: Agents[] = [];
  return {
    name,
    nodes,
    shopperUrl,
    agentUrl,
    api,
    openDesk: (spec, onProgress) => openKefuDesk(api, shopperUrl, agentUrl, spec, onProgress, agents),
    async stop() {
      await Promise.all(nodes.map(stopProcess));
      await Promise.all(agents.map((group) => group.close()));
      await store?.drop();
      if (store) await dropRedisKeys(prefix);
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

export async function dropRedisKeys(prefix: string): Promise<void> {
  const redis = createClient({ url: REDIS_URL });
  await redis.connect();
  for await (const keys of redis.scanIterator({ MATCH: `${prefix}*`, COUNT: 1000 })) if (keys.length > 0) await redis.del(keys);
  await redis.quit();
}

export type KefuApi = {
  call<T>(method: string, path: string, body?: unknown, token?: string): Promise<T>;
  createInbox(routing: 'auto' | 'manual'): Promise<{ id: string; key: string }>;
  createAgent(inboxId: string, capacity: number): Promise<{ id: string; token: string }>;
  agentsLoad(): Promise<{ id: string; load: number; capacity: number }[]>;
};

let serial = 0;

export async function kefuApi(url: string): Promise<KefuApi> {
  const call = async <T>(method: string, path: string, body?: unknown, token?: string): Promise<T> => {
    const response = await fetch(`${url}${path}`, {
      method,
      headers: { ...(body ? { 'content-type': 'application/json' } : {}), ...(token ? { authorization: `Bearer ${token}` } : {}) },
      body: body ? JSON.stringify(body) : null,
    });
    if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${await response.text()}`);
    return (await response.json()) as T;
  };
  const login = (email: string, password: string) => call<{ token: string; agent: { id: string } }>('POST', '/api/auth/login', { email, password });
  const admin = (await login(ADMIN.email, ADMIN.password)).token;
  return {
    call,
    async createInbox(routing) {
      const { inbox } = await call<{ inbox: { id: string; key: string } }>('POST', '/api/admin/inboxes', { name: `bench ${++serial}`, routing }, admin);
      return inbox;
    },
    async createAgent(inboxId, capacity) {
      const email = `agent-${randomBytes(5).toString('hex')}@bench.local`;
      await call('POST', '/api/admin/agents', { email, name: email.slice(0, 16), password: AGENT_PASSWORD, capacity, inboxIds: [inboxId] }, admin);
      const session = await login(email, AGENT_PASSWORD);
      return { id: session.agent.id, token: session.token };
    },
    async agentsLoad() {
      return (await call<{ agents: { id: string; load: number; capacity: number }[] }>('GET', '/api/admin/agents', undefined, admin)).agents;
    },
  };
}

type SendAck = { message: { conversationId: string }; conversation: { id: string; status: string } };

/**
 * A new inbox, its agents online, one conversation per shopper (routed by kefu), then the waiting
 * shoppers. The agents are added to `agentsOfTarget`, which the target closes when it stops.
 */
async function openKefuDesk(api: KefuApi, shopperUrl: string, agentUrl: string, spec: DeskSpec, onProgress: (text: string) => void, agentsOfTarget: Agents[]): Promise<Desk> {
  const inbox = await api.createInbox(spec.routing ?? 'auto');
  const accounts = await inParallel(Array.from({ length: spec.agents }), 8, () => api.createAgent(inbox.id, spec.capacity));
  // The first agent parses everything, as a dashboard does; the others only count the list updates.
  const agents = await openAgents(agentUrl, accounts.map((account, i) => ({ auth: { token: account.token }, parsesListUpdates: i === 0 })));
  agentsOfTarget.push(agents);
  const sockets = openedSockets();
  const startShopper = async (index: number, of: number, what: string): Promise<{ id: string; shopper: Socket }> => {
    const shopper = await sockets.connect(shopperUrl, '/visitor', { inboxKey: inbox.key });
    const ack = await command<SendAck>(shopper, 'message:send', { clientMsgId: `hello-${index}`, body: 'hello' });
    if (index % 50 === 0) onProgress(`${what} ${index}/${of}`);
    return { id: ack.conversation.id, shopper };
  };
  const startShoppers = async () => ({
    conversations: await inParallel(Array.from({ length: spec.conversations }), 50, (_, i) => startShopper(i, spec.conversations, 'conversations')),
    waiting: await inParallel(Array.from({ length: spec.queued ?? 0 }), 50, (_, i) => startShopper(i, spec.queued ?? 0, 'queued shoppers')),
  });
  // A desk that failed to open would otherwise leave the shoppers started so far connected.
  const { conversations, waiting } = await startShoppers().catch((error: unknown) => {
    sockets.close();
    throw error;
  });
  // The agents stay connected until the scenario stops the target, as the routing scenario's do: agents
  // leaving would have their conversations requeued after the presence grace (60 s), in the middle of a
  // later run (a one-node routing run measured p99 252 ms with the fan-out's 400 landing in it).
  // What a shift going offline costs is measured on its own: packages/store/src/lock-bench.ts.
  return {
    conversations,
    agents,
    waiting: waiting.map((w) => w.shopper),
    close: async () => sockets.close(),
  };
}
