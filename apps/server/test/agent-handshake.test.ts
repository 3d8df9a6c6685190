import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { connectAgent, type AgentClient } from '@kefu/client';
import { AgentSessionSchema } from '@kefu/protocol';
import { io } from 'socket.io-client';
import { createTokenService } from '../src/auth/tokens.js';
import { createInbox, expectFailure, expectHttpError, nextEvent, onlineAdmin, onlineAgent, raw, testStore, within } from './kit.js';
import { startTestServer, type TestServer } from './harness.js';

const SECRET = 'handshake-suite-secret-0123456789abcdef';

describe('agent handshake and sessions', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({ store: testStore(), env: { KEFU_SECRET: SECRET } });
  });
  afterAll(() => server.stop());

  /** A raw socket.io-client handshake with this `auth`: resolves with the connect_error message. */
  const connectError = (auth: Record<string, unknown>) =>
    within(
      new Promise<string>((resolve, reject) => {
        const socket = io(`${server.url}/agent`, { transports: ['websocket'], forceNew: true, reconnection: false, auth });
        socket.on('connect_error', (error) => {
          socket.close();
          resolve(error.message);
        });
        socket.on('connect', () => {
          socket.close();
          reject(new Error('the handshake was accepted'));
        });
      }),
      'connect_error',
    );

  it('refuses a missing, malformed or garbage token with connect_error "unauthorized"', async () => {
    expect(await connectError({})).toBe('unauthorized');
    expect(await connectError({ token: '' })).toBe('unauthorized');
    expect(await connectError({ token: 42 })).toBe('unauthorized');
    expect(await connectError({ token: 'not-a-token' })).toBe('unauthorized');
    expect(await connectError({ token: 'x'.repeat(5_000) })).toBe('unauthorized');
    expect(await connectError({ token: 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.AAAA' })).toBe('unauthorized');
  });

  it('refuses tokens signed with another secret, expired, for an unknown session, or meant for visitors', async () => {
    const { token, agent } = await server.login();
    // Sanity: the same claims signed with the server's secret would pass, so each refusal below is about one defect.
    const real = createTokenService(SECRET);
    const claims = JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString()) as { sid: string };
    const resigned = await real.signAgent({ agentId: agent.id, sessionId: claims.sid }, new Date(Date.now() + 60_000));
    const ok = connectAgent({ url: server.url, token: resigned });
    await expect(within(ok.ready(), 'resigned session')).resolves.toMatchObject({ agent: { id: agent.id } });
    ok.close();

    const forged = await createTokenService('some-other-secret-0123456789abcdef').signAgent({ agentId: agent.id, sessionId: claims.sid }, new Date(Date.now() + 60_000));
    expect(await connectError({ token: forged })).toBe('unauthorized');
    const expired = await real.signAgent({ agentId: agent.id, sessionId: claims.sid }, new Date(Date.now() - 60_000));
    expect(await connectError({ token: expired })).toBe('unauthorized');
    const noSession = await real.signAgent({ agentId: agent.id, sessionId: 'no-such-session' }, new Date(Date.now() + 60_000));
    expect(await connectError({ token: noSession })).toBe('unauthorized');

    const visitor = server.visitor();
    const visitorToken = (await within(visitor.ready(), 'visitor session')).visitorToken;
    expect(await connectError({ token: visitorToken })).toBe('unauthorized');
  });

  it('greets an agent with a session that matches AgentSessionSchema and lists only their inboxes', async () => {
    const mine = await createInbox(server, { name: 'Mine', routing: 'manual' });
    const other = await createInbox(server, { name: 'Not mine', routing: 'manual' });
    const ana = await onlineAgent(server, [mine.id], { name: 'Ana', capacity: 4 });
    expect(AgentSessionSchema.parse(ana.session)).toEqual({
      agent: expect.objectContaining({ id: ana.id, name: 'Ana', email: ana.email, role: 'agent', status: 'online', capacity: 4, load: 0 }),
      inboxes: [{ id: mine.id, name: 'Mine' }],
    });

    const admin = await onlineAdmin(server);
    expect(admin.session.agent.role).toBe('admin');
    const seen = admin.session.inboxes.map((i) => i.id);
    expect(seen).toEqual(expect.arrayContaining([mine.id, other.id]));
  });

  it('answers bad_request to visitor-only commands, unknown commands and payloads that are not objects', async () => {
    const inbox = await createInbox(server, { routing: 'manual' });
    const ana = await onlineAgent(server, [inbox.id]);
    for (const [event, payload] of [
      ['visitor:update', { name: 'Mallory' }],
      ['csat:submit', { conversationId: 'x', rating: 5 }],
      ['no:such-command', {}],
      ['conversation:list', 'all'],
      ['conversation:open', ['a', 'b']],
      ['agent:set-status', null],
    ] as const) {
      expectFailure(await raw(ana.client, event, payload), 'bad_request');
    }
    // Still alive and well.
    expect((await ana.client.call('agent:set-status', { status: 'online' })).agent.id).toBe(ana.id);
  });

  it('revokes the token on logout: its live sockets are disconnected, the token is refused afterwards', async () => {
    const inbox = await createInbox(server, { routing: 'manual' });
    const bo = await onlineAgent(server, [inbox.id], { name: 'Bo' });
    // A second login of the same agent is another session, which logout of the first must not touch.
    const second = await server.login(bo.email, bo.password);
    const other = server.agent(second.token);
    await within(other.ready(), 'second session');

    const disconnected = new Promise<string>((resolve) => bo.client.socket.on('disconnect', resolve));
    // The SDK tries to reconnect after a server disconnect; the revoked token must fail that handshake.
    const refused = new Promise<string>((resolve) => bo.client.socket.on('connect_error', (error) => resolve(error.message)));
    const logout = await server.api('POST', '/api/auth/logout', undefined, bo.token);
    expect(logout.status).toBe(204);
    expect(await within(disconnected, 'disconnect after logout')).toBe('io server disconnect');
    expect(await within(refused, 'reconnect refused')).toBe('unauthorized');

    expect(await connectError({ token: bo.token })).toBe('unauthorized');
    expectHttpError(await server.api('POST', '/api/auth/logout', undefined, bo.token), 'unauthorized');
    expectHttpError(await server.api('POST', '/api/auth/logout'), 'unauthorized');

    // The other session lives on.
    expect(other.connected).toBe(true);
    await expect(other.call('canned:list', {})).resolves.toEqual({ responses: expect.any(Array) });
  });

  it('applies a role change to live sockets at once: they reconnect with the new role', async () => {
    const inbox = await createInbox(server, { routing: 'manual' });
    const zed = await server.createAgent({ name: 'Zed', role: 'admin', inboxIds: [inbox.id] });
    const client = connectAgent({ url: server.url, token: zed.token, socketOptions: { reconnectionDelay: 50 } });
    try {
      expect((await within(client.ready(), 'session')).agent.role).toBe('admin');
      expect((await client.request('queue:snapshot', {})).ok).toBe(true);
      const token = (await server.login()).token;

      const demoted = nextEvent(client, 'session', (s) => s.agent.role === 'agent');
      expect((await server.api('PATCH', `/api/admin/agents/${zed.id}`, { role: 'agent' }, token)).status).toBe(200);
      expect(AgentSessionSchema.parse(await demoted).inboxes).toEqual([{ id: inbox.id, name: inbox.name }]);
      expectFailure(await client.request('queue:snapshot', {}), 'forbidden');

      const promoted = nextEvent(client, 'session', (s) => s.agent.role === 'admin');
      expect((await server.api('PATCH', `/api/admin/agents/${zed.id}`, { role: 'admin' }, token)).status).toBe(200);
      await promoted;
      expect((await client.request('queue:snapshot', {})).ok).toBe(true);
    } finally {
      client.close();
    }
  });

  it('disconnects a deactivated agent, refuses their login (403) and token, and lets them back once reactivated', async () => {
    const inbox = await createInbox(server, { routing: 'manual' });
    const cy = await onlineAgent(server, [inbox.id], { name: 'Cy' });
    const admin = await onlineAdmin(server);
    const adminToken = admin.token;

    const disconnected = new Promise<string>((resolve) => cy.client.socket.on('disconnect', resolve));
    const offline = nextEvent(admin.client, 'agent:updated', (a) => a.id === cy.id && a.active === false);
    const patched = await server.api<{ agent: { active: boolean; status: string } }>('PATCH', `/api/admin/agents/${cy.id}`, { active: false }, adminToken);
    expect(patched.status).toBe(200);
    expect(patched.body.agent).toMatchObject({ active: false, status: 'offline' });
    expect(await within(disconnected, 'disconnect after deactivation')).toBe('io server disconnect');
    expect(await offline).toMatchObject({ status: 'offline' });

    expectHttpError(await server.api('POST', '/api/auth/login', { email: cy.email, password: cy.password }), 'forbidden');
    expect(await connectError({ token: cy.token })).toBe('unauthorized');

    const back = await server.api('PATCH', `/api/admin/agents/${cy.id}`, { active: true }, adminToken);
    expect(back.status).toBe(200);
    const again = await server.login(cy.email, cy.password);
    const client: AgentClient = server.agent(again.token);
    await expect(within(client.ready(), 'session after reactivation')).resolves.toMatchObject({ agent: { id: cy.id, active: true } });
  });
});
