import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { connectAgent, connectVisitor, KefuClientError, type AgentClient, type VisitorClient } from '@kefu/client';
import { startTestServer, type TestServer } from './harness.js';
import { adminToken, expectHttpError, testStore, within } from './kit.js';

const DASHBOARD = 'https://desk.example.com';
const EVIL = 'https://evil.example';
const transports = [['websocket'], ['polling']] as const;

/** How a handshake ended: 'session', or the code of its refusal. */
async function outcome(client: AgentClient | VisitorClient): Promise<string> {
  try {
    await within<unknown>(client.ready(), 'handshake');
    return 'session';
  } catch (error) {
    if (error instanceof KefuClientError) return error.code;
    throw error;
  } finally {
    client.close();
  }
}

const headersFor = (origin: string | null): Record<string, string> => (origin === null ? {} : { Origin: origin });

async function post(server: TestServer, path: string, body: unknown, origin: string | null, token?: string) {
  const headers: Record<string, string> = { 'content-type': 'application/json', ...headersFor(origin) };
  if (token) headers.authorization = `Bearer ${token}`;
  const response = await fetch(`${server.url}${path}`, { method: 'POST', headers, body: JSON.stringify(body) });
  return { status: response.status, body: (await response.json().catch(() => null)) as unknown };
}

describe('security: only the dashboard origins may act for agents (KEFU_WEB_ORIGINS)', () => {
  let server: TestServer;
  let token: string;
  beforeAll(async () => {
    server = await startTestServer({ store: testStore(), env: { KEFU_WEB_ORIGINS: `${DASHBOARD},http://localhost:3000` } });
    token = await adminToken(server);
  });
  afterAll(() => server.stop());

  describe.each(transports)('the agent namespace over %s', (transport) => {
    const agentFrom = (origin: string | null) =>
      connectAgent({ url: server.url, token, socketOptions: { transports: [transport], extraHeaders: headersFor(origin), reconnection: false } });

    it('refuses another origin with forbidden', async () => {
      expect(await outcome(agentFrom(EVIL))).toBe('forbidden');
      expect(await outcome(agentFrom('null'))).toBe('forbidden');
    });

    it('accepts the dashboard and clients that send no Origin', async () => {
      expect(await outcome(agentFrom(DASHBOARD))).toBe('session');
      expect(await outcome(agentFrom('http://localhost:3000'))).toBe('session');
      expect(await outcome(agentFrom(null))).toBe('session');
    });

    it('leaves the visitor namespace open to every shop', async () => {
      const visitor = connectVisitor({ url: server.url, inboxKey: 'demo', socketOptions: { transports: [transport], extraHeaders: headersFor(EVIL), reconnection: false } });
      expect(await outcome(visitor)).toBe('session');
    });
  });

  it('refuses logins, logouts and the admin API from another origin with 403 forbidden', async () => {
    const login = { email: 'admin@kefu.local', password: 'admin-password-1' };
    expectHttpError(await post(server, '/api/auth/login', login, EVIL), 'forbidden');
    expectHttpError(await post(server, '/api/auth/logout', {}, EVIL, token), 'forbidden');
    expectHttpError(await post(server, '/api/admin/inboxes', { name: 'From evil' }, EVIL, token), 'forbidden');
    const list = await fetch(`${server.url}/api/admin/agents`, { headers: { authorization: `Bearer ${token}`, Origin: EVIL } });
    expect(list.status).toBe(403);
    // The session was not ended by the refused logout.
    expect(await outcome(connectAgent({ url: server.url, token, socketOptions: { reconnection: false } }))).toBe('session');
  });

  it('accepts them from the dashboard and without Origin', async () => {
    const login = { email: 'admin@kefu.local', password: 'admin-password-1' };
    expect((await post(server, '/api/auth/login', login, DASHBOARD)).status).toBe(200);
    expect((await post(server, '/api/auth/login', login, null)).status).toBe(200);
    expect((await post(server, '/api/admin/inboxes', { name: 'From the desk' }, DASHBOARD, token)).status).toBe(201);
  });

  it('defaults to the web app on port 3000', async () => {
    const { loadConfig } = await import('../src/env.js');
    expect(loadConfig({}).webOrigins).toEqual(['http://localhost:3000', 'http://127.0.0.1:3000']);
  });
});
