import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { newClientMsgId } from '@kefu/client';
import { ReadChangedSchema, TypingChangedSchema, VisitorDetailsSchema, VisitorInfoSchema, visitorCommands } from '@kefu/protocol';
import { startTestServer, type TestServer } from './harness.js';
import { createInbox, expectFailure, expectOk, onlineAgent, patchInbox, raw, testStore, visitorOf } from './kit.js';

const sendOutput = visitorCommands['message:send'].output;

/** PROTOCOL.md, visitor `typing:set`, `read:set`, `visitor:update`, `csat:submit`. */
describe('visitor commands', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({ store: testStore() });
  });
  afterAll(() => server.stop());

  /**
   * An inbox with two agents, and a visitor whose first message was routed to one of them: `ana` is
   * the assignee, `bo` the other member.
   */
  async function desk(settings: Parameters<typeof createInbox>[1] = {}) {
    const inbox = await createInbox(server, settings);
    const first = await onlineAgent(server, [inbox.id], { name: 'Ana' });
    const second = await onlineAgent(server, [inbox.id], { name: 'Bo' });
    const visitor = visitorOf(server, inbox.key);
    const sent = sendOutput.parse(expectOk(await raw(visitor.client, 'message:send', { clientMsgId: newClientMsgId(), body: 'Hello' })));
    const assignee = sent.conversation.assignee?.name;
    expect(['Ana', 'Bo']).toContain(assignee);
    const [ana, bo] = assignee === 'Ana' ? [first, second] : [second, first];
    return { inbox, ana, bo, visitor, conversationId: sent.conversation.id, lastSeq: sent.conversation.lastSeq };
  }

  describe('typing:set', () => {
    it('reaches agents who opened the conversation, without the draft unless live preview is on', async () => {
      const { ana, bo, visitor, conversationId } = await desk();
      await visitor.client.call('visitor:update', { name: 'Mia' });
      await ana.client.call('conversation:open', { conversationId });
      const anaFrom = ana.log.mark();
      const boFrom = bo.log.mark();

      expect(expectOk(await raw(visitor.client, 'typing:set', { conversationId, typing: true, draft: 'I want a ref' }))).toEqual({});
      const typing = TypingChangedSchema.parse(await ana.log.wait('typing:changed', (t) => t.typing, { from: anaFrom }));
      expect(typing).toEqual({ conversationId, typing: true, name: 'Mia' });
      expect(expectOk(await raw(visitor.client, 'typing:set', { conversationId, typing: false }))).toEqual({});
      expect(await ana.log.wait('typing:changed', (t) => !t.typing, { from: anaFrom })).toEqual({ conversationId, typing: false, name: 'Mia' });

      // Bo did not open it: the list row of a message sent after the typing reaches him, the typing never did.
      const sent = await visitor.client.send({ body: 'Anyone?' });
      const at = await bo.log.waitIndex('conversation:activity', (a) => a.conversations.some((c) => c.lastSeq === sent.message.seq && c.id === conversationId), { from: boFrom });
      expect(bo.log.all('typing:changed', boFrom, at)).toEqual([]);
    });

    it('forwards the draft when the inbox has live typing preview', async () => {
      const { inbox, ana, visitor, conversationId } = await desk();
      await patchInbox(server, inbox.id, { livePreview: true });
      expect((await visitorOf(server, inbox.key).client.ready()).inbox.livePreview).toBe(true);
      await ana.client.call('conversation:open', { conversationId });
      const from = ana.log.mark();
      expectOk(await raw(visitor.client, 'typing:set', { conversationId, typing: true, draft: 'I want a refund for' }));
      const typing = TypingChangedSchema.parse(await ana.log.wait('typing:changed', undefined, { from }));
      expect(typing).toEqual({ conversationId, typing: true, name: null, draft: 'I want a refund for' });

      // After conversation:leave, Ana gets no more typing (checked against the next message event).
      await ana.client.call('conversation:leave', { conversationId });
      const left = ana.log.mark();
      expectOk(await raw(visitor.client, 'typing:set', { conversationId, typing: true, draft: 'secret' }));
      const sent = await visitor.client.send({ body: 'refund please' });
      const at = await ana.log.waitIndex('message:created', (m) => m.id === sent.message.id, { from: left });
      expect(ana.log.all('typing:changed', left, at)).toEqual([]);
    });

    it("validates the payload and answers not_found for someone else's conversation", async () => {
      const { inbox, visitor, conversationId } = await desk();
      expectFailure(await raw(visitor.client, 'typing:set', { conversationId }), 'bad_request');
      expectFailure(await raw(visitor.client, 'typing:set', { conversationId, typing: 'yes' }), 'bad_request');
      expectFailure(await raw(visitor.client, 'typing:set', { conversationId, typing: true, draft: 'x'.repeat(5_001) }), 'bad_request');
      const stranger = visitorOf(server, inbox.key).client;
      await stranger.ready();
      expectFailure(await raw(stranger, 'typing:set', { conversationId, typing: true }), 'not_found');
    });
  });

  describe('read:set', () => {
    it('tells the agents following the conversation (and the visitor’s other tabs) how far the visitor read', async () => {
      const { inbox, ana, bo, visitor, conversationId } = await desk();
      // Ana's reply makes her the assignee; Bo holds the conversation open.
      const reply = (await ana.client.send({ conversationId, body: 'How can I help?' })).message;
      await bo.client.open(conversationId);
      const tab2 = visitorOf(server, inbox.key, { visitorToken: visitor.client.visitorToken! });
      await tab2.client.ready();
      const from = { ana: ana.log.mark(), bo: bo.log.mark(), tab2: tab2.log.mark(), tab1: visitor.log.mark() };

      expect(expectOk(await raw(visitor.client, 'read:set', { conversationId, seq: reply.seq }))).toEqual({});
      // Its followers: the assignee and whoever holds it open.
      for (const agent of [ana, bo]) {
        const read = ReadChangedSchema.parse(await agent.log.wait('read:changed', (r) => r.conversationId === conversationId, { from: from[agent === ana ? 'ana' : 'bo'] }));
        expect(read).toMatchObject({ conversationId, seq: reply.seq });
        expect(read.by ?? 'visitor').toBe('visitor');
      }
      expect(await tab2.log.wait('read:changed', undefined, { from: from.tab2 })).toMatchObject({ conversationId, seq: reply.seq });

      // A seq past the end is capped at the last message.
      const more = (await ana.client.send({ conversationId, body: 'Still there?' })).message;
      const capped = ana.log.mark();
      expectOk(await raw(visitor.client, 'read:set', { conversationId, seq: 10_000 }));
      expect(await ana.log.wait('read:changed', (r) => r.conversationId === conversationId, { from: capped })).toMatchObject({ seq: more.seq });
      // The tab that read does not hear its own receipt back.
      const ownEcho = visitor.log.all('read:changed', from.tab1).filter((r) => r.conversationId === conversationId);
      expect(ownEcho).toEqual([]);
    });

    it("validates the payload and answers not_found for someone else's conversation", async () => {
      const { inbox, visitor, conversationId } = await desk();
      expectFailure(await raw(visitor.client, 'read:set', { conversationId }), 'bad_request');
      expectFailure(await raw(visitor.client, 'read:set', { conversationId, seq: -1 }), 'bad_request');
      expectFailure(await raw(visitor.client, 'read:set', { seq: 1 }), 'bad_request');
      const stranger = visitorOf(server, inbox.key).client;
      await stranger.ready();
      expectFailure(await raw(stranger, 'read:set', { conversationId, seq: 1 }), 'not_found');
    });
  });

  describe('visitor:update', () => {
    it('stores name, email and page, which the agent sees in conversation:open', async () => {
      const { inbox, ana, visitor, conversationId } = await desk();
      const page = { url: 'https://shop.example/cart', title: 'Your cart', referrer: 'https://search.example/?q=shoes' };
      const updated = expectOk(await raw(visitor.client, 'visitor:update', { name: '  Mia Chen ', email: 'mia@example.com', page }));
      const info = visitorCommands['visitor:update'].output.parse(updated);
      expect(info.visitor).toEqual({ id: (await visitor.client.ready()).visitor.id, name: 'Mia Chen', email: 'mia@example.com' });
      VisitorInfoSchema.parse(info.visitor);

      const opened = await ana.client.call('conversation:open', { conversationId });
      expect(VisitorDetailsSchema.parse(opened.visitor)).toMatchObject({ id: info.visitor.id, name: 'Mia Chen', email: 'mia@example.com', page });
      expect(opened.conversation.visitor).toEqual({ id: info.visitor.id, name: 'Mia Chen', email: 'mia@example.com' });

      // A partial update keeps the rest; the page moves on.
      const partial = visitorCommands['visitor:update'].output.parse(expectOk(await raw(visitor.client, 'visitor:update', { page: { url: 'https://shop.example/checkout' } })));
      expect(partial.visitor).toMatchObject({ name: 'Mia Chen', email: 'mia@example.com' });
      const reopened = await ana.client.call('conversation:open', { conversationId });
      expect(reopened.visitor).toMatchObject({ page: { url: 'https://shop.example/checkout' } });

      // The name signs the visitor's next messages, and the session of a new tab carries it.
      const sent = await visitor.client.send({ body: 'It is me' });
      expect(sent.message.author).toMatchObject({ type: 'visitor', name: 'Mia Chen' });
      const session = await visitorOf(server, inbox.key, { visitorToken: visitor.client.visitorToken! }).client.ready();
      expect(session.visitor).toEqual(info.visitor);
    });

    it('refuses a bad email, an empty name and an overlong url with bad_request, changing nothing', async () => {
      const { visitor } = await desk();
      await visitor.client.call('visitor:update', { name: 'Kim', email: 'kim@example.com' });
      expectFailure(await raw(visitor.client, 'visitor:update', { email: 'not-an-email' }), 'bad_request');
      expectFailure(await raw(visitor.client, 'visitor:update', { name: '   ' }), 'bad_request');
      expectFailure(await raw(visitor.client, 'visitor:update', { name: 'x'.repeat(101) }), 'bad_request');
      expectFailure(await raw(visitor.client, 'visitor:update', { page: { url: 'https://x.example/' + 'a'.repeat(2_100) } }), 'bad_request');
      expectFailure(await raw(visitor.client, 'visitor:update', { page: { title: 'no url' } }), 'bad_request');
      expectFailure(await raw(visitor.client, 'visitor:update', { name: 'Ki\u0000m' }), 'bad_request');
      // The dashboard shows the page as a link: only http(s) gets in.
      for (const url of ['javascript:alert(document.cookie)', 'data:text/html,<script>alert(1)</script>', 'JAVASCRIPT:alert(1)', '/cart']) {
        expectFailure(await raw(visitor.client, 'visitor:update', { page: { url } }), 'bad_request');
        expectFailure(await raw(visitor.client, 'visitor:update', { page: { url: 'https://shop.example/', referrer: url } }), 'bad_request');
      }
      const now = visitorCommands['visitor:update'].output.parse(expectOk(await raw(visitor.client, 'visitor:update', {})));
      expect(now.visitor).toMatchObject({ name: 'Kim', email: 'kim@example.com' });
    });
  });

  describe('csat:submit', () => {
    it('is a conflict before the conversation is resolved and accepted after', async () => {
      const { inbox, ana, visitor, conversationId } = await desk();
      expectFailure(await raw(visitor.client, 'csat:submit', { conversationId, rating: 5 }), 'conflict');
      const resolved = visitor.log.mark();
      await ana.client.call('conversation:set-status', { conversationId, status: 'resolved' });
      await visitor.log.wait('conversation:updated', (c) => c.id === conversationId && c.status === 'resolved', { from: resolved });
      expect(expectOk(await raw(visitor.client, 'csat:submit', { conversationId, rating: 4, comment: 'Quick and kind' }))).toEqual({});
      // With nothing unresolved, the session shows the most recent conversation, resolved.
      const session = await visitorOf(server, inbox.key, { visitorToken: visitor.client.visitorToken! }).client.ready();
      expect(session.conversation).toMatchObject({ id: conversationId, status: 'resolved', queue: null });
      // A rating may be corrected.
      expect(expectOk(await raw(visitor.client, 'csat:submit', { conversationId, rating: 5 }))).toEqual({});
    });

    it('refuses ratings outside 1–5 with bad_request', async () => {
      const { ana, visitor, conversationId } = await desk();
      await ana.client.call('conversation:set-status', { conversationId, status: 'resolved' });
      for (const rating of [0, 6, 3.5, '5', null]) {
        expectFailure(await raw(visitor.client, 'csat:submit', { conversationId, rating }), 'bad_request');
      }
      expectFailure(await raw(visitor.client, 'csat:submit', { conversationId }), 'bad_request');
      expectFailure(await raw(visitor.client, 'csat:submit', { conversationId, rating: 3, comment: 'x'.repeat(2_001) }), 'bad_request');
    });

    it("answers not_found for someone else's conversation and forbidden when ratings are off", async () => {
      const { inbox, ana, visitor, conversationId } = await desk();
      await ana.client.call('conversation:set-status', { conversationId, status: 'resolved' });
      const stranger = visitorOf(server, inbox.key).client;
      await stranger.ready();
      expectFailure(await raw(stranger, 'csat:submit', { conversationId, rating: 1 }), 'not_found');
      await patchInbox(server, inbox.id, { csatEnabled: false });
      expect((await visitorOf(server, inbox.key).client.ready()).inbox.csatEnabled).toBe(false);
      expectFailure(await raw(visitor.client, 'csat:submit', { conversationId, rating: 5 }), 'forbidden');
    });
  });

  it('cannot call agent commands or unknown ones from the visitor namespace', async () => {
    const { visitor, conversationId } = await desk();
    for (const command of ['conversation:list', 'conversation:open', 'conversation:assign', 'agent:set-status', 'queue:snapshot', 'nope']) {
      expectFailure(await raw(visitor.client, command, { conversationId, view: 'all', agentId: null, status: 'online' }), 'bad_request');
    }
    // The socket still works afterwards.
    expect(expectOk(await raw(visitor.client, 'conversation:sync', { conversationId, afterSeq: 0 }))).toMatchObject({ hasMore: false });
  });
});
