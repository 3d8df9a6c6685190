import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { AgentConversationSchema, MessageSchema, QueueSnapshotSchema, type QueueSnapshot } from '@kefu/protocol';
import { adminToken, barrier, createInbox, expectFailure, nextEvent, onlineAdmin, onlineAgent, startConversation, testStore } from './kit.js';
import { startTestServer, type TestServer } from './harness.js';

describe('agent audiences: inbox visibility, admins, the queue', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({ store: testStore() });
  });
  afterAll(() => server.stop());

  it('an agent of inbox A never receives events of inbox B and cannot touch its conversations; admins see all', async () => {
    const inboxA = await createInbox(server, { routing: 'manual' });
    const inboxB = await createInbox(server, { routing: 'manual' });
    const alpha = await onlineAgent(server, [inboxA.id], { name: 'Alpha' });
    const beta = await onlineAgent(server, [inboxB.id], { name: 'Beta' });
    const admin = await onlineAdmin(server);

    const adminSeesCreated = nextEvent(admin.client, 'conversation:created', (c) => c.inboxId === inboxB.id);
    const betaSeesCreated = nextEvent(beta.client, 'conversation:created', (c) => c.inboxId === inboxB.id);
    const shopper = await startConversation(server, inboxB, 'secret of inbox B');
    const conversationId = shopper.conversation.id;
    expect(AgentConversationSchema.parse(await adminSeesCreated).id).toBe(conversationId);
    await betaSeesCreated;

    // Everything that can happen to a conversation of B (the admin holds it open, so follows it).
    await admin.client.open(conversationId);
    const adminSeesNote = nextEvent(admin.client, 'message:created', (m) => m.conversationId === conversationId && m.kind === 'note');
    await beta.client.call('conversation:assign', { conversationId, agentId: beta.id });
    await beta.client.send({ conversationId, body: 'reply in B' });
    await beta.client.send({ conversationId, body: 'note in B', private: true });
    await beta.client.call('typing:set', { conversationId, typing: true });
    await shopper.client.call('typing:set', { conversationId, typing: true });
    await shopper.client.call('read:set', { conversationId, seq: 3 });
    await beta.client.call('read:set', { conversationId, seq: 1 });
    await beta.client.call('conversation:set-status', { conversationId, status: 'snoozed', snoozeUntil: new Date(Date.now() + 60_000).toISOString() });
    await beta.client.call('conversation:set-status', { conversationId, status: 'resolved' });
    expect(MessageSchema.parse(await adminSeesNote).body).toBe('note in B');

    await barrier(alpha.client);
    expect(alpha.log.mentioning(conversationId)).toEqual([]);
    expect(JSON.stringify(alpha.log.events)).not.toMatch(/secret of inbox B|reply in B|note in B/);

    // Every conversation command answers not_found, exactly as for a conversation that does not exist.
    const c = alpha.client;
    expectFailure(await c.request('conversation:open', { conversationId }), 'not_found');
    expectFailure(await c.request('conversation:sync', { conversationId, afterSeq: 0 }), 'not_found');
    expectFailure(await c.request('conversation:history', { conversationId }), 'not_found');
    expectFailure(await c.request('message:send', { conversationId, clientMsgId: 'x1', body: 'hi' }), 'not_found');
    expectFailure(await c.request('message:send', { conversationId, clientMsgId: 'x2', body: 'hi', private: true }), 'not_found');
    expectFailure(await c.request('conversation:assign', { conversationId, agentId: alpha.id }), 'not_found');
    expectFailure(await c.request('conversation:set-status', { conversationId, status: 'open' }), 'not_found');
    expectFailure(await c.request('typing:set', { conversationId, typing: true }), 'not_found');
    expectFailure(await c.request('read:set', { conversationId, seq: 1 }), 'not_found');
    for (const view of ['all', 'resolved', 'unassigned', 'mine'] as const) {
      const listed = await c.call('conversation:list', { view });
      expect(listed.conversations.some((conv) => conv.id === conversationId)).toBe(false);
    }

    // The admin sees and opens it.
    const opened = await admin.client.call('conversation:open', { conversationId });
    expect(opened.messages.map((m) => m.body)).toEqual(expect.arrayContaining(['secret of inbox B', 'reply in B', 'note in B']));
    const resolved = await admin.client.call('conversation:list', { view: 'resolved', inboxId: inboxB.id });
    expect(resolved.conversations.map((conv) => conv.id)).toEqual([conversationId]);
  });

  it('sends the session again when an inbox is created (to admins) or renamed (to its members and admins)', async () => {
    const inbox = await createInbox(server, { routing: 'manual' });
    const member = await onlineAgent(server, [inbox.id], { name: 'Member' });
    const admin = await onlineAdmin(server);
    const token = await adminToken(server);

    const adminSeesNew = nextEvent(admin.client, 'session', (session) => session.inboxes.some((i) => i.name === 'Brand new desk'));
    const created = await server.api('POST', '/api/admin/inboxes', { name: 'Brand new desk' }, token);
    expect(created.status).toBe(201);
    await adminSeesNew;

    const renamedFor = (client: typeof member.client) => nextEvent(client, 'session', (session) => session.inboxes.some((i) => i.id === inbox.id && i.name === 'Renamed desk'));
    const memberSeesName = renamedFor(member.client);
    const adminSeesName = renamedFor(admin.client);
    expect((await server.api('PATCH', `/api/admin/inboxes/${inbox.id}`, { name: 'Renamed desk' }, token)).status).toBe(200);
    await Promise.all([memberSeesName, adminSeesName]);
    expect(member.client.session?.inboxes.map((i) => i.name)).toEqual(['Renamed desk']);
  });

  it('follows membership changes live: events start when an agent joins an inbox and stop when they leave it', async () => {
    const inboxA = await createInbox(server, { routing: 'manual' });
    const inboxB = await createInbox(server, { routing: 'manual' });
    const alpha = await onlineAgent(server, [inboxA.id], { name: 'Alpha' });
    const token = await adminToken(server);

    // Their dashboard lists inboxes from the session: it comes again, with the new inbox, on the same socket.
    const renewed = nextEvent(alpha.client, 'session', (session) => session.inboxes.some((inbox) => inbox.id === inboxB.id));
    const joined = await server.api('PATCH', `/api/admin/agents/${alpha.id}`, { inboxIds: [inboxA.id, inboxB.id] }, token);
    expect(joined.status).toBe(200);
    expect((await renewed).inboxes.map((inbox) => inbox.id).sort()).toEqual([inboxA.id, inboxB.id].sort());
    expect(alpha.client.connected).toBe(true);
    expect(alpha.client.session?.inboxes.some((inbox) => inbox.id === inboxB.id)).toBe(true);
    const created = nextEvent(alpha.client, 'conversation:created', (c) => c.inboxId === inboxB.id);
    const first = await startConversation(server, inboxB);
    expect((await created).id).toBe(first.conversation.id);
    expect((await alpha.client.call('conversation:open', { conversationId: first.conversation.id })).conversation.inboxId).toBe(inboxB.id);

    const left = await server.api('PATCH', `/api/admin/agents/${alpha.id}`, { inboxIds: [inboxA.id] }, token);
    expect(left.status).toBe(200);
    const from = alpha.log.mark();
    const second = await startConversation(server, inboxB);
    await first.client.send({ body: 'more' });
    // Alpha had the first conversation open: its typing must not reach them any more either.
    await first.client.call('typing:set', { conversationId: first.conversation.id, typing: true });
    await barrier(alpha.client);
    expect(alpha.log.all('typing:changed', from)).toEqual([]);
    expect(alpha.log.mentioning(second.conversation.id, from)).toEqual([]);
    expect(alpha.log.all('message:created', from)).toEqual([]);
    expect(alpha.log.all('conversation:created', from)).toEqual([]);
    expectFailure(await alpha.client.request('conversation:open', { conversationId: second.conversation.id }), 'not_found');
  });

  it('an agent taken out of an inbox gives back what they held there: queued again (routed in an auto inbox), and its messages stop reaching them', async () => {
    const manual = await createInbox(server, { routing: 'manual' });
    const auto = await createInbox(server, { routing: 'auto' });
    const alpha = await onlineAgent(server, [manual.id, auto.id], { name: 'Alpha' });
    const admin = await onlineAdmin(server);
    const claimed = await startConversation(server, manual, 'claimed by hand');
    await alpha.client.call('conversation:assign', { conversationId: claimed.conversation.id, agentId: alpha.id });
    const snoozed = await startConversation(server, manual, 'snoozed');
    await alpha.client.call('conversation:assign', { conversationId: snoozed.conversation.id, agentId: alpha.id });
    await alpha.client.call('conversation:set-status', { conversationId: snoozed.conversation.id, status: 'snoozed', snoozeUntil: new Date(Date.now() + 3_600_000).toISOString() });
    const routed = await startConversation(server, auto, 'routed');
    expect(routed.conversation).toMatchObject({ status: 'open', assignee: { name: 'Alpha' } });
    const beta = await onlineAgent(server, [auto.id], { name: 'Beta' });

    const requeued = nextEvent(claimed.client, 'conversation:updated', (c) => c.id === claimed.conversation.id && c.status === 'queued');
    const toBeta = nextEvent(routed.client, 'conversation:updated', (c) => c.id === routed.conversation.id && c.assignee?.name === 'Beta');
    const reconnected = nextEvent(alpha.client, 'session', (session) => session.inboxes.length === 0);
    const left = await server.api('PATCH', `/api/admin/agents/${alpha.id}`, { inboxIds: [] }, await adminToken(server));
    expect(left.status).toBe(200);

    expect(await requeued).toMatchObject({ assignee: null });
    expect(await toBeta).toMatchObject({ status: 'open' });
    for (const { conversation } of [claimed, snoozed]) {
      expect((await admin.client.call('conversation:open', { conversationId: conversation.id })).conversation).toMatchObject({ status: 'queued', assigneeId: null });
    }
    const history = await server.api<{ assignments: { rule: string; agentId: string | null }[] }>('GET', `/api/admin/conversations/${claimed.conversation.id}/assignments`, undefined, await adminToken(server));
    expect(history.body.assignments.map((a) => [a.rule, a.agentId])).toEqual([
      ['claim', alpha.id],
      ['requeue', null],
    ]);

    // Back in with no inbox: the shopper's next message, a colleague's note and an admin's word reach
    // them no longer (messages go to the assignee's own room as well as the conversation's).
    await reconnected;
    const from = alpha.log.mark();
    await claimed.client.send({ body: 'still there?' });
    await beta.client.send({ conversationId: routed.conversation.id, body: 'a note', private: true });
    await routed.client.send({ body: 'hello Beta' });
    await barrier(alpha.client);
    expect(alpha.log.mentioning(claimed.conversation.id, from)).toEqual([]);
    expect(alpha.log.mentioning(routed.conversation.id, from)).toEqual([]);
    expect(alpha.log.all('message:created', from)).toEqual([]);
  });

  it('queue:snapshot is for admins (matches QueueSnapshotSchema); queue:updated reaches admins when a conversation is queued', async () => {
    const inbox = await createInbox(server, { routing: 'manual', name: 'Queue inbox' });
    const agent = await onlineAgent(server, [inbox.id], { name: 'Queue agent' });
    const admin = await onlineAdmin(server);

    expectFailure(await agent.client.request('queue:snapshot', {}), 'forbidden');

    const queuedSeen = nextEvent(admin.client, 'queue:updated', (q) => q.queued.some((item) => item.inboxId === inbox.id));
    const first = await startConversation(server, inbox);
    const update = QueueSnapshotSchema.parse(await queuedSeen);
    expect(update.queued.find((item) => item.conversationId === first.conversation.id)).toMatchObject({ inboxId: inbox.id, position: 1 });

    const secondSeen = nextEvent(admin.client, 'queue:updated', (q) => q.queued.filter((item) => item.inboxId === inbox.id).length === 2);
    const second = await startConversation(server, inbox);
    expect((await secondSeen).queued.find((item) => item.conversationId === second.conversation.id)).toMatchObject({ position: 2 });

    const snapshot = QueueSnapshotSchema.parse(await admin.client.call('queue:snapshot', { inboxId: inbox.id }));
    expect(snapshot.queued.map((q) => [q.conversationId, q.position])).toEqual([
      [first.conversation.id, 1],
      [second.conversation.id, 2],
    ]);
    expect(snapshot.agents.map((a) => a.id)).toEqual([agent.id]);
    expect(snapshot.stats).toMatchObject({ queued: 2, open: 0, agentsOnline: 1, perInbox: [{ inboxId: inbox.id, name: 'Queue inbox', queued: 2, open: 0 }] });

    const all = QueueSnapshotSchema.parse(await admin.client.call('queue:snapshot', {}));
    expect(all.stats.perInbox.map((i) => i.inboxId)).toContain(inbox.id);
    expect(all.agents.map((a) => a.id)).toEqual(expect.arrayContaining([agent.id, admin.id]));

    // Claiming moves the queue: admins get the shorter queue.
    const shorter = nextEvent(admin.client, 'queue:updated', (q) => !q.queued.some((item) => item.conversationId === first.conversation.id));
    await agent.client.call('conversation:assign', { conversationId: first.conversation.id, agentId: agent.id });
    expect((await shorter).queued.find((item) => item.conversationId === second.conversation.id)).toMatchObject({ position: 1 });

    await barrier(agent.client);
    expect(agent.log.all('queue:updated')).toEqual([]);
  });

  it('an admin who connects gets the queue as it is after the session, without waiting for it to move', async () => {
    const inbox = await createInbox(server, { routing: 'manual', name: 'Waiting inbox' });
    const watcher = await onlineAdmin(server);
    const published = nextEvent(watcher.client, 'queue:updated', (q) => q.queued.some((item) => item.inboxId === inbox.id));
    const shopper = await startConversation(server, inbox);
    // The feed has published this move; the queue stays as it is from here on.
    await published;
    const late = await onlineAgent(server, [], { name: 'Late admin', role: 'admin' });
    const isQueued = (q: QueueSnapshot) => q.queued.some((item) => item.conversationId === shopper.conversation.id);
    const snapshot = QueueSnapshotSchema.parse(await late.log.wait('queue:updated', isQueued));
    expect(snapshot.queued.find((item) => item.conversationId === shopper.conversation.id)).toMatchObject({ inboxId: inbox.id, position: 1 });
  });
});
