import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { LoginOutputSchema } from '@kefu/protocol';
import { createInbox, expectHttpError, onlineAgent, within, testStore } from './kit.js';
import { ADMIN, startTestServer, type TestServer } from './harness.js';

describe('HTTP: login, logout, errors, health and metrics', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({ store: testStore() });
  });
  afterAll(() => server.stop());

  /** A request with a raw body, for what the JSON helper cannot send. */
  const raw = async (method: string, path: string, body: string, contentType: string, token?: string) => {
    const headers: Record<string, string> = { 'content-type': contentType };
    if (token) headers.authorization = `Bearer ${token}`;
    const response = await fetch(`${server.url}${path}`, { method, headers, body });
    return { status: response.status, body: (await response.json()) as unknown };
  };

  it('POST /api/auth/login answers 200 with a token and the agent profile', async () => {
    const res = await server.api('POST', '/api/auth/login', ADMIN);
    expect(res.status).toBe(200);
    const body = LoginOutputSchema.parse(res.body);
    expect(body.agent).toMatchObject({ email: ADMIN.email, role: 'admin' });
    expect(body.token.split('.')).toHaveLength(3);
    expect(JSON.stringify(res.body)).not.toMatch(/password|hash/i);

    // The token works on the agent namespace.
    const client = server.agent(body.token);
    expect((await within(client.ready(), 'session')).agent.id).toBe(body.agent.id);
  });

  it('POST /api/auth/login answers 401 for a wrong password and an unknown email, alike', async () => {
    const wrong = await server.api<{ error: { message: string } }>('POST', '/api/auth/login', { email: ADMIN.email, password: 'not-the-password' });
    expectHttpError(wrong, 'unauthorized');
    const unknown = await server.api<{ error: { message: string } }>('POST', '/api/auth/login', { email: 'nobody@kefu.test', password: 'whatever-1' });
    expectHttpError(unknown, 'unauthorized');
    // Nothing tells which emails exist.
    expect(unknown.body.error.message).toBe(wrong.body.error.message);
  });

  it('answers 400 bad_request for malformed JSON, a missing field, or a body that is not JSON', async () => {
    expectHttpError(await raw('POST', '/api/auth/login', '{"email": "admin@kefu.local", ', 'application/json'), 'bad_request');
    expectHttpError(await raw('POST', '/api/auth/login', 'not json at all', 'application/json'), 'bad_request');
    expectHttpError(await server.api('POST', '/api/auth/login', { email: ADMIN.email }), 'bad_request');
    expectHttpError(await server.api('POST', '/api/auth/login', ['a', 'list']), 'bad_request');
    expectHttpError(await raw('POST', '/api/auth/login', 'email=a&password=b', 'text/plain'), 'bad_request');
    const { token } = await server.login();
    expectHttpError(await raw('POST', '/api/admin/agents', '{nope', 'application/json', token), 'bad_request');
    expectHttpError(await raw('PATCH', '/api/admin/inboxes/x', '[1,', 'application/json', token), 'bad_request');
  });

  it('answers 413 too_large for a JSON body over the limit, and 404 not_found for an unknown route', async () => {
    const big = JSON.stringify({ email: ADMIN.email, password: 'x'.repeat(100 * 1024) });
    expectHttpError(await raw('POST', '/api/auth/login', big, 'application/json'), 'too_large');
    expectHttpError(await server.api('GET', '/api/no-such-route'), 'not_found');
    expectHttpError(await server.api('DELETE', '/api/auth/login'), 'not_found');
  });

  it('POST /api/auth/logout answers 204, then the token is refused (401); without a token 401', async () => {
    const { token } = await server.login();
    expect((await server.api('GET', '/api/admin/inboxes', undefined, token)).status).toBe(200);
    const out = await server.api('POST', '/api/auth/logout', undefined, token);
    expect(out).toEqual({ status: 204, body: null });
    expectHttpError(await server.api('GET', '/api/admin/inboxes', undefined, token), 'unauthorized');
    expectHttpError(await server.api('POST', '/api/auth/logout', undefined, token), 'unauthorized');
    expectHttpError(await server.api('POST', '/api/auth/logout'), 'unauthorized');
    expectHttpError(await server.api('POST', '/api/auth/logout', undefined, 'garbage'), 'unauthorized');
  });

  it('GET /healthz answers 200 { ok: true }', async () => {
    expect(await server.api('GET', '/healthz')).toEqual({ status: 200, body: { ok: true } });
  });

  it('GET /metrics serves Prometheus text with the kefu_ metrics, counting real traffic', async () => {
    const inbox = await createInbox(server, { routing: 'manual' });
    const agent = await onlineAgent(server, [inbox.id]);
    await agent.client.call('canned:list', {});
    expect((await agent.client.request('conversation:open', { conversationId: 'nope' })).ok).toBe(false);
    await server.api('GET', '/healthz');

    const response = await fetch(`${server.url}/metrics`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/plain/);
    const text = await response.text();
    expect(text).toMatch(/^# HELP kefu_sockets_connected /m);
    expect(text).toMatch(/^kefu_sockets_connected\{namespace="agent"\} [1-9]/m);
    expect(text).toMatch(/^kefu_commands_total\{namespace="agent",command="canned:list",result="ok"\} [1-9]/m);
    expect(text).toMatch(/^kefu_commands_total\{namespace="agent",command="conversation:open",result="not_found"\} [1-9]/m);
    expect(text).toMatch(/^kefu_command_duration_seconds_bucket\{/m);
    expect(text).toMatch(/^kefu_http_requests_total\{route="\/healthz",status="200"\} [1-9]/m);
  });
});
