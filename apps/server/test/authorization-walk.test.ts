import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { connectAgent, connectVisitor, KefuClientError } from '@kefu/client';
import { agentCommands, visitorCommands, type Inbox, type Result } from '@kefu/protocol';
import { startTestServer, type TestServer } from './harness.js';
import { adminToken, createInbox, onlineAdmin, onlineAgent, raw, startConversation, testStore, upload, within, type OnlineAgent, type Shopper } from './kit.js';

/**
 * Every socket command and HTTP route, as each role: the visitor of the conversation, another
 * visitor, an agent of the conversation's inbox (its assignee), an agent of another inbox, an admin.
 * Someone else's conversation or inbox answers not_found; past authorization, a command may still
 * fail on the state of things (noted in the table). A command or route added without a row here
 * fails this test.
 */

type Outcome = 'ok' | 'not_found' | 'forbidden' | 'unauthorized' | 'conflict';
const outcomeOf = (result: Result<unknown>): string => (result.ok ? 'ok' : result.error.code);
const unique = () => randomBytes(4).toString('hex');

describe('authorization: every command and route as every role', () => {
  let server: TestServer;
  let inbox: Inbox;
  let other: Inbox;
  let owner: Shopper;
  let stranger: Shopper;
  let member: OnlineAgent;
  let outsider: OnlineAgent;
  let admin: Awaited<ReturnType<typeof onlineAdmin>>;
  let conversationId: string;

  beforeAll(async () => {
    server = await startTestServer({ store: testStore() });
    inbox = await createInbox(server, { routing: 'manual' });
    other = await createInbox(server, { routing: 'manual' });
    member = await onlineAgent(server, [inbox.id], { name: 'Member' });
    outsider = await onlineAgent(server, [other.id], { name: 'Outsider' });
    admin = await onlineAdmin(server);
    owner = await startConversation(server, inbox, 'mine');
    stranger = await startConversation(server, inbox, 'someone else');
    conversationId = owner.conversation.id;
    await member.client.call('conversation:assign', { conversationId, agentId: member.id });
  });
  afterAll(() => server.stop());

  describe('agent commands', () => {
    type Row = { payload: () => unknown; member: Outcome; outsider: Outcome; admin: Outcome };
    const seen = () => ({ member: 'ok', outsider: 'not_found', admin: 'ok' }) as const;
    const table: Record<keyof typeof agentCommands, Row> = {
      'agent:set-status': { payload: () => ({ status: 'online' }), member: 'ok', outsider: 'ok', admin: 'ok' },
      'conversation:list': { payload: () => ({ view: 'all', inboxId: inbox.id }), ...seen() },
      'conversation:open': { payload: () => ({ conversationId }), ...seen() },
      // Leaving a room one is not in changes nothing and tells nothing: the same answer for every id.
      'conversation:leave': { payload: () => ({ conversationId }), member: 'ok', outsider: 'ok', admin: 'ok' },
      'message:send': { payload: () => ({ conversationId, clientMsgId: unique(), body: 'hello' }), ...seen() },
      'conversation:sync': { payload: () => ({ conversationId, afterSeq: 0 }), ...seen() },
      'conversation:history': { payload: () => ({ conversationId }), ...seen() },
      'conversation:assign': { payload: () => ({ conversationId, agentId: member.id }), ...seen() },
      'conversation:set-status': { payload: () => ({ conversationId, status: 'open' }), ...seen() },
      'typing:set': { payload: () => ({ conversationId, typing: false }), ...seen() },
      'read:set': { payload: () => ({ conversationId, seq: 1 }), ...seen() },
      'canned:list': { payload: () => ({}), member: 'ok', outsider: 'ok', admin: 'ok' },
      'queue:snapshot': { payload: () => ({ inboxId: inbox.id }), member: 'forbidden', outsider: 'forbidden', admin: 'ok' },
      // Admins only, to the assignee (the member): the member may see it but not whisper.
      'conversation:whisper': { payload: () => ({ conversationId, clientMsgId: unique(), body: 'psst' }), member: 'forbidden', outsider: 'not_found', admin: 'ok' },
      'inbox:agents': { payload: () => ({ inboxId: inbox.id }), ...seen() },
      // Search is scoped, not refused: an outsider searches their own inboxes (agent-desk-tools.test.ts).
      'conversation:search': { payload: () => ({ query: 'mine' }), member: 'ok', outsider: 'ok', admin: 'ok' },
    };

    it('has a row for every command of the protocol', () => {
      expect(Object.keys(table).sort()).toEqual(Object.keys(agentCommands).sort());
    });

    it.each(Object.keys(agentCommands))('%s', async (command) => {
      const row = table[command as keyof typeof agentCommands];
      const got = {
        member: outcomeOf(await raw(member.client, command, row.payload())),
        outsider: outcomeOf(await raw(outsider.client, command, row.payload())),
        admin: outcomeOf(await raw(admin.client, command, row.payload())),
      };
      expect(got).toEqual({ member: row.member, outsider: row.outsider, admin: row.admin });
    });

    it('a missing conversation answers exactly like someone else’s', async () => {
      const missing = { conversationId: 'no-such-conversation' };
      expect(outcomeOf(await raw(admin.client, 'conversation:open', missing))).toBe('not_found');
      expect(await raw(outsider.client, 'conversation:open', { conversationId })).toEqual({ ok: false, error: (await raw(outsider.client, 'conversation:open', missing) as { error: unknown }).error });
    });
  });

  describe('visitor commands', () => {
    type Row = { payload: () => unknown; owner: Outcome; stranger: Outcome };
    const table: Record<keyof typeof visitorCommands, Row> = {
      'message:send': { payload: () => ({ conversationId, clientMsgId: unique(), body: 'more' }), owner: 'ok', stranger: 'not_found' },
      'conversation:sync': { payload: () => ({ conversationId, afterSeq: 0 }), owner: 'ok', stranger: 'not_found' },
      'conversation:history': { payload: () => ({ conversationId }), owner: 'ok', stranger: 'not_found' },
      'typing:set': { payload: () => ({ conversationId, typing: false }), owner: 'ok', stranger: 'not_found' },
      'read:set': { payload: () => ({ conversationId, seq: 1 }), owner: 'ok', stranger: 'not_found' },
      // Only ever the caller's own record.
      'visitor:update': { payload: () => ({ name: 'Someone' }), owner: 'ok', stranger: 'ok' },
      // Past authorization, the owner meets the state: rating waits for the conversation to be resolved.
      'csat:submit': { payload: () => ({ conversationId, rating: 5 }), owner: 'conflict', stranger: 'not_found' },
    };

    it('has a row for every command of the protocol', () => {
      expect(Object.keys(table).sort()).toEqual(Object.keys(visitorCommands).sort());
    });

    it.each(Object.keys(visitorCommands))('%s', async (command) => {
      const row = table[command as keyof typeof visitorCommands];
      const got = {
        owner: outcomeOf(await raw(owner.client, command, row.payload())),
        stranger: outcomeOf(await raw(stranger.client, command, row.payload())),
      };
      expect(got).toEqual({ owner: row.owner, stranger: row.stranger });
    });

    it('the stranger’s visitor:update changed only the stranger', async () => {
      await owner.client.call('visitor:update', { name: 'Owner' });
      await stranger.client.call('visitor:update', { name: 'Stranger' });
      const opened = await admin.client.call('conversation:open', { conversationId });
      expect(opened.visitor.name).toBe('Owner');
    });
  });

  describe('handshakes', () => {
    it('a visitor token does not open the agent namespace, nor an agent token the visitor one', async () => {
      const refused = async (client: { ready(): Promise<unknown>; close(): void }) => {
        try {
          await within(client.ready(), 'handshake');
          return 'session';
        } catch (error) {
          return error instanceof KefuClientError ? error.code : String(error);
        } finally {
          client.close();
        }
      };
      expect(await refused(connectAgent({ url: server.url, token: owner.client.visitorToken!, socketOptions: { reconnection: false } }))).toBe('unauthorized');
      const asVisitor = connectVisitor({ url: server.url, inboxKey: inbox.key, visitorToken: member.token, socketOptions: { reconnection: false } });
      // An unknown token is no identity: the visitor namespace starts a new anonymous visitor instead, never the agent.
      const outcome = await refused(asVisitor);
      expect(['unauthorized', 'session']).toContain(outcome);
    });
  });

  describe('HTTP routes', () => {
    type Who = 'nobody' | 'visitor' | 'member' | 'outsider' | 'admin';
    const everyone: Who[] = ['nobody', 'visitor', 'member', 'outsider', 'admin'];
    const tokenOf = async (who: Who): Promise<string | undefined> =>
      ({ nobody: undefined, visitor: owner.client.visitorToken!, member: member.token, outsider: outsider.token, admin: await adminToken(server) })[who];
    const adminOnly = (adminStatus: number): Record<Who, number> => ({ nobody: 401, visitor: 401, member: 403, outsider: 403, admin: adminStatus });

    const routes: { method: string; path: () => string; body?: () => unknown; expected: Record<Who, number> }[] = [
      { method: 'GET', path: () => '/api/admin/agents', expected: adminOnly(200) },
      { method: 'POST', path: () => '/api/admin/agents', body: () => ({ email: `walk-${unique()}@kefu.test`, name: 'Walk', password: 'walk-password-1' }), expected: adminOnly(201) },
      { method: 'PATCH', path: () => `/api/admin/agents/${member.id}`, body: () => ({ capacity: 3 }), expected: adminOnly(200) },
      { method: 'GET', path: () => '/api/admin/inboxes', expected: adminOnly(200) },
      { method: 'POST', path: () => '/api/admin/inboxes', body: () => ({ name: `Walk ${unique()}` }), expected: adminOnly(201) },
      { method: 'PATCH', path: () => `/api/admin/inboxes/${other.id}`, body: () => ({ greeting: 'Hi' }), expected: adminOnly(200) },
      { method: 'GET', path: () => '/api/admin/canned', expected: adminOnly(200) },
      { method: 'POST', path: () => '/api/admin/canned', body: () => ({ shortcut: `walk${unique()}`, body: 'Thanks!' }), expected: adminOnly(201) },
      { method: 'DELETE', path: () => '/api/admin/canned/no-such-response', expected: adminOnly(404) },
      { method: 'GET', path: () => `/api/admin/conversations/${conversationId}/assignments`, expected: adminOnly(200) },
      { method: 'GET', path: () => '/api/admin/audit', expected: adminOnly(200) },
      { method: 'GET', path: () => '/api/admin/reports?from=2026-03-01&to=2026-03-31', expected: adminOnly(200) },
    ];

    it.each(routes.map((route) => [`${route.method} ${route.path.toString().replace(/^\(\)\s*=>\s*/, '').replace(/['`]/g, '')}`, route] as const))('%s', async (_name, route) => {
      const got: Record<string, number> = {};
      for (const who of everyone) got[who] = (await server.api(route.method, route.path(), route.body?.(), await tokenOf(who))).status;
      expect(got).toEqual(route.expected);
    });

    it('uploads: visitors and agents may upload; nobody without a token', async () => {
      const got: Record<string, number> = {};
      for (const who of everyone) got[who] = (await upload(server, await tokenOf(who))).status;
      expect(got).toEqual({ nobody: 401, visitor: 201, member: 201, outsider: 201, admin: 201 });
    });

    it('another visitor cannot attach someone else’s upload', async () => {
      const { body } = await upload<{ attachment: { id: string } }>(server, owner.client.visitorToken);
      const stolen = await raw(stranger.client, 'message:send', { clientMsgId: unique(), body: 'look', attachmentIds: [body.attachment.id] });
      expect(outcomeOf(stolen)).toBe('bad_request');
    });
  });
});
