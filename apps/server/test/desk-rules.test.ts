import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { AgentConversationSchema } from '@kefu/protocol';
import { startTestServer, type TestServer } from './harness.js';
import { barrier, createInbox, expectFailure, onlineAdmin, onlineAgent, patchInbox, raw, startConversation, testStore, visitorOf, within } from './kit.js';

/** Rules of the desk that span several commands: queues, read marks, idempotency, what visitors see. */
describe('desk rules', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({ store: testStore() });
  });
  afterAll(() => server.stop());

  it('tells the sending tab about the system line its first message caused, not about its own message', async () => {
    const inbox = await createInbox(server);
    const ana = await onlineAgent(server, [inbox.id], { name: 'Ana' });
    const shopper = await startConversation(server, inbox, 'first');
    const joined = await shopper.log.wait('message:created', (m) => m.kind === 'event' && m.body === 'Ana joined the conversation');
    expect(joined.conversationId).toBe(shopper.conversation.id);
    await barrier(shopper.client);
    expect(shopper.log.all('message:created').filter((m) => m.body === 'first')).toEqual([]);
    expect(ana.log.all('message:created').some((m) => m.body === 'first')).toBe(true);
  });

  it('never shows a snooze to the visitor: no system line, status stays open', async () => {
    const inbox = await createInbox(server);
    const ana = await onlineAgent(server, [inbox.id], { name: 'Ana' });
    const shopper = await startConversation(server, inbox);
    const from = shopper.log.mark();
    await ana.client.call('conversation:set-status', { conversationId: shopper.conversation.id, status: 'snoozed' });
    await ana.client.call('conversation:set-status', { conversationId: shopper.conversation.id, status: 'open' });
    await barrier(shopper.client);
    expect(shopper.log.all('message:created', from)).toEqual([]);
    expect(shopper.log.all('conversation:updated', from).map((c) => c.status)).not.toContain('snoozed');
  });

  it('refuses a clientMsgId reused for another conversation instead of answering with the old message', async () => {
    const inbox = await createInbox(server);
    const ana = await onlineAgent(server, [inbox.id], { name: 'Ana', capacity: 5 });
    const one = await startConversation(server, inbox);
    const two = await startConversation(server, inbox);
    await ana.client.call('message:send', { conversationId: one.conversation.id, clientMsgId: 'reused', body: 'to one' });
    expectFailure(await raw(ana.client, 'message:send', { conversationId: two.conversation.id, clientMsgId: 'reused', body: 'to two' }), 'conflict');
  });

  it('drains every inbox of an agent whose capacity frees up, not only the conversation’s own', async () => {
    const shoes = await createInbox(server);
    const hats = await createInbox(server);
    const ana = await onlineAgent(server, [shoes.id, hats.id], { name: 'Ana', capacity: 1 });
    const busy = await startConversation(server, shoes, 'shoes first');
    const waiting = await startConversation(server, hats, 'hats waiting');
    expect(waiting.conversation.status).toBe('queued');
    const routed = waiting.log.wait('conversation:updated', (c) => c.status === 'open');
    await ana.client.call('conversation:set-status', { conversationId: busy.conversation.id, status: 'resolved' });
    expect((await routed).assignee?.name).toBe('Ana');
  });

  it('drains a manual inbox’s queue the moment it switches to auto routing', async () => {
    const inbox = await createInbox(server, { routing: 'manual' });
    await onlineAgent(server, [inbox.id], { name: 'Bo' });
    const shopper = await startConversation(server, inbox);
    expect(shopper.conversation.status).toBe('queued');
    const routed = shopper.log.wait('conversation:updated', (c) => c.status === 'open');
    await patchInbox(server, inbox.id, { routing: 'auto' });
    expect((await routed).assignee?.name).toBe('Bo');
  });

  it('answers too_large, not bad_request, for an emoji message over the limit that fits the raw cap', async () => {
    const inbox = await createInbox(server);
    const { client } = visitorOf(server, inbox.key);
    await within(client.ready(), 'visitor session');
    expectFailure(await raw(client, 'message:send', { clientMsgId: 'emoji', body: '😀'.repeat(15_000) }), 'too_large');
  });

  it('caps a visitor read mark at the last message they can see, hiding the notes after it', async () => {
    const inbox = await createInbox(server);
    const ana = await onlineAgent(server, [inbox.id], { name: 'Ana' });
    const shopper = await startConversation(server, inbox);
    const reply = await ana.client.call('message:send', { conversationId: shopper.conversation.id, clientMsgId: 'r', body: 'hi' });
    await ana.client.call('message:send', { conversationId: shopper.conversation.id, clientMsgId: 'n1', body: 'note', private: true });
    const note = await ana.client.call('message:send', { conversationId: shopper.conversation.id, clientMsgId: 'n2', body: 'note', private: true });
    const from = ana.log.mark();
    await shopper.client.call('read:set', { conversationId: shopper.conversation.id, seq: note.message.seq });
    const read = await ana.log.wait('read:changed', (r) => r.by === 'visitor', { from });
    expect(read.seq).toBe(reply.message.seq);
  });

  it('puts an offline agent’s conversation at the front of the queue while keeping its real queued time', async () => {
    const graceful = await startTestServer({ store: testStore(), env: { KEFU_AGENT_OFFLINE_GRACE_MS: '300' } });
    try {
      const inbox = await createInbox(graceful);
      const watcher = await onlineAdmin(graceful);
      const ana = await onlineAgent(graceful, [inbox.id], { name: 'Ana', capacity: 1 });
      const first = await startConversation(graceful, inbox, 'first, assigned to Ana');
      const second = await startConversation(graceful, inbox, 'second, queued');
      expect(second.conversation.queue?.position).toBe(1);
      const leftAt = Date.now();
      // From now on only: the first conversation may have been announced as queued once before Ana took it.
      const back = watcher.log.wait('conversation:updated', (c) => c.id === first.conversation.id && c.status === 'queued', { from: watcher.log.mark() });
      const position = first.log.wait('conversation:updated', (c) => c.status === 'queued', { from: first.log.mark() });
      ana.client.close();
      const requeued = AgentConversationSchema.parse(await back);
      expect(Date.parse(requeued.queuedAt!)).toBeGreaterThanOrEqual(leftAt - 1);
      expect((await position).queue?.position).toBe(1);
    } finally {
      await graceful.stop();
    }
  });
});
