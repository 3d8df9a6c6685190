import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { ConversationActivitySchema, limits } from '@kefu/protocol';
import { barrier, createInbox, onlineAdmin, onlineAgent, startConversation, testStore } from './kit.js';
import { startTestServer, type TestServer } from './harness.js';

/**
 * Fan-out (docs/protocol.md, "Who receives what"): the followers of a conversation (assignee, agents
 * and admins holding it open) get its messages; every agent of the inbox (followers too) gets coalesced
 * `conversation:activity` rows, and full updates only when the conversation moves.
 */
describe('fan-out: followers get messages, the rest of the inbox gets list rows', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({ store: testStore() });
  });
  afterAll(() => server.stop());

  it('a message reaches the assignee and an agent holding it open, and only an activity row reaches the others (and their list)', async () => {
    const inbox = await createInbox(server, { routing: 'manual' });
    const assignee = await onlineAgent(server, [inbox.id], { name: 'Assignee' });
    const watcher = await onlineAgent(server, [inbox.id], { name: 'Watcher' });
    const bystander = await onlineAgent(server, [inbox.id], { name: 'Bystander' });
    const admin = await onlineAdmin(server);
    const shopper = await startConversation(server, inbox, 'first');
    const conversationId = shopper.conversation.id;
    await assignee.client.call('conversation:assign', { conversationId, agentId: assignee.id });
    await watcher.client.open(conversationId);

    const from = { assignee: assignee.log.mark(), watcher: watcher.log.mark(), bystander: bystander.log.mark(), admin: admin.log.mark() };
    const long = `second ${'x'.repeat(300)}`;
    await shopper.client.send({ body: long });
    const isSecond = (m: { conversationId: string; body: string }) => m.conversationId === conversationId && m.body === long;
    await assignee.log.wait('message:created', isSecond, { from: from.assignee });
    await watcher.log.wait('message:created', isSecond, { from: from.watcher });

    // The others learn about it from one coalesced row with a cut preview, and never see the message itself.
    const row = (a: { conversations: { id: string }[] }) => a.conversations.some((c) => c.id === conversationId);
    const activity = ConversationActivitySchema.parse(await bystander.log.wait('conversation:activity', row, { from: from.bystander }));
    expect(activity.inboxId).toBe(inbox.id);
    const item = activity.conversations.find((c) => c.id === conversationId)!;
    expect(item).toMatchObject({ status: 'open', assigneeId: assignee.id, lastSeq: shopper.conversation.lastSeq + 2, unread: expect.any(Number) });
    expect(item.lastMessage?.body).toBe(long.slice(0, limits.activityPreviewLength));
    await admin.log.wait('conversation:activity', row, { from: from.admin });
    // The followers' list rows come the same way: a message does not move the conversation.
    await assignee.log.wait('conversation:activity', row, { from: from.assignee });
    await watcher.log.wait('conversation:activity', row, { from: from.watcher });
    for (const agent of [bystander, admin, assignee, watcher]) await barrier(agent.client);
    expect(bystander.log.all('message:created', from.bystander)).toEqual([]);
    expect(admin.log.all('message:created', from.admin)).toEqual([]);
    for (const [agent, mark] of [[bystander, from.bystander], [assignee, from.assignee], [watcher, from.watcher]] as const) {
      expect(agent.log.all('conversation:updated', mark)).toEqual([]);
    }
  });

  it('a move (claim, resolve) still reaches every agent of the inbox in full', async () => {
    const inbox = await createInbox(server, { routing: 'manual' });
    const claimer = await onlineAgent(server, [inbox.id], { name: 'Claimer' });
    const bystander = await onlineAgent(server, [inbox.id], { name: 'Bystander 2' });
    const shopper = await startConversation(server, inbox, 'hello');
    const conversationId = shopper.conversation.id;
    const from = bystander.log.mark();
    await claimer.client.call('conversation:assign', { conversationId, agentId: claimer.id });
    await bystander.log.wait('conversation:updated', (c) => c.id === conversationId && c.assigneeId === claimer.id, { from });
    await claimer.client.call('conversation:set-status', { conversationId, status: 'resolved' });
    await bystander.log.wait('conversation:updated', (c) => c.id === conversationId && c.status === 'resolved', { from });
  });

  it('an agent who opens a conversation follows it until they leave it', async () => {
    const inbox = await createInbox(server, { routing: 'manual' });
    const agent = await onlineAgent(server, [inbox.id], { name: 'Opener' });
    const shopper = await startConversation(server, inbox, 'one');
    const conversationId = shopper.conversation.id;
    await agent.client.open(conversationId);
    let from = agent.log.mark();
    await shopper.client.send({ body: 'while open' });
    await agent.log.wait('message:created', (m) => m.body === 'while open', { from });
    await agent.client.leave(conversationId);
    from = agent.log.mark();
    await shopper.client.send({ body: 'after leaving' });
    await agent.log.wait('conversation:activity', (a) => a.conversations.some((c) => c.id === conversationId && c.lastMessage?.body === 'after leaving'), { from });
    expect(agent.log.all('message:created', from)).toEqual([]);
  });
});
