import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { agentCommands } from '@kefu/protocol';
import { createInbox, expectFailure, onlineAdmin, onlineAgent, startConversation, testStore } from './kit.js';
import { startTestServer, type TestServer } from './harness.js';

describe('agent commands: inbox:agents (transfer targets) and conversation:search', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({ store: testStore() });
  });
  afterAll(() => server.stop());

  it('inbox:agents lists the active members with status, load and capacity, to members and admins only', async () => {
    const inbox = await createInbox(server, { routing: 'manual' });
    const elsewhere = await createInbox(server, { routing: 'manual' });
    const ana = await onlineAgent(server, [inbox.id], { name: 'Ana', capacity: 3 });
    const bo = await onlineAgent(server, [inbox.id], { name: 'Bo', capacity: 2 });
    const gone = await server.createAgent({ name: 'Gone', inboxIds: [inbox.id] });
    await server.api('PATCH', `/api/admin/agents/${gone.id}`, { active: false }, (await server.login()).token);
    const cy = await onlineAgent(server, [elsewhere.id], { name: 'Cy' });
    await bo.client.call('agent:set-status', { status: 'away' });
    const shopper = await startConversation(server, inbox);
    await ana.client.call('conversation:assign', { conversationId: shopper.conversation.id, agentId: ana.id });

    // The SDK's transfer is conversation:assign to a colleague.
    expect(await ana.client.transfer(shopper.conversation.id, bo.id)).toMatchObject({ assigneeId: bo.id });
    await bo.client.transfer(shopper.conversation.id, ana.id);
    const listed = await bo.client.inboxAgents(inbox.id);
    expect(agentCommands['inbox:agents'].output.parse({ agents: listed }).agents.map((a) => [a.name, a.status, a.load, a.capacity])).toEqual([
      ['Ana', 'online', 1, 3],
      ['Bo', 'away', 0, 2],
    ]);
    const admin = await onlineAdmin(server);
    expect((await admin.client.call('inbox:agents', { inboxId: inbox.id })).agents.map((a) => a.id)).toEqual([ana.id, bo.id]);

    // Not a member: the inbox does not exist for Cy, exactly like an unknown one.
    expectFailure(await cy.client.request('inbox:agents', { inboxId: inbox.id }), 'not_found');
    expectFailure(await admin.client.request('inbox:agents', { inboxId: 'no-such-inbox' }), 'not_found');
    expectFailure(await ana.client.request('inbox:agents', {} as never), 'bad_request');
    for (const c of [ana, bo, cy, admin]) c.client.close();
  });

  it('conversation:search finds shoppers by name and email and messages by text (English, Chinese, notes), in visible inboxes only', async () => {
    const inbox = await createInbox(server, { routing: 'manual' });
    const elsewhere = await createInbox(server, { routing: 'manual' });
    const ana = await onlineAgent(server, [inbox.id], { name: 'Ana' });
    const cy = await onlineAgent(server, [elsewhere.id], { name: 'Cy' });
    const shopper = await startConversation(server, inbox, 'Where is my parcel 8812?');
    await shopper.client.call('visitor:update', { name: 'Mei <b>Chen</b>', email: 'mei@shop.example' });
    await shopper.client.send({ conversationId: shopper.conversation.id, body: '我想退款，谢谢' });
    const conversationId = shopper.conversation.id;
    await ana.client.call('conversation:assign', { conversationId, agentId: ana.id });
    await ana.client.send({ conversationId, body: 'checked the warehouse ledger', private: true });
    const hidden = await startConversation(server, elsewhere, 'parcel 8812 is elsewhere');

    const search = async (client: typeof ana.client, query: string) =>
      agentCommands['conversation:search'].output.parse(await client.search(query)).results.map((r) => [r.conversation.id, r.match.field, r.match.text]);

    expect(await search(ana.client, 'parcel 8812')).toEqual([[conversationId, 'message', 'Where is my parcel 8812?']]);
    expect(await search(ana.client, '退款')).toEqual([[conversationId, 'message', '我想退款，谢谢']]);
    expect(await search(ana.client, 'ledger')).toEqual([[conversationId, 'message', 'checked the warehouse ledger']]);
    expect(await search(ana.client, 'mei chen')).toEqual([]);
    expect(await search(ana.client, '<b>chen')).toEqual([[conversationId, 'name', 'Mei <b>Chen</b>']]);
    expect(await search(ana.client, 'SHOP.EXAMPLE')).toEqual([[conversationId, 'email', 'mei@shop.example']]);
    // Cy sees the other inbox only; an admin sees both.
    expect(await search(cy.client, 'parcel')).toEqual([[hidden.conversation.id, 'message', 'parcel 8812 is elsewhere']]);
    const admin = await onlineAdmin(server);
    expect((await search(admin.client, '8812')).map(([id]) => id)).toEqual([hidden.conversation.id, conversationId]);

    const first = await ana.client.call('conversation:search', { query: 'parcel', limit: 1 });
    expect(first.results[0]?.conversation).toMatchObject({ id: conversationId, visitor: { name: 'Mei <b>Chen</b>' } });
    expectFailure(await ana.client.request('conversation:search', { query: 'parcel', cursor: 'nope' }), 'bad_request');
    expectFailure(await ana.client.request('conversation:search', { query: ' %% ' }), 'bad_request');
    expectFailure(await ana.client.request('conversation:search', { query: 'x'.repeat(201) }), 'bad_request');
    for (const c of [ana, cy, admin]) c.client.close();
    shopper.client.close();
    hidden.client.close();
  });
});
