import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { AgentConversationSchema, VisitorConversationSchema, agentCommands } from '@kefu/protocol';
import { adminToken, createInbox, expectFailure, nextEvent, onlineAdmin, onlineAgent, startConversation, within, type OnlineAgent, testStore } from './kit.js';
import { startTestServer, type TestServer } from './harness.js';

describe('agent commands: assignment and conversation status', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({ store: testStore() });
  });
  afterAll(() => server.stop());

  const assign = async (agent: { client: OnlineAgent['client'] }, conversationId: string, agentId: string | null) =>
    agentCommands['conversation:assign'].output.parse(await agent.client.call('conversation:assign', { conversationId, agentId })).conversation;

  it('claims, transfers to a member, refuses non-members and other agents\' conversations, and returns to the queue', async () => {
    const inbox = await createInbox(server, { routing: 'manual' });
    const elsewhere = await createInbox(server, { routing: 'manual' });
    const ana = await onlineAgent(server, [inbox.id], { name: 'Ana' });
    const bo = await onlineAgent(server, [inbox.id], { name: 'Bo' });
    const cy = await onlineAgent(server, [elsewhere.id], { name: 'Cy' });
    const shopper = await startConversation(server, inbox);
    const conversationId = shopper.conversation.id;

    // Claim.
    const visitorSeesAna = nextEvent(shopper.client, 'conversation:updated', (c) => c.assignee?.name === 'Ana');
    const boSeesClaim = nextEvent(bo.client, 'conversation:updated', (c) => c.id === conversationId && c.assigneeId === ana.id);
    expect(await assign(ana, conversationId, ana.id)).toMatchObject({ id: conversationId, status: 'open', assigneeId: ana.id });
    expect(VisitorConversationSchema.parse(await visitorSeesAna)).toMatchObject({ id: conversationId, status: 'open', queue: null });
    await boSeesClaim;

    // Bo may not take or move Ana's conversation.
    expectFailure(await bo.client.request('conversation:assign', { conversationId, agentId: bo.id }), 'forbidden');
    expectFailure(await bo.client.request('conversation:assign', { conversationId, agentId: null }), 'forbidden');

    // Transfer to a non-member, an unknown agent, then to a member.
    expectFailure(await ana.client.request('conversation:assign', { conversationId, agentId: cy.id }), 'bad_request');
    expectFailure(await ana.client.request('conversation:assign', { conversationId, agentId: 'no-such-agent' }), 'not_found');
    const boGetsIt = nextEvent(bo.client, 'conversation:updated', (c) => c.id === conversationId && c.assigneeId === bo.id);
    const visitorSeesBo = nextEvent(shopper.client, 'conversation:updated', (c) => c.assignee?.name === 'Bo');
    expect(await assign(ana, conversationId, bo.id)).toMatchObject({ status: 'open', assigneeId: bo.id });
    expect(AgentConversationSchema.parse(await boGetsIt).status).toBe('open');
    await visitorSeesBo;
    expectFailure(await ana.client.request('conversation:assign', { conversationId, agentId: ana.id }), 'forbidden');

    // Back to the queue (manual inbox: it stays there).
    const visitorSeesQueue = nextEvent(shopper.client, 'conversation:updated', (c) => c.status === 'queued');
    expect(await assign(bo, conversationId, null)).toMatchObject({ status: 'queued', assigneeId: null, queuedAt: expect.any(String) });
    expect(await visitorSeesQueue).toMatchObject({ assignee: null, queue: { position: 1 } });
    const unassigned = await ana.client.call('conversation:list', { view: 'unassigned' });
    expect(unassigned.conversations.map((c) => c.id)).toEqual([conversationId]);

    // The history of decisions, with their rules.
    const history = await server.api<{ assignments: { rule: string; agentId: string | null }[] }>(
      'GET',
      `/api/admin/conversations/${conversationId}/assignments`,
      undefined,
      await adminToken(server),
    );
    expect(history.body.assignments.map((a) => [a.rule, a.agentId])).toEqual([
      ['claim', ana.id],
      ['transfer', bo.id],
      ['requeue', null],
    ]);
  });

  it('lets an admin move any conversation, and refuses to assign a resolved one', async () => {
    const inbox = await createInbox(server, { routing: 'manual' });
    const ana = await onlineAgent(server, [inbox.id], { name: 'Ana' });
    const bo = await onlineAgent(server, [inbox.id], { name: 'Bo' });
    const admin = await onlineAdmin(server);
    const shopper = await startConversation(server, inbox);
    const conversationId = shopper.conversation.id;

    await assign(bo, conversationId, bo.id);
    const anaGetsIt = nextEvent(ana.client, 'conversation:updated', (c) => c.id === conversationId && c.assigneeId === ana.id);
    expect(await assign(admin, conversationId, ana.id)).toMatchObject({ assigneeId: ana.id, status: 'open' });
    await anaGetsIt;
    expect(await assign(admin, conversationId, null)).toMatchObject({ assigneeId: null, status: 'queued' });
    expect(await assign(admin, conversationId, bo.id)).toMatchObject({ assigneeId: bo.id, status: 'open' });
    // An admin who is not a member cannot be the target either: the target must belong to the inbox.
    expectFailure(await admin.client.request('conversation:assign', { conversationId, agentId: admin.id }), 'bad_request');

    await bo.client.call('conversation:set-status', { conversationId, status: 'resolved' });
    expectFailure(await admin.client.request('conversation:assign', { conversationId, agentId: ana.id }), 'conflict');
    expectFailure(await admin.client.request('conversation:assign', { conversationId } as never), 'bad_request');
  });

  it('snoozes (shown as open to the visitor), resolves and reopens; refuses a past snoozeUntil and other agents', async () => {
    const inbox = await createInbox(server, { routing: 'manual' });
    const ana = await onlineAgent(server, [inbox.id], { name: 'Ana' });
    const bo = await onlineAgent(server, [inbox.id], { name: 'Bo' });
    const shopper = await startConversation(server, inbox);
    const conversationId = shopper.conversation.id;
    const setStatus = async (payload: { status: 'open' | 'snoozed' | 'resolved'; snoozeUntil?: string }, agent = ana) =>
      agentCommands['conversation:set-status'].output.parse(await agent.client.call('conversation:set-status', { conversationId, ...payload })).conversation;

    // A queued conversation must be claimed before it can be snoozed.
    expectFailure(await ana.client.request('conversation:set-status', { conversationId, status: 'snoozed' }), 'conflict');
    await assign(ana, conversationId, ana.id);

    const past = new Date(Date.now() - 60_000).toISOString();
    expectFailure(await ana.client.request('conversation:set-status', { conversationId, status: 'snoozed', snoozeUntil: past }), 'bad_request');
    expectFailure(await ana.client.request('conversation:set-status', { conversationId, status: 'snoozed', snoozeUntil: 'tomorrow' }), 'bad_request');
    const later = new Date(Date.now() + 3_600_000).toISOString();
    expectFailure(await ana.client.request('conversation:set-status', { conversationId, status: 'open', snoozeUntil: later }), 'bad_request');
    expectFailure(await bo.client.request('conversation:set-status', { conversationId, status: 'resolved' }), 'forbidden');

    const visitorSeesSnooze = nextEvent(shopper.client, 'conversation:updated', (c) => c.id === conversationId);
    const boSeesSnooze = nextEvent(bo.client, 'conversation:updated', (c) => c.id === conversationId && c.status === 'snoozed');
    expect(await setStatus({ status: 'snoozed', snoozeUntil: later })).toMatchObject({ status: 'snoozed', snoozeUntil: later });
    expect(await visitorSeesSnooze).toMatchObject({ status: 'open', assignee: { name: 'Ana' } });
    await boSeesSnooze;
    const resumed = server.visitor({ inboxKey: inbox.key, visitorToken: shopper.client.visitorToken! });
    expect((await within(resumed.ready(), 'visitor session')).conversation).toMatchObject({ id: conversationId, status: 'open' });

    const visitorSeesOpen = nextEvent(shopper.client, 'conversation:updated', (c) => c.id === conversationId);
    expect(await setStatus({ status: 'open' })).toMatchObject({ status: 'open', snoozeUntil: null });
    expect((await visitorSeesOpen).status).toBe('open');

    const visitorSeesResolved = nextEvent(shopper.client, 'conversation:updated', (c) => c.status === 'resolved');
    expect(await setStatus({ status: 'resolved' })).toMatchObject({ status: 'resolved' });
    await visitorSeesResolved;
    expect((await ana.client.call('conversation:list', { view: 'resolved' })).conversations.map((c) => c.id)).toEqual([conversationId]);

    const visitorSeesReopen = nextEvent(shopper.client, 'conversation:updated', (c) => c.status === 'open');
    expect(await setStatus({ status: 'open' })).toMatchObject({ status: 'open', assigneeId: ana.id });
    await visitorSeesReopen;
    expect((await ana.client.call('conversation:list', { view: 'resolved' })).conversations).toEqual([]);

    const lines = (await ana.client.call('conversation:sync', { conversationId, afterSeq: 0 })).messages.filter((m) => m.kind === 'event').map((m) => m.body);
    expect(lines).toEqual(expect.arrayContaining(['Conversation resolved', 'Conversation reopened']));
    // Snoozing is the agents' bookkeeping: it writes no line, so visitors never learn of it.
    expect(lines.filter((line) => /snooze|woke/i.test(line))).toEqual([]);
  });

  it('a visitor writing to a snoozed conversation opens it again', async () => {
    const inbox = await createInbox(server, { routing: 'manual' });
    const ana = await onlineAgent(server, [inbox.id], { name: 'Ana' });
    const shopper = await startConversation(server, inbox);
    const conversationId = shopper.conversation.id;
    await assign(ana, conversationId, ana.id);
    await ana.client.call('conversation:set-status', { conversationId, status: 'snoozed', snoozeUntil: new Date(Date.now() + 3_600_000).toISOString() });

    const woken = nextEvent(ana.client, 'conversation:updated', (c) => c.id === conversationId && c.status === 'open');
    await shopper.client.send({ body: 'Any news?' });
    expect(await woken).toMatchObject({ assigneeId: ana.id, snoozeUntil: null });
  });
});
