import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import {
  AgentConversationSchema,
  MessageSchema,
  ReadChangedSchema,
  VisitorConversationSchema,
  visitorServerEvents,
} from '@kefu/protocol';
import { startTestServer, type TestServer } from './harness.js';
import { EventLog, createInbox, expectOk, onlineAgent, raw, testStore, visitorOf } from './kit.js';

/** PROTOCOL.md, visitor server events, and who receives them. */
describe('visitor events', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({
      store: testStore(),
      // A disconnected agent goes offline quickly, so the presence test needs no long wait.
      env: { KEFU_AGENT_OFFLINE_GRACE_MS: '400' },
    });
  });
  afterAll(() => server.stop());

  it('message:created delivers agent replies to every tab of the visitor, and one tab’s messages to the others', async () => {
    const inbox = await createInbox(server);
    const ana = await onlineAgent(server, [inbox.id], { name: 'Ana' });
    const tab1 = visitorOf(server, inbox.key);
    const session = await tab1.client.ready();
    const tab2 = visitorOf(server, inbox.key, { visitorToken: session.visitorToken });
    expect((await tab2.client.ready()).visitor.id).toBe(session.visitor.id);

    const first = await tab1.client.send({ body: 'Hi from tab 1' });
    const conversationId = first.conversation.id;
    // The other tab sees the message its sibling sent (and the new conversation).
    MessageSchema.parse(await tab2.log.wait('message:created', (m) => m.id === first.message.id));
    VisitorConversationSchema.parse(await tab2.log.wait('conversation:updated', (c) => c.id === conversationId));

    const reply = (await ana.client.send({ conversationId, body: 'Hello! Ana here.' })).message;
    for (const tab of [tab1, tab2]) {
      const event = visitorServerEvents['message:created'].parse(await tab.log.wait('message:created', (m) => m.id === reply.id));
      expect(event).toMatchObject({
        conversationId,
        seq: reply.seq,
        prevSeq: reply.seq - 1,
        kind: 'text',
        body: 'Hello! Ana here.',
        author: { type: 'agent', id: ana.id, name: 'Ana' },
      });
    }
    // The SDK streams it exactly once per tab, in order, after the visitor's own message.
    const streamed: number[] = [];
    const tab3 = visitorOf(server, inbox.key, { visitorToken: session.visitorToken });
    tab3.client.onMessage((m) => streamed.push(m.seq));
    await tab3.client.ready();
    const second = (await ana.client.send({ conversationId, body: 'Anything else?' })).message;
    await tab3.log.wait('message:created', (m) => m.id === second.id);
    expect(streamed.at(-1)).toBe(second.seq);
    expect(new Set(streamed).size).toBe(streamed.length);
  });

  it('message:created and conversation:updated never reach another visitor', async () => {
    const inbox = await createInbox(server);
    const ana = await onlineAgent(server, [inbox.id], { name: 'Ana' });
    const a = visitorOf(server, inbox.key);
    const b = visitorOf(server, inbox.key);
    const toA = await a.client.send({ body: 'I am A' });
    const toB = await b.client.send({ body: 'I am B' });
    await ana.client.send({ conversationId: toA.conversation.id, body: 'For A only' });
    await ana.client.call('typing:set', { conversationId: toA.conversation.id, typing: true });
    await ana.client.call('conversation:set-status', { conversationId: toA.conversation.id, status: 'resolved' });
    const forB = (await ana.client.send({ conversationId: toB.conversation.id, body: 'For B' })).message;
    // Events of one socket keep their order: once B has its reply, anything about A would be in the log already.
    await b.log.wait('message:created', (m) => m.id === forB.id);
    const aboutA = b.log.mentioning(toA.conversation.id);
    expect(aboutA).toEqual([]);
  });

  it('conversation:updated follows assignment, transfer, return to the queue and resolve', async () => {
    const inbox = await createInbox(server, { routing: 'manual' });
    const ana = await onlineAgent(server, [inbox.id], { name: 'Ana' });
    const bo = await onlineAgent(server, [inbox.id], { name: 'Bo' });
    const { client, log } = visitorOf(server, inbox.key);
    const sent = await client.send({ body: 'Manual routing please' });
    const conversationId = sent.conversation.id;
    expect(sent.conversation).toMatchObject({ status: 'queued', assignee: null, queue: { position: 1 } });
    // Someone can take it: the estimate is a number now.
    expect(sent.conversation.queue?.estimatedWaitSec).toEqual(expect.any(Number));

    const update = async (predicate: (c: { status: string; assignee: { name: string } | null }) => boolean, from: number) =>
      VisitorConversationSchema.parse(await log.wait('conversation:updated', (c) => c.id === conversationId && predicate(c), { from }));

    let from = log.mark();
    await ana.client.call('conversation:assign', { conversationId, agentId: ana.id });
    expect(await update((c) => c.assignee?.name === 'Ana', from)).toMatchObject({ status: 'open', assignee: { name: 'Ana' }, queue: null });

    from = log.mark();
    await ana.client.call('conversation:assign', { conversationId, agentId: bo.id });
    expect(await update((c) => c.assignee?.name === 'Bo', from)).toMatchObject({ status: 'open', assignee: { name: 'Bo' } });

    from = log.mark();
    await bo.client.call('conversation:assign', { conversationId, agentId: null });
    expect(await update((c) => c.status === 'queued', from)).toMatchObject({ assignee: null, queue: { position: 1 } });

    from = log.mark();
    await bo.client.call('conversation:assign', { conversationId, agentId: bo.id });
    await update((c) => c.status === 'open', from);
    from = log.mark();
    await bo.client.call('conversation:set-status', { conversationId, status: 'resolved' });
    const resolved = await update((c) => c.status === 'resolved', from);
    expect(resolved.queue).toBeNull();
    expect(resolved.lastSeq).toBeGreaterThanOrEqual(sent.message.seq);
  });

  it('conversation:updated shows a snoozed conversation as open to the visitor', async () => {
    const inbox = await createInbox(server);
    const ana = await onlineAgent(server, [inbox.id], { name: 'Ana' });
    const { client, log } = visitorOf(server, inbox.key);
    const sent = await client.send({ body: 'Let me check and come back' });
    const conversationId = sent.conversation.id;
    const agentFrom = ana.log.mark();
    const from = log.mark();
    const snoozeUntil = new Date(Date.now() + 3_600_000).toISOString();
    const snoozed = await ana.client.call('conversation:set-status', { conversationId, status: 'snoozed', snoozeUntil });
    expect(AgentConversationSchema.parse(snoozed.conversation).status).toBe('snoozed');
    // The agents' event says snoozed; the visitor's, published together with it, says open.
    await ana.log.wait('conversation:updated', (c) => c.id === conversationId && c.status === 'snoozed', { from: agentFrom });
    const seen = VisitorConversationSchema.parse(await log.wait('conversation:updated', (c) => c.id === conversationId, { from }));
    expect(seen).toMatchObject({ status: 'open', assignee: { name: 'Ana' }, queue: null });
    expect(log.all('conversation:updated', from).map((c) => c.status)).not.toContain('snoozed');
    const session = await visitorOf(server, inbox.key, { visitorToken: client.visitorToken! }).client.ready();
    expect(session.conversation).toMatchObject({ id: conversationId, status: 'open' });

    // The visitor writing again wakes it up for the agents.
    const woken = ana.log.mark();
    const again = await client.send({ body: 'Any news?' });
    expect(again.conversation).toMatchObject({ id: conversationId, status: 'open' });
    await ana.log.wait('conversation:updated', (c) => c.id === conversationId && c.status === 'open', { from: woken });
  });

  it('conversation:updated tells queued visitors their new position when the queue moves', async () => {
    const inbox = await createInbox(server);
    const first = visitorOf(server, inbox.key);
    const second = visitorOf(server, inbox.key);
    const a = await first.client.send({ body: 'first in line' });
    const b = await second.client.send({ body: 'second in line' });
    expect(b.conversation.queue).toEqual({ position: 2, estimatedWaitSec: null });

    // An agent with room for one comes online: the first conversation is routed, the second moves up.
    const agent = await server.createAgent({ name: 'Cy', capacity: 1, inboxIds: [inbox.id] });
    const from = { first: first.log.mark(), second: second.log.mark() };
    const cy = server.agent(agent.token);
    await cy.ready();
    const routed = await first.log.wait('conversation:updated', (c) => c.id === a.conversation.id && c.status === 'open', { from: from.first });
    expect(routed).toMatchObject({ assignee: { name: 'Cy' }, queue: null });
    const moved = VisitorConversationSchema.parse(
      await second.log.wait('conversation:updated', (c) => c.id === b.conversation.id && c.queue?.position === 1, { from: from.second }),
    );
    expect(moved).toMatchObject({ status: 'queued', assignee: null });
    expect(moved.queue?.estimatedWaitSec).toEqual(expect.any(Number));
  });

  it('a conversation joining the end of the queue tells no one ahead of it; one leaving the front tells everyone behind', async () => {
    const inbox = await createInbox(server);
    const [first, second, third] = [visitorOf(server, inbox.key), visitorOf(server, inbox.key), visitorOf(server, inbox.key)];
    /** A join is published at once and again with its queue's window: resolves once the second has come. */
    const windowReached = async (log: typeof first.log, id: string, from = 0) => {
      const of = (update: { id: string }) => update.id === id;
      await log.waitIndex('conversation:updated', of, { from: (await log.waitIndex('conversation:updated', of, { from })) + 1 });
    };
    const a = await first.client.send({ body: 'first in line' });
    await windowReached(first.log, a.conversation.id);
    const from = { first: first.log.mark(), second: second.log.mark(), third: third.log.mark() };

    const b = await second.client.send({ body: 'second in line' });
    const c = await third.client.send({ body: 'third in line' });
    expect([b.conversation.queue?.position, c.conversation.queue?.position]).toEqual([2, 3]);
    await windowReached(third.log, c.conversation.id, from.third);
    // A window that saw both joins has gone out (and a round trip on the first's own socket came after
    // it): the first kept its place and heard nothing of them.
    await first.client.call('conversation:sync', { conversationId: a.conversation.id, afterSeq: 0 });
    expect(first.log.all('conversation:updated', from.first)).toEqual([]);

    // An agent takes the first: everyone behind it moves up.
    const agent = await server.createAgent({ name: 'Di', capacity: 1, inboxIds: [inbox.id] });
    await server.agent(agent.token).ready();
    await first.log.wait('conversation:updated', (update) => update.id === a.conversation.id && update.status === 'open', { from: from.first });
    await second.log.wait('conversation:updated', (update) => update.id === b.conversation.id && update.queue?.position === 1, { from: from.second });
    await third.log.wait('conversation:updated', (update) => update.id === c.conversation.id && update.queue?.position === 2, { from: from.third });
  });

  it('a queued visitor’s estimated wait follows the inbox’s agents going away and coming back', async () => {
    const inbox = await createInbox(server);
    const dee = await onlineAgent(server, [inbox.id], { name: 'Dee', capacity: 1 });
    const served = visitorOf(server, inbox.key);
    expect((await served.client.send({ body: 'first' })).conversation.status).toBe('open');
    const waiting = visitorOf(server, inbox.key);
    const { conversation } = await waiting.client.send({ body: 'waiting' });
    expect(conversation.queue).toEqual({ position: 1, estimatedWaitSec: expect.any(Number) });
    const estimated = (from: number, wait: (sec: number | null) => boolean) =>
      waiting.log.wait('conversation:updated', (c) => c.id === conversation.id && c.queue !== null && wait(c.queue.estimatedWaitSec), { from });

    // Nobody online to take it: no wait is promised (the widget offers to leave a message).
    let from = waiting.log.mark();
    await dee.client.call('agent:set-status', { status: 'away' });
    await estimated(from, (sec) => sec === null);
    from = waiting.log.mark();
    await dee.client.call('agent:set-status', { status: 'online' });
    await estimated(from, (sec) => sec !== null);
  });

  it('typing:changed carries agent typing to the visitor, without a draft', async () => {
    const inbox = await createInbox(server, { livePreview: true });
    const ana = await onlineAgent(server, [inbox.id], { name: 'Ana' });
    const { client, log } = visitorOf(server, inbox.key);
    const other = visitorOf(server, inbox.key);
    const { conversation } = await client.send({ body: 'Hi' });
    const otherSent = await other.client.send({ body: 'Me too' });

    const from = log.mark();
    expect(await ana.client.call('typing:set', { conversationId: conversation.id, typing: true })).toEqual({});
    const typing = visitorServerEvents['typing:changed'].parse(await log.wait('typing:changed', (t) => t.typing, { from }));
    expect(typing).toEqual({ conversationId: conversation.id, typing: true, name: 'Ana' });
    await ana.client.call('typing:set', { conversationId: conversation.id, typing: false });
    expect(await log.wait('typing:changed', (t) => !t.typing, { from })).toEqual({ conversationId: conversation.id, typing: false, name: 'Ana' });

    // The other visitor heard none of it (its next event is its own reply).
    const forOther = (await ana.client.send({ conversationId: otherSent.conversation.id, body: 'Hello you' })).message;
    const at = await other.log.waitIndex('message:created', (m) => m.id === forOther.id);
    expect(other.log.all('typing:changed', 0, at)).toEqual([]);
  });

  it('read:changed tells the visitor how far the agent read, never past what the visitor may see', async () => {
    const inbox = await createInbox(server);
    const ana = await onlineAgent(server, [inbox.id], { name: 'Ana' });
    const { client, log } = visitorOf(server, inbox.key);
    const one = await client.send({ body: 'one' });
    const conversationId = one.conversation.id;
    const two = await client.send({ body: 'two' });

    let from = log.mark();
    expect(await ana.client.call('read:set', { conversationId, seq: one.message.seq })).toEqual({});
    expect(ReadChangedSchema.parse(await log.wait('read:changed', undefined, { from }))).toMatchObject({ conversationId, seq: one.message.seq });

    // A private note on top: the agent reads it, the visitor learns only about the last public message.
    const note = (await ana.client.send({ conversationId, body: 'internal', private: true })).message;
    from = log.mark();
    await ana.client.call('read:set', { conversationId, seq: note.seq });
    const read = await log.wait('read:changed', undefined, { from });
    expect(read).toMatchObject({ conversationId, seq: two.message.seq });
    expect(read.seq).toBeLessThan(note.seq);
  });

  it('inbox:presence follows the only agent going away, online, and offline', async () => {
    const inbox = await createInbox(server);
    const { client, log } = visitorOf(server, inbox.key);
    expect((await client.ready()).inbox.online).toBe(false);
    const bystander = visitorOf(server, (await createInbox(server)).key);
    await bystander.client.ready();

    const agent = await server.createAgent({ name: 'Dee', inboxIds: [inbox.id] });
    let from = log.mark();
    const dee = server.agent(agent.token);
    const deeLog = new EventLog(dee);
    await dee.ready();
    expect(await log.wait('inbox:presence', undefined, { from })).toEqual({ online: true });

    from = log.mark();
    expect((await dee.call('agent:set-status', { status: 'away' })).agent.status).toBe('away');
    expect(await log.wait('inbox:presence', undefined, { from })).toEqual({ online: false });

    from = log.mark();
    await dee.call('agent:set-status', { status: 'online' });
    expect(await log.wait('inbox:presence', undefined, { from })).toEqual({ online: true });

    // Her open conversation goes back to the queue when she is gone for the grace period.
    const sent = await client.send({ body: 'Are you there?' });
    expect(sent.conversation).toMatchObject({ status: 'open', assignee: { name: 'Dee' } });
    await deeLog.wait('conversation:created', (c) => c.id === sent.conversation.id);
    from = log.mark();
    dee.close();
    expect(await log.wait('inbox:presence', undefined, { from })).toEqual({ online: false });
    const requeued = await log.wait('conversation:updated', (c) => c.id === sent.conversation.id && c.status === 'queued', { from });
    expect(requeued).toMatchObject({ assignee: null, queue: { position: 1, estimatedWaitSec: null } });

    // A visitor of another inbox heard nothing about this one. Its ack comes after anything emitted
    // to it before, so once the ack is in, the log is complete.
    expectOk(await raw(bystander.client, 'visitor:update', {}));
    expect(bystander.log.all('inbox:presence')).toEqual([]);
  });
});
