import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connectAgent, connectVisitor, type AgentClient, type VisitorClient } from '@kefu/client';
import { createTestStore, type TestStore } from '@kefu/store/testing';
import { startServer, type RunningServer } from '../src/app.js';
import { loadConfig } from '../src/env.js';
import { createLogger } from '../src/logger.js';
import { requestJson } from './kit.js';

export const ADMIN = { email: 'admin@kefu.local', password: 'admin-password-1' };

export type TestServer = RunningServer & {
  store: TestStore;
  dataDir: string;
  login(email?: string, password?: string): Promise<{ token: string; agent: { id: string } }>;
  api<T = unknown>(method: string, path: string, body?: unknown, token?: string): Promise<{ status: number; body: T }>;
  createAgent(fields?: Partial<{ email: string; name: string; password: string; capacity: number; role: 'agent' | 'admin'; inboxIds: string[] }>): Promise<{ id: string; email: string; password: string; token: string }>;
  demoInboxId(): Promise<string>;
  visitor(options?: Partial<Parameters<typeof connectVisitor>[0]>): VisitorClient;
  agent(token: string): AgentClient;
  stop(): Promise<void>;
};

let sequence = 0;

/**
 * A real kefu server on port 0 with a store of its own (SQLite by default), and helpers to drive it.
 * `sharedStore` (another TestServer's `store`) starts a second node on the same database instead; its
 * stop() leaves the database to its owner. close() may come before stop(): a node stopped twice is closed once.
 */
export async function startTestServer(options: { store?: 'sqlite' | 'postgres'; sharedStore?: TestStore; env?: Record<string, string> } = {}): Promise<TestServer> {
  const store = options.sharedStore ?? (await createTestStore(options.store ?? 'sqlite'));
  const dataDir = mkdtempSync(join(tmpdir(), 'kefu-server-'));
  const config = loadConfig({
    PORT: '0',
    HOST: '127.0.0.1',
    KEFU_DATA_DIR: dataDir,
    KEFU_ADMIN_EMAIL: ADMIN.email,
    KEFU_ADMIN_PASSWORD: ADMIN.password,
    KEFU_PASSWORD_COST: '10',
    // Suites log in far more often than people do; the limit has tests of its own.
    KEFU_LOGIN_ATTEMPTS_PER_MINUTE: '100000',
    LOG_LEVEL: 'silent',
    ...(store.url ? { KEFU_DATABASE_URL: store.url } : {}),
    ...options.env,
  });
  if (config.store.kind === 'sqlite' && store.config.kind === 'sqlite') config.store.file = store.config.file;
  const server = await startServer(config, createLogger(process.env.KEFU_TEST_LOG ?? 'silent'));
  const clients: { close(): void }[] = [];
  let closing: Promise<void> | null = null;
  const close = () => (closing ??= server.close());

  const api = <T>(method: string, path: string, body?: unknown, token?: string) => requestJson<T>(server.url, method, path, body, token);
  const login = async (email = ADMIN.email, password = ADMIN.password) => {
    const res = await api<{ token: string; agent: { id: string } }>('POST', '/api/auth/login', { email, password });
    if (res.status !== 200) throw new Error(`login failed: ${res.status} ${JSON.stringify(res.body)}`);
    return res.body;
  };
  const demoInboxId = async () => {
    const { token } = await login();
    const res = await api<{ inboxes: { id: string; key: string }[] }>('GET', '/api/admin/inboxes', undefined, token);
    return res.body.inboxes.find((i) => i.key === 'demo')!.id;
  };

  return {
    ...server,
    close,
    store,
    dataDir,
    api,
    login,
    demoInboxId,
    async createAgent(fields = {}) {
      const { token: adminToken } = await login();
      const n = ++sequence;
      const agent = {
        email: fields.email ?? `agent${n}-${Date.now()}@kefu.test`,
        name: fields.name ?? `Agent ${n}`,
        password: fields.password ?? 'agent-password-1',
        capacity: fields.capacity ?? 3,
        role: fields.role ?? 'agent',
        inboxIds: fields.inboxIds ?? [await demoInboxId()],
      };
      const res = await api<{ agent: { id: string } }>('POST', '/api/admin/agents', agent, adminToken);
      if (res.status !== 201) throw new Error(`create agent failed: ${res.status} ${JSON.stringify(res.body)}`);
      const { token } = await login(agent.email, agent.password);
      return { id: res.body.agent.id, email: agent.email, password: agent.password, token };
    },
    visitor(extra = {}) {
      const client = connectVisitor({ url: server.url, inboxKey: 'demo', ...extra });
      clients.push(client);
      return client;
    },
    agent(token) {
      const client = connectAgent({ url: server.url, token });
      clients.push(client);
      return client;
    },
    async stop() {
      for (const client of clients) client.close();
      await close();
      if (!options.sharedStore) await store.drop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
