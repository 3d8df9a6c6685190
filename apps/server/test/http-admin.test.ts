import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { AgentProfileSchema, CannedResponseSchema, InboxSchema, type Inbox } from '@kefu/protocol';
import { z } from 'zod';
import { adminToken, createInbox, expectHttpError, onlineAgent, startConversation, testStore } from './kit.js';
import { startTestServer, type TestServer } from './harness.js';

const AdminAgentSchema = AgentProfileSchema.extend({ inboxIds: z.array(z.string()) });
type AdminAgent = z.infer<typeof AdminAgentSchema>;

describe('HTTP admin API', () => {
  let server: TestServer;
  let token: string;
  let agentToken: string;
  beforeAll(async () => {
    server = await startTestServer({ store: testStore() });
    token = await adminToken(server);
    agentToken = (await server.createAgent({ inboxIds: [] })).token;
  });
  afterAll(() => server.stop());

  /** Every admin route refuses a missing or bad token (401) and a non-admin (403), with the error shape. */
  const expectAdminOnly = async (method: string, path: string, body?: unknown) => {
    expectHttpError(await server.api(method, path, body), 'unauthorized');
    expectHttpError(await server.api(method, path, body, 'not-a-token'), 'unauthorized');
    expectHttpError(await server.api(method, path, body, agentToken), 'forbidden');
  };

  describe('agents', () => {
    it('POST creates (201), GET lists, PATCH edits; the password never comes back', async () => {
      const inbox = await createInbox(server, { routing: 'manual' });
      const created = await server.api<{ agent: AdminAgent }>(
        'POST',
        '/api/admin/agents',
        { email: 'Dana@Kefu.Test', name: 'Dana', password: 'dana-password-1', capacity: 4, inboxIds: [inbox.id] },
        token,
      );
      expect(created.status).toBe(201);
      const dana = AdminAgentSchema.parse(created.body.agent);
      expect(dana).toMatchObject({ email: 'dana@kefu.test', name: 'Dana', role: 'agent', capacity: 4, load: 0, status: 'offline', inboxIds: [inbox.id] });
      expect(JSON.stringify(created.body)).not.toMatch(/password|dana-password-1|scrypt/);

      const listed = await server.api<{ agents: AdminAgent[] }>('GET', '/api/admin/agents', undefined, token);
      expect(listed.status).toBe(200);
      const found = listed.body.agents.map((a) => AdminAgentSchema.parse(a)).find((a) => a.id === dana.id);
      expect(found).toEqual(dana);
      expect(JSON.stringify(listed.body)).not.toMatch(/password|scrypt/);

      const other = await createInbox(server, { routing: 'manual' });
      const patched = await server.api<{ agent: AdminAgent }>(
        'PATCH',
        `/api/admin/agents/${dana.id}`,
        { name: 'Dana K', capacity: 6, role: 'admin', inboxIds: [other.id], password: 'new-password-2' },
        token,
      );
      expect(patched.status).toBe(200);
      expect(AdminAgentSchema.parse(patched.body.agent)).toMatchObject({ id: dana.id, name: 'Dana K', capacity: 6, role: 'admin', inboxIds: [other.id] });
      expectHttpError(await server.api('POST', '/api/auth/login', { email: 'dana@kefu.test', password: 'dana-password-1' }), 'unauthorized');
      expect((await server.login('dana@kefu.test', 'new-password-2')).agent.id).toBe(dana.id);
    });

    it('answers 409 for a taken email, 400 for bad fields or unknown inboxes, 404 for an unknown agent', async () => {
      const first = await server.api<{ agent: AdminAgent }>('POST', '/api/admin/agents', { email: 'eli@kefu.test', name: 'Eli', password: 'eli-password-1' }, token);
      expect(first.status).toBe(201);
      expectHttpError(await server.api('POST', '/api/admin/agents', { email: 'eli@kefu.test', name: 'Eli 2', password: 'eli-password-2' }, token), 'conflict');
      expectHttpError(await server.api('POST', '/api/admin/agents', { email: 'ELI@kefu.test', name: 'Eli 3', password: 'eli-password-3' }, token), 'conflict');
      const fay = await server.api<{ agent: AdminAgent }>('POST', '/api/admin/agents', { email: 'fay@kefu.test', name: 'Fay', password: 'fay-password-1' }, token);
      expectHttpError(await server.api('PATCH', `/api/admin/agents/${fay.body.agent.id}`, { email: 'eli@kefu.test' }, token), 'conflict');

      expectHttpError(await server.api('POST', '/api/admin/agents', { email: 'not-an-email', name: 'X', password: 'x-password-1' }, token), 'bad_request');
      expectHttpError(await server.api('POST', '/api/admin/agents', { email: 'gus@kefu.test', name: 'Gus', password: 'short' }, token), 'bad_request');
      expectHttpError(await server.api('POST', '/api/admin/agents', { email: 'gus@kefu.test', name: 'Gus', password: 'gus-password-1', role: 'owner' }, token), 'bad_request');
      expectHttpError(await server.api('POST', '/api/admin/agents', { email: 'gus@kefu.test', name: 'Gus', password: 'gus-password-1', capacity: -1 }, token), 'bad_request');
      expectHttpError(await server.api('POST', '/api/admin/agents', { email: 'gus@kefu.test', name: 'Gus', password: 'gus-password-1', inboxIds: ['nope'] }, token), 'bad_request');
      expectHttpError(await server.api('PATCH', `/api/admin/agents/${fay.body.agent.id}`, { capacity: 'many' }, token), 'bad_request');
      expectHttpError(await server.api('PATCH', '/api/admin/agents/no-such-agent', { name: 'Nobody' }, token), 'not_found');
      // Nothing was created by the refused requests.
      const listed = await server.api<{ agents: AdminAgent[] }>('GET', '/api/admin/agents', undefined, token);
      expect(listed.body.agents.filter((a) => a.email === 'gus@kefu.test')).toEqual([]);
    });

    it('is for admins only: 401 without or with a bad token, 403 for an agent', async () => {
      await expectAdminOnly('GET', '/api/admin/agents');
      await expectAdminOnly('POST', '/api/admin/agents', { email: 'hal@kefu.test', name: 'Hal', password: 'hal-password-1' });
      await expectAdminOnly('PATCH', '/api/admin/agents/whoever', { name: 'X' });
      const listed = await server.api<{ agents: AdminAgent[] }>('GET', '/api/admin/agents', undefined, token);
      expect(listed.body.agents.some((a) => a.email === 'hal@kefu.test')).toBe(false);
    });
  });

  describe('inboxes', () => {
    it('POST creates (201) with a key, GET lists, PATCH edits; the identity secret is never returned', async () => {
      const secret = 'identity-secret-0123456789';
      const created = await server.api<{ inbox: Inbox }>(
        'POST',
        '/api/admin/inboxes',
        { name: 'Shoes', routing: 'manual', allowedOrigins: ['https://shoes.test'], greeting: 'Hi!', identitySecret: secret },
        token,
      );
      expect(created.status).toBe(201);
      const inbox = InboxSchema.parse(created.body.inbox);
      expect(inbox).toMatchObject({ name: 'Shoes', routing: 'manual', allowedOrigins: ['https://shoes.test'], greeting: 'Hi!', hasIdentitySecret: true });
      expect(inbox.key).toMatch(/^[A-Za-z0-9_-]{8,}$/);
      expect(JSON.stringify(created.body)).not.toContain(secret);
      expect(created.body.inbox).not.toHaveProperty('identitySecret');

      const listed = await server.api<{ inboxes: Inbox[] }>('GET', '/api/admin/inboxes', undefined, token);
      expect(listed.status).toBe(200);
      expect(listed.body.inboxes.map((i) => InboxSchema.parse(i)).find((i) => i.id === inbox.id)).toEqual(inbox);
      expect(listed.body.inboxes.map((i) => i.key)).toContain('demo');
      expect(JSON.stringify(listed.body)).not.toContain(secret);

      const patched = await server.api<{ inbox: Inbox }>(
        'PATCH',
        `/api/admin/inboxes/${inbox.id}`,
        { name: 'Shoes & Boots', routing: 'auto', livePreview: true, csatEnabled: false, identitySecret: null, maxMessageLength: 500, widgetColor: '#aa3300', language: 'zh-CN' },
        token,
      );
      expect(patched.status).toBe(200);
      expect(InboxSchema.parse(patched.body.inbox)).toMatchObject({
        id: inbox.id,
        key: inbox.key,
        name: 'Shoes & Boots',
        routing: 'auto',
        livePreview: true,
        csatEnabled: false,
        hasIdentitySecret: false,
        maxMessageLength: 500,
        widgetColor: '#aa3300',
        language: 'zh-CN',
      });
      // null language: the widget follows the shopper's browser again.
      const reset = await server.api<{ inbox: Inbox }>('PATCH', `/api/admin/inboxes/${inbox.id}`, { language: null }, token);
      expect(reset.body.inbox).toMatchObject({ language: null, widgetColor: '#aa3300' });
    });

    it('answers 400 for bad fields and 404 for an unknown inbox, and is for admins only', async () => {
      expectHttpError(await server.api('POST', '/api/admin/inboxes', { name: '' }, token), 'bad_request');
      expectHttpError(await server.api('POST', '/api/admin/inboxes', { name: 'X', routing: 'random' }, token), 'bad_request');
      expectHttpError(await server.api('POST', '/api/admin/inboxes', { name: 'X', allowedOrigins: ['https://shop.test/path'] }, token), 'bad_request');
      expectHttpError(await server.api('POST', '/api/admin/inboxes', { name: 'X', identitySecret: 'short' }, token), 'bad_request');
      expectHttpError(await server.api('POST', '/api/admin/inboxes', { name: 'X', widgetColor: 'red' }, token), 'bad_request');
      expectHttpError(await server.api('POST', '/api/admin/inboxes', { name: 'X', language: 'fr' }, token), 'bad_request');
      expectHttpError(await server.api('PATCH', '/api/admin/inboxes/no-such-inbox', { name: 'Y' }, token), 'not_found');
      await expectAdminOnly('GET', '/api/admin/inboxes');
      await expectAdminOnly('POST', '/api/admin/inboxes', { name: 'Sneaky' });
      await expectAdminOnly('PATCH', '/api/admin/inboxes/whatever', { name: 'Sneaky' });
      const listed = await server.api<{ inboxes: Inbox[] }>('GET', '/api/admin/inboxes', undefined, token);
      expect(listed.body.inboxes.some((i) => i.name === 'Sneaky' || i.name === 'X')).toBe(false);
    });
  });

  describe('canned responses', () => {
    it('POST creates (201), GET lists, DELETE removes (204, then 404); shortcuts are unique', async () => {
      const created = await server.api<{ response: unknown }>('POST', '/api/admin/canned', { shortcut: 'hello', body: '  Hello! How can I help?  ' }, token);
      expect(created.status).toBe(201);
      const response = CannedResponseSchema.parse(created.body.response);
      expect(response).toMatchObject({ shortcut: 'hello', body: 'Hello! How can I help?' });

      const listed = await server.api<{ responses: unknown[] }>('GET', '/api/admin/canned', undefined, token);
      expect(listed.status).toBe(200);
      expect(listed.body.responses.map((r) => CannedResponseSchema.parse(r))).toContainEqual(response);

      expectHttpError(await server.api('POST', '/api/admin/canned', { shortcut: 'hello', body: 'again' }, token), 'conflict');
      expectHttpError(await server.api('POST', '/api/admin/canned', { shortcut: 'has space', body: 'x' }, token), 'bad_request');
      expectHttpError(await server.api('POST', '/api/admin/canned', { shortcut: 'empty', body: '   ' }, token), 'bad_request');

      expect(await server.api('DELETE', `/api/admin/canned/${response.id}`, undefined, token)).toEqual({ status: 204, body: null });
      expectHttpError(await server.api('DELETE', `/api/admin/canned/${response.id}`, undefined, token), 'not_found');
      const after = await server.api<{ responses: { id: string }[] }>('GET', '/api/admin/canned', undefined, token);
      expect(after.body.responses.some((r) => r.id === response.id)).toBe(false);
    });

    it('is for admins only', async () => {
      await expectAdminOnly('GET', '/api/admin/canned');
      await expectAdminOnly('POST', '/api/admin/canned', { shortcut: 'sneaky', body: 'x' });
      await expectAdminOnly('DELETE', '/api/admin/canned/whatever');
      const listed = await server.api<{ responses: { shortcut: string }[] }>('GET', '/api/admin/canned', undefined, token);
      expect(listed.body.responses.some((r) => r.shortcut === 'sneaky')).toBe(false);
    });
  });

  describe('assignment history', () => {
    it('GET /api/admin/conversations/:id/assignments explains each routing decision', async () => {
      const inbox = await createInbox(server, { routing: 'auto' });
      const ivy = await onlineAgent(server, [inbox.id], { name: 'Ivy', capacity: 2 });
      const jo = await onlineAgent(server, [inbox.id], { name: 'Jo', capacity: 2 });
      await jo.client.call('agent:set-status', { status: 'away' });
      const shopper = await startConversation(server, inbox);

      const res = await server.api<{ assignments: unknown[] }>('GET', `/api/admin/conversations/${shopper.conversation.id}/assignments`, undefined, token);
      expect(res.status).toBe(200);
      expect(res.body.assignments).toEqual([
        {
          id: expect.any(String),
          conversationId: shopper.conversation.id,
          agentId: ivy.id,
          rule: 'auto_least_load',
          waitSec: expect.any(Number),
          createdAt: expect.any(String),
          reason: {
            rule: 'auto_least_load',
            chosenId: ivy.id,
            summary: expect.stringContaining('Ivy'),
            candidates: expect.arrayContaining([
              expect.objectContaining({ id: ivy.id, eligible: true, why: 'eligible', load: 0, capacity: 2 }),
              expect.objectContaining({ id: jo.id, eligible: false, why: 'away' }),
            ]),
          },
        },
      ]);

      expectHttpError(await server.api('GET', '/api/admin/conversations/no-such-conversation/assignments', undefined, token), 'not_found');
      await expectAdminOnly('GET', `/api/admin/conversations/${shopper.conversation.id}/assignments`);
    });
  });
});
