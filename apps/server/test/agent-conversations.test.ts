import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { AgentProfileSchema, AgentSessionSchema, ConversationActivitySchema, MessageSchema, VisitorDetailsSchema, agentCommands, type AgentConversation, type AgentInput } from '@kefu/protocol';
import {
  barrier,
  createInbox,
  expectFailure,
  nextEvent,
  onlineAdmin,
  onlineAgent,
  startConversation,
  within,
  type OnlineAgent,
  testStore,
} from './kit.js';
import { startTestServer, type TestServer } from './harness.js';

describe('agent commands: status, conversation lists, open and leave', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({ store: testStore() });
  });
  afterAll(() => server.stop());

  it('agent:set-status switches online/away, tells admins, and is remembered across reconnection', async () => {
    const inbox = await createInbox(server, { routing: 'manual' });
    const ana = await onlineAgent(server, [inbox.id], { name: 'Ana' });
    expect(ana.session.agent.status).toBe('online');
    const admin = await onlineAdmin(server);

    const awaySeen = nextEvent(admin.client, 'agent:updated', (a) => a.id === ana.id && a.status === 'away');
    const away = await ana.client.call('agent:set-status', { status: 'away' });
    expect(AgentProfileSchema.parse(away.agent)).toMatchObject({ id: ana.id, status: 'away' });
    expect(AgentProfileSchema.parse(await awaySeen)).toMatchObject({ id: ana.id, name: 'Ana', status: 'away' });

    ana.client.close();
    const again = server.agent(ana.token);
    const session = AgentSessionSchema.parse(await within(again.ready(), 'session after reconnect'));
    expect(session.agent.status).toBe('away');

    const onlineSeen = nextEvent(admin.client, 'agent:updated', (a) => a.id === ana.id && a.status === 'online');
    expect((await again.call('agent:set-status', { status: 'online' })).agent.status).toBe('online');
    await onlineSeen;

    // 'offline' is not a status an agent chooses; it is what routing sees when they are gone.
    expectFailure(await again.request('agent:set-status', { status: 'offline' } as never), 'bad_request');
  });

  describe('conversation:list', () => {
    let x: OnlineAgent;
    let y: OnlineAgent;
    const ids: Record<'c1' | 'c2' | 'c3' | 'c4' | 'c5' | 'c6', string> = { c1: '', c2: '', c3: '', c4: '', c5: '', c6: '' };
    let m1: string;
    let m2: string;
    let m3: string;

    beforeAll(async () => {
      // Manual inboxes: nothing moves unless an agent moves it.
      const inboxes = await Promise.all([createInbox(server, { routing: 'manual' }), createInbox(server, { routing: 'manual' }), createInbox(server, { routing: 'manual' })]);
      [m1, m2, m3] = inboxes.map((i) => i.id) as [string, string, string];
      x = await onlineAgent(server, [m1, m2], { name: 'Xu' });
      y = await onlineAgent(server, [m1, m2, m3], { name: 'Yi' });
      const start = async (inboxId: string) => (await startConversation(server, inboxes.find((i) => i.id === inboxId)!)).conversation.id;
      ids.c1 = await start(m1);
      ids.c2 = await start(m1);
      ids.c3 = await start(m1);
      ids.c4 = await start(m2);
      ids.c5 = await start(m2);
      ids.c6 = await start(m3);
      await x.client.call('conversation:assign', { conversationId: ids.c1, agentId: x.id });
      await y.client.call('conversation:assign', { conversationId: ids.c2, agentId: y.id });
      await x.client.call('conversation:assign', { conversationId: ids.c5, agentId: x.id });
      await x.client.call('conversation:set-status', { conversationId: ids.c5, status: 'resolved' });
    });

    const list = async (agent: OnlineAgent, payload: AgentInput<'conversation:list'>) =>
      agentCommands['conversation:list'].output.parse(await agent.client.call('conversation:list', payload));
    const idsOf = (conversations: AgentConversation[]) => conversations.map((c) => c.id).sort();

    it('shows mine, unassigned, all (unresolved) and resolved, only from the agent\'s inboxes', async () => {
      expect(idsOf((await list(x, { view: 'mine' })).conversations)).toEqual([ids.c1].sort());
      expect(idsOf((await list(x, { view: 'unassigned' })).conversations)).toEqual([ids.c3, ids.c4].sort());
      expect(idsOf((await list(x, { view: 'all' })).conversations)).toEqual([ids.c1, ids.c2, ids.c3, ids.c4].sort());
      expect(idsOf((await list(x, { view: 'resolved' })).conversations)).toEqual([ids.c5]);
      // Yi belongs to the third inbox too, so sees c6 where Xu does not.
      expect(idsOf((await list(y, { view: 'unassigned' })).conversations)).toEqual([ids.c3, ids.c4, ids.c6].sort());
      expect(idsOf((await list(y, { view: 'mine' })).conversations)).toEqual([ids.c2]);

      const mine = (await list(x, { view: 'mine' })).conversations[0]!;
      expect(mine).toMatchObject({ id: ids.c1, inboxId: m1, status: 'open', assigneeId: x.id, lastMessage: { body: 'Hello', authorType: 'visitor' } });
    });

    it('filters by inboxId, and answers not_found for an inbox the agent is not a member of', async () => {
      expect(idsOf((await list(x, { view: 'all', inboxId: m2 })).conversations)).toEqual([ids.c4]);
      expect(idsOf((await list(x, { view: 'resolved', inboxId: m2 })).conversations)).toEqual([ids.c5]);
      expect(idsOf((await list(x, { view: 'all', inboxId: m1 })).conversations)).toEqual([ids.c1, ids.c2, ids.c3].sort());
      expectFailure(await x.client.request('conversation:list', { view: 'all', inboxId: m3 }), 'not_found');
      expectFailure(await x.client.request('conversation:list', { view: 'all', inboxId: 'no-such-inbox' }), 'not_found');
      expect(idsOf((await list(y, { view: 'all', inboxId: m3 })).conversations)).toEqual([ids.c6]);
    });

    it('paginates with cursors, newest activity first, without gaps or repeats', async () => {
      const seen: AgentConversation[] = [];
      let cursor: string | undefined;
      let pages = 0;
      do {
        const page = await list(x, { view: 'all', limit: 1, ...(cursor ? { cursor } : {}) });
        expect(page.conversations).toHaveLength(1);
        seen.push(...page.conversations);
        cursor = page.nextCursor ?? undefined;
        pages += 1;
      } while (cursor && pages < 10);
      expect(pages).toBe(4);
      expect(idsOf(seen)).toEqual([ids.c1, ids.c2, ids.c3, ids.c4].sort());
      const order = seen.map((c) => `${c.updatedAt}|${c.id}`);
      expect(order).toEqual([...order].sort().reverse());

      const firstTwo = await list(x, { view: 'all', limit: 2 });
      expect(firstTwo.nextCursor).toEqual(expect.any(String));
      const rest = await list(x, { view: 'all', limit: 2, cursor: firstTwo.nextCursor! });
      expect(rest.nextCursor).toBeNull();
      expect([...firstTwo.conversations, ...rest.conversations].map((c) => c.id)).toEqual(seen.map((c) => c.id));
    });

    it('pages the resolved list newest activity first: a rating after resolving moves its conversation up', async () => {
      const inbox = await createInbox(server, { routing: 'manual', csatEnabled: true });
      const z = await onlineAgent(server, [inbox.id], { name: 'Zoe' });
      const shoppers = [];
      for (const body of ['first', 'second', 'third']) shoppers.push(await startConversation(server, inbox, body));
      for (const { conversation } of shoppers) await z.client.call('conversation:set-status', { conversationId: conversation.id, status: 'resolved' });
      const resolvedPages = async () => {
        const seen: AgentConversation[] = [];
        let cursor: string | undefined;
        do {
          const page = await list(z, { view: 'resolved', limit: 1, ...(cursor ? { cursor } : {}) });
          seen.push(...page.conversations);
          cursor = page.nextCursor ?? undefined;
        } while (cursor && seen.length < 10);
        return seen;
      };
      const byActivity = (rows: AgentConversation[]) => [...rows].sort((a, b) => b.updatedAt.localeCompare(a.updatedAt) || b.id.localeCompare(a.id));

      const before = await resolvedPages();
      expect(before.map((c) => c.id).sort()).toEqual(shoppers.map((s) => s.conversation.id).sort());
      expect(before).toEqual(byActivity(before));

      // The first one resolved is rated last: its activity is now the newest.
      const first = shoppers[0]!;
      await first.client.call('csat:submit', { conversationId: first.conversation.id, rating: 4 });
      const after = await resolvedPages();
      expect(after).toHaveLength(3);
      expect(after).toEqual(byActivity(after));
      expect(after[0]!.id).toBe(first.conversation.id);
      expect(after[0]!.updatedAt > before.find((c) => c.id === first.conversation.id)!.updatedAt).toBe(true);
    });

    it('answers bad_request for a cursor it never gave out, or a bad view or limit', async () => {
      expectFailure(await x.client.request('conversation:list', { view: 'all', cursor: 'not-a-cursor' }), 'bad_request');
      expectFailure(await x.client.request('conversation:list', { view: 'all', cursor: Buffer.from('{"a":1}').toString('base64url') }), 'bad_request');
      expectFailure(await x.client.request('conversation:list', { view: 'everything' } as never), 'bad_request');
      expectFailure(await x.client.request('conversation:list', { view: 'all', limit: 0 }), 'bad_request');
      expectFailure(await x.client.request('conversation:list', { view: 'all', limit: 10_000 }), 'bad_request');
    });
  });

  it('conversation:open returns the conversation, its messages and the visitor with past conversations', async () => {
    const inbox = await createInbox(server, { routing: 'manual' });
    const agent = await onlineAgent(server, [inbox.id], { name: 'Oz' });
    const shopper = await startConversation(server, inbox, 'First visit');
    await shopper.client.call('visitor:update', { name: 'Mia', email: 'mia@shop.test', page: { url: 'https://shop.test/cart', title: 'Cart' } });
    const first = shopper.conversation.id;
    await agent.client.call('conversation:set-status', { conversationId: first, status: 'resolved' });
    const second = (await shopper.client.send({ body: 'Back again' })).conversation.id;
    expect(second).not.toBe(first);

    const opened = agentCommands['conversation:open'].output.parse(await agent.client.call('conversation:open', { conversationId: second }));
    expect(opened.conversation).toMatchObject({ id: second, inboxId: inbox.id, status: 'queued', assigneeId: null, visitor: { name: 'Mia', email: 'mia@shop.test' } });
    expect(opened.messages.map((m) => [m.kind, m.body])).toEqual([['text', 'Back again']]);
    expect(opened.hasMore).toBe(false);
    expect(VisitorDetailsSchema.parse(opened.visitor)).toMatchObject({
      name: 'Mia',
      email: 'mia@shop.test',
      externalId: null,
      page: { url: 'https://shop.test/cart', title: 'Cart' },
    });
    expect(opened.visitor.pastConversations).toEqual(
      expect.arrayContaining([expect.objectContaining({ id: first, status: 'resolved' }), expect.objectContaining({ id: second })]),
    );

    const older = await agent.client.call('conversation:open', { conversationId: first });
    expect(older.messages.map((m) => m.body)).toEqual(['First visit', 'Conversation resolved']);
    for (const message of older.messages) MessageSchema.parse(message);

    expectFailure(await agent.client.request('conversation:open', { conversationId: 'no-such-conversation' }), 'not_found');
    expectFailure(await agent.client.request('conversation:open', {} as never), 'bad_request');
  });

  it('conversation:leave stops the live events of an opened conversation (typing) for that socket', async () => {
    const inbox = await createInbox(server, { routing: 'manual' });
    const agent = await onlineAgent(server, [inbox.id]);
    const shopper = await startConversation(server, inbox);
    await shopper.client.call('visitor:update', { name: 'Lea' });
    const conversationId = shopper.conversation.id;

    await agent.client.open(conversationId);
    const typing = nextEvent(agent.client, 'typing:changed', (t) => t.conversationId === conversationId);
    await shopper.client.call('typing:set', { conversationId, typing: true });
    expect(await typing).toEqual({ conversationId, typing: true, name: 'Lea' });

    expect(await agent.client.call('conversation:leave', { conversationId })).toEqual({});
    const left = agent.log.mark();
    await shopper.client.call('typing:set', { conversationId, typing: false });
    await barrier(agent.client);
    expect(agent.log.all('typing:changed', left)).toEqual([]);

    // The inbox's list rows still reach the agent: leaving stops following, not seeing the inbox.
    const row = nextEvent(agent.client, 'conversation:activity', (a) => a.conversations.some((c) => c.id === conversationId && c.lastMessage?.body === 'Still there?'));
    await shopper.client.send({ body: 'Still there?' });
    expect(ConversationActivitySchema.parse(await row).inboxId).toBe(inbox.id);
  });
});
