import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer as createHttpServer, type Server } from 'node:http';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { connectAgent, type AgentClient } from '@kefu/client';
import type { AgentProfile, Inbox, InboxCreate } from '@kefu/protocol';
import { createTestStore } from '@kefu/store/testing';
import { chromium, type Browser } from 'playwright-core';
import { createClient } from 'redis';

/**
 * A whole desk as a newcomer runs it: the built server (`apps/server/dist/main.js`, embedded SQLite in
 * a temporary data directory) and the built web app (`next start`), as real processes on free ports,
 * plus Debian's Chromium driven by playwright-core, and a plain "customer shop" on another origin.
 * With `nodes: 2`, as a cluster is run: two server nodes over Redis and a PostgreSQL database of the
 * test's own (key prefix and database dropped at the end); the web app talks to the first node,
 * shoppers to the second (`shopperUrl`), so everything live crosses nodes.
 */
export const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));
const webDir = join(repoRoot, 'apps/web');
export const ADMIN = { email: 'admin@kefu.local', password: 'e2e-admin-password' };
export const artifactsDir = join(repoRoot, 'test-results');
/** The smallest valid PNG: 1×1 pixel. */
export const onePixelPng = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==', 'base64');
const READY_MS = 30_000;

export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise((resolve) => server.close(resolve));
  if (!address || typeof address === 'string') throw new Error('no port');
  return address.port;
}

type Proc = { child: ChildProcess; output: () => string; exited: Promise<number | null> };

function startProcess(command: string[], cwd: string, env: Record<string, string>, readyWhen: RegExp): Promise<Proc> {
  const child = spawn(command[0]!, command.slice(1), { cwd, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`not ready within ${READY_MS} ms: ${command.join(' ')}\n${output}`)), READY_MS);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      if (readyWhen.test(output)) {
        clearTimeout(timer);
        resolve({ child, output: () => output, exited });
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`exited (${code}) before ready: ${command.join(' ')}\n${output}`));
    });
  });
}

export type Desk = {
  /** The node the web app (dashboard, admin console, widget frame) talks to. */
  serverUrl: string;
  /** The node shoppers' SDK sockets use in tests: the second node of a cluster, else the one server. */
  shopperUrl: string;
  webUrl: string;
  shopUrl: (inboxKey: string) => string;
  /** Stops the (first) server (SIGTERM, graceful) and starts it again on the same port and data. */
  restartServer(): Promise<void>;
  stopServer(): Promise<void>;
  startServer(): Promise<void>;
  api<T>(method: string, path: string, body?: unknown): Promise<T>;
  createInbox(settings: InboxCreate): Promise<Inbox>;
  /**
   * Adds an inbox to an agent's memberships as they are now (not as a session saw them at connect: a
   * membership missing from that list would be a removal, which disconnects the agent's sockets).
   */
  joinInbox(agentId: string, inboxId: string): Promise<void>;
  /** The admin as an online agent, over the SDK. */
  agent(): Promise<{ client: AgentClient; profile: AgentProfile }>;
  browser: Browser;
  stop(): Promise<void>;
};

/** What a cluster shares besides the processes: a fresh PostgreSQL database and a Redis key prefix. */
async function clusterBacking(): Promise<{ env: Record<string, string>; drop: () => Promise<void> }> {
  const store = await createTestStore('postgres');
  const prefix = `kefu-e2e-${randomBytes(5).toString('hex')}:`;
  const redisUrl = process.env.KEFU_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
  return {
    env: { KEFU_DATABASE_URL: store.url!, KEFU_REDIS_URL: redisUrl, KEFU_REDIS_PREFIX: prefix },
    drop: async () => {
      await store.drop();
      const redis = createClient({ url: redisUrl });
      await redis.connect();
      for await (const keys of redis.scanIterator({ MATCH: `${prefix}*`, COUNT: 500 })) if (keys.length > 0) await redis.del(keys);
      await redis.quit();
    },
  };
}

export async function startDesk(options: { nodes?: 1 | 2 } = {}): Promise<Desk> {
  const dataDir = mkdtempSync(join(tmpdir(), 'kefu-e2e-'));
  const [serverPort, webPort, shopPort] = [await freePort(), await freePort(), await freePort()];
  const serverUrl = `http://localhost:${serverPort}`;
  const webUrl = `http://localhost:${webPort}`;
  const backing = options.nodes === 2 ? await clusterBacking() : null;
  const serverEnv = {
    PORT: String(serverPort),
    // A cluster's nodes share the uploads directory, as the docker-compose volume does.
    KEFU_DATA_DIR: dataDir,
    KEFU_ADMIN_PASSWORD: ADMIN.password,
    KEFU_PASSWORD_COST: '10',
    KEFU_WEB_ORIGINS: webUrl,
    KEFU_AGENT_OFFLINE_GRACE_MS: '1000',
    // Tests start many shoppers from one address.
    KEFU_NEW_VISITORS_PER_MINUTE: '10000',
    LOG_LEVEL: 'info',
    KEFU_NODE_ID: 'node1',
    ...backing?.env,
  };
  const serverMain = join(repoRoot, 'apps/server/dist/main.js');
  let server: Proc | null = null;
  const startServer = async () => {
    server = await startProcess([process.execPath, serverMain], repoRoot, serverEnv, /kefu server listening/);
  };
  const stopServer = async () => {
    if (!server) return;
    server.child.kill('SIGTERM');
    await server.exited;
    server = null;
  };
  await startServer();
  let second: Proc | null = null;
  let shopperUrl = serverUrl;
  if (backing) {
    const port = await freePort();
    shopperUrl = `http://localhost:${port}`;
    second = await startProcess([process.execPath, serverMain], repoRoot, { ...serverEnv, PORT: String(port), KEFU_NODE_ID: 'node2' }, /kefu server listening/);
  }
  const nextBin = join(repoRoot, 'node_modules/next/dist/bin/next');
  const web = await startProcess([process.execPath, nextBin, 'start', '-p', String(webPort)], webDir, { KEFU_PUBLIC_SERVER_URL: serverUrl, NEXT_TELEMETRY_DISABLED: '1' }, /Ready in/);
  const shop = await startShop(shopPort, webUrl);
  const browser = await chromium.launch({
    executablePath: process.env.KEFU_CHROMIUM ?? '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  mkdirSync(artifactsDir, { recursive: true });

  let adminToken: string | null = null;
  const api = async <T>(method: string, path: string, body?: unknown): Promise<T> => {
    if (!adminToken && path !== '/api/auth/login') adminToken = (await api<{ token: string }>('POST', '/api/auth/login', ADMIN)).token;
    const response = await fetch(`${serverUrl}${path}`, {
      method,
      headers: { 'Content-Type': 'application/json', ...(adminToken ? { Authorization: `Bearer ${adminToken}` } : {}) },
      body: body === undefined ? null : JSON.stringify(body),
    });
    if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${await response.text()}`);
    return (await response.json()) as T;
  };
  const agents: AgentClient[] = [];

  return {
    serverUrl,
    shopperUrl,
    webUrl,
    shopUrl: (inboxKey) => `http://127.0.0.1:${shopPort}/?inbox=${encodeURIComponent(inboxKey)}`,
    restartServer: async () => {
      await stopServer();
      await startServer();
    },
    stopServer,
    startServer,
    api,
    createInbox: async (settings) => (await api<{ inbox: Inbox }>('POST', '/api/admin/inboxes', settings)).inbox,
    joinInbox: async (agentId, inboxId) => {
      const { agents } = await api<{ agents: { id: string; inboxIds: string[] }[] }>('GET', '/api/admin/agents');
      const inboxIds = agents.find((a) => a.id === agentId)?.inboxIds ?? [];
      await api('PATCH', `/api/admin/agents/${agentId}`, { inboxIds: [...inboxIds, inboxId] });
    },
    agent: async () => {
      const { token } = await api<{ token: string }>('POST', '/api/auth/login', ADMIN);
      const client = connectAgent({ url: serverUrl, token });
      agents.push(client);
      await client.ready();
      const { agent } = await client.call('agent:set-status', { status: 'online' });
      return { client, profile: agent };
    },
    browser,
    stop: async () => {
      for (const agent of agents) agent.close();
      await browser.close();
      await new Promise((resolve) => shop.close(resolve));
      web.child.kill('SIGTERM');
      await web.exited;
      await stopServer();
      second?.child.kill('SIGTERM');
      await second?.exited;
      await backing?.drop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** A customer's shop on another origin: a plain page with the one script tag, as the README shows it. */
function startShop(port: number, webUrl: string): Promise<Server> {
  const server = createHttpServer((request, response) => {
    const url = new URL(request.url ?? '/', 'http://shop.local');
    const inbox = (url.searchParams.get('inbox') ?? 'demo').replace(/[^A-Za-z0-9_-]/g, '');
    response.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' });
    response.end(`<!doctype html><html lang="en"><head><meta name="viewport" content="width=device-width, initial-scale=1"><title>Tea shop</title>
<style>button{all:unset;background:red}iframe{border:5px solid red}</style></head>
<body><h1>Tea shop</h1><p>Products…</p>
<script>window.kefu=window.kefu||function(){(window.kefu.q=window.kefu.q||[]).push(arguments)};${url.searchParams.has('open') ? "kefu('open');" : ''}</script>
<script src="${webUrl}/widget.js" data-inbox="${inbox}" async></script></body></html>`);
  });
  return new Promise((resolve) => server.listen(port, '127.0.0.1', () => resolve(server)));
}
