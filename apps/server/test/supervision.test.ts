import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { ConversationViewersSchema, MessageSchema, WhisperReceivedSchema, type ConversationViewers } from '@kefu/protocol';
import { barrier, createInbox, expectFailure, expectOk, onlineAdmin, onlineAgent, raw, startConversation, testStore } from './kit.js';
import { startTestServer, type TestServer } from './harness.js';

/**
 * The collision guard (`conversation:viewers`) and supervision (`conversation:whisper`,
 * `whisper:received`): docs/protocol.md, "Collision guard and supervision".
 */
const names = (event: ConversationViewers) => event.viewers.map((v) => `${v.name}${v.typing ? ' (typing)' : ''}`);
const listing = (conversationId: string, expected: string[]) => (event: ConversationViewers) =>
  event.conversationId === conversationId && JSON.stringify(names(ConversationViewersSchema.parse(event))) === JSON.stringify(expected);

describe('collision guard: who else has a conversation open', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({ store: testStore() });
  });
  afterAll(() => server.stop());

  it('viewers see each other arrive, type, leave and disconnect; the shopper hears none of it', async () => {
    const inbox = await createInbox(server, { routing: 'manual' });
    const ana = await onlineAgent(server, [inbox.id], { name: 'Ana' });
    const bo = await onlineAgent(server, [inbox.id], { name: 'Bo' });
    const shopper = await startConversation(server, inbox);
    const conversationId = shopper.conversation.id;

    await ana.client.open(conversationId);
    await ana.log.wait('conversation:viewers', listing(conversationId, ['Ana']));
    const from = ana.log.mark();
    await bo.client.open(conversationId);
    await ana.log.wait('conversation:viewers', listing(conversationId, ['Ana', 'Bo']), { from });
    await bo.log.wait('conversation:viewers', listing(conversationId, ['Ana', 'Bo']));

    expectOk(await raw(bo.client, 'typing:set', { conversationId, typing: true }));
    await ana.log.wait('conversation:viewers', listing(conversationId, ['Ana', 'Bo (typing)']), { from });
    // The colleague's typing:changed says who types, so a dashboard can tell it from the shopper's.
    const typing = await ana.log.wait('typing:changed', (e) => e.conversationId === conversationId && e.typing, { from });
    expect(typing).toMatchObject({ name: 'Bo', agentId: bo.id });

    await bo.client.leave(conversationId);
    await ana.log.wait('conversation:viewers', listing(conversationId, ['Ana']), { from: ana.log.mark() });
    await bo.client.open(conversationId);
    await ana.log.wait('conversation:viewers', listing(conversationId, ['Ana', 'Bo']), { from: ana.log.mark() });
    const beforeClose = ana.log.mark();
    bo.client.close();
    await ana.log.wait('conversation:viewers', listing(conversationId, ['Ana']), { from: beforeClose });

    await barrier(shopper.client);
    expect(shopper.log.events.map((e) => e.event)).not.toContain('conversation:viewers');
    expect(shopper.log.all('typing:changed').every((e) => !('agentId' in e))).toBe(true);
  });

  it('opening another conversation stops viewing the first; several tabs of one agent count once', async () => {
    const inbox = await createInbox(server, { routing: 'manual' });
    const ana = await onlineAgent(server, [inbox.id], { name: 'Ana' });
    const cy = await onlineAgent(server, [inbox.id], { name: 'Cy' });
    const secondTab = server.agent(cy.token);
    await secondTab.ready();
    const first = (await startConversation(server, inbox)).conversation.id;
    const second = (await startConversation(server, inbox)).conversation.id;

    await ana.client.open(first);
    await cy.client.open(first);
    await secondTab.open(first);
    await ana.log.wait('conversation:viewers', listing(first, ['Ana', 'Cy']));
    const from = ana.log.mark();
    // One tab moves on, the other still views: Cy is still there, once.
    await cy.client.open(second);
    await barrier(ana.client);
    await secondTab.open(second);
    await ana.log.wait('conversation:viewers', listing(first, ['Ana']), { from });
    expect(ana.log.all('conversation:viewers', from).every((e) => new Set(e.viewers.map((v) => v.agentId)).size === e.viewers.length)).toBe(true);
    secondTab.close();
  });

  it('an admin who watches shows as a viewer, and a conversation one cannot see gives no viewers', async () => {
    const inbox = await createInbox(server, { routing: 'manual' });
    const other = await createInbox(server, { routing: 'manual' });
    const ana = await onlineAgent(server, [inbox.id], { name: 'Ana' });
    const outsider = await onlineAgent(server, [other.id], { name: 'Outsider' });
    const admin = await onlineAdmin(server);
    const conversationId = (await startConversation(server, inbox)).conversation.id;
    await ana.client.open(conversationId);
    await admin.client.open(conversationId);
    const seen = ConversationViewersSchema.parse(await ana.log.wait('conversation:viewers', (e) => e.conversationId === conversationId && e.viewers.length === 2));
    expect(seen.viewers.find((v) => v.agentId === admin.id)).toMatchObject({ role: 'admin', typing: false });
    expectFailure(await raw(outsider.client, 'conversation:open', { conversationId }), 'not_found');
    await barrier(outsider.client);
    expect(outsider.log.mentioning(conversationId)).toEqual([]);
  });
});

describe('supervision: an admin whispers to the agent holding a conversation', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({ store: testStore() });
  });
  afterAll(() => server.stop());

  it('pops up for the assignee even with another conversation open, is kept as a note, and never reaches the shopper', async () => {
    const inbox = await createInbox(server, { routing: 'manual' });
    const ana = await onlineAgent(server, [inbox.id], { name: 'Ana' });
    const admin = await onlineAdmin(server);
    const shopper = await startConversation(server, inbox, 'my parcel is late');
    const conversationId = shopper.conversation.id;
    const elsewhere = (await startConversation(server, inbox)).conversation.id;
    expectOk(await raw(ana.client, 'conversation:assign', { conversationId, agentId: ana.id }));
    await ana.client.open(elsewhere);
    await admin.client.open(conversationId);

    const { message } = await admin.client.whisper({ conversationId, body: '  Offer the express refund  ' });
    expect(MessageSchema.parse(message)).toMatchObject({ kind: 'note', body: 'Offer the express refund', whisperTo: ana.id, author: { type: 'agent', id: admin.id } });
    const popped = WhisperReceivedSchema.parse(await ana.log.wait('whisper:received'));
    expect(popped.message).toEqual(message);
    expect(popped.conversation).toMatchObject({ id: conversationId, assigneeId: ana.id });

    // The history keeps it for agents, marked as a whisper; the shopper's sync skips it.
    await ana.client.open(conversationId);
    const history = expectOk(await raw(ana.client, 'conversation:history', { conversationId })) as { messages: { id: string; whisperTo?: string }[] };
    expect(history.messages.find((m) => m.id === message.id)?.whisperTo).toBe(ana.id);
    const synced = await shopper.client.call('conversation:sync', { conversationId, afterSeq: 0 });
    expect(synced.messages.map((m) => m.id)).not.toContain(message.id);
    await barrier(shopper.client);
    expect(shopper.log.mentioning(message.id)).toEqual([]);
    expect(shopper.log.all('message:created').map((m) => m.body)).not.toContain('Offer the express refund');
  });

  it('is sent once when retried with the same clientMsgId', async () => {
    const inbox = await createInbox(server, { routing: 'manual' });
    const ana = await onlineAgent(server, [inbox.id], { name: 'Ana' });
    const admin = await onlineAdmin(server);
    const conversationId = (await startConversation(server, inbox)).conversation.id;
    expectOk(await raw(ana.client, 'conversation:assign', { conversationId, agentId: ana.id }));
    const first = expectOk(await raw(admin.client, 'conversation:whisper', { conversationId, clientMsgId: 'w-1', body: 'once' })) as { message: { id: string } };
    const again = expectOk(await raw(admin.client, 'conversation:whisper', { conversationId, clientMsgId: 'w-1', body: 'once' })) as { message: { id: string } };
    expect(again.message.id).toBe(first.message.id);
    await barrier(ana.client);
    expect(ana.log.all('whisper:received').filter((w) => w.message.id === first.message.id)).toHaveLength(1);
  });

  it('is refused to agents, without an assignee, to oneself, on resolved conversations, and unseen conversations', async () => {
    const inbox = await createInbox(server, { routing: 'manual' });
    const ana = await onlineAgent(server, [inbox.id], { name: 'Ana' });
    const bo = await onlineAgent(server, [inbox.id], { name: 'Bo' });
    const outsider = await onlineAgent(server, [], { name: 'Outsider' });
    const admin = await onlineAdmin(server);
    const conversationId = (await startConversation(server, inbox)).conversation.id;
    const whisper = (client: typeof ana.client, body = 'psst') => raw(client, 'conversation:whisper', { conversationId, clientMsgId: `w-${Math.random()}`, body });

    expectFailure(await whisper(admin.client), 'conflict');
    expectOk(await raw(ana.client, 'conversation:assign', { conversationId, agentId: ana.id }));
    expectFailure(await whisper(bo.client), 'forbidden');
    expectFailure(await whisper(ana.client), 'forbidden');
    expectFailure(await whisper(outsider.client), 'not_found');
    expectFailure(await whisper(admin.client, '   '), 'bad_request');
    expectFailure(await raw(admin.client, 'conversation:whisper', { conversationId, body: 'no id' }), 'bad_request');
    // An admin who is a member and holds it themselves writes a private note instead.
    const boss = await onlineAgent(server, [inbox.id], { name: 'Boss', role: 'admin' });
    expectOk(await raw(boss.client, 'conversation:assign', { conversationId, agentId: boss.id }));
    expectFailure(await whisper(boss.client), 'conflict');
    expectOk(await raw(boss.client, 'conversation:set-status', { conversationId, status: 'resolved' }));
    expectFailure(await whisper(admin.client), 'conflict');
    await barrier(ana.client);
    expect(ana.log.all('whisper:received')).toEqual([]);
  });
});
