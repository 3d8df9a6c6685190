import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { VisitorConversationSchema } from '@kefu/protocol';
import { adminToken, createInbox, nextEvent, onlineAgent, startConversation, testStore } from './kit.js';
import { startTestServer, type TestServer } from './harness.js';

type Assignment = {
  rule: string;
  agentId: string | null;
  reason: { rule: string; chosenId: string | null; summary: string; candidates: { id: string; eligible: boolean; why: string; load: number }[] };
};

describe('auto routing', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({ store: testStore() });
  });
  afterAll(() => server.stop());

  const assignments = async (conversationId: string) =>
    (await server.api<{ assignments: Assignment[] }>('GET', `/api/admin/conversations/${conversationId}/assignments`, undefined, await adminToken(server))).body
      .assignments;

  it('assigns each new conversation to the least-loaded online agent, ties to the one assigned longest ago, never to an away agent', async () => {
    const inbox = await createInbox(server, { routing: 'auto' });
    const ana = await onlineAgent(server, [inbox.id], { name: 'Ana', capacity: 5 });
    const v1 = await startConversation(server, inbox);
    expect(VisitorConversationSchema.parse(v1.conversation)).toMatchObject({ status: 'open', assignee: { name: 'Ana' }, queue: null });

    const bo = await onlineAgent(server, [inbox.id], { name: 'Bo', capacity: 5 });
    const v2 = await startConversation(server, inbox);
    expect(v2.conversation.assignee?.name).toBe('Bo'); // load 0 beats load 1
    const v3 = await startConversation(server, inbox);
    expect(v3.conversation.assignee?.name).toBe('Ana'); // 1 vs 1: Ana was assigned longest ago
    const v4 = await startConversation(server, inbox);
    expect(v4.conversation.assignee?.name).toBe('Bo'); // 1 vs 2

    const [reason] = await assignments(v2.conversation.id);
    expect(reason).toMatchObject({ rule: 'auto_least_load', agentId: bo.id, reason: { chosenId: bo.id } });
    expect(reason!.reason.candidates).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ id: ana.id, eligible: true, load: 1 }),
        expect.objectContaining({ id: bo.id, eligible: true, load: 0 }),
      ]),
    );
    expect(reason!.reason.summary).toContain('Bo');

    // Away agents take nothing, even with the lowest load.
    await ana.client.call('conversation:set-status', { conversationId: v1.conversation.id, status: 'resolved' });
    await ana.client.call('agent:set-status', { status: 'away' });
    const v5 = await startConversation(server, inbox);
    expect(v5.conversation.assignee?.name).toBe('Bo');
    const [awayReason] = await assignments(v5.conversation.id);
    expect(awayReason!.reason.candidates).toEqual(expect.arrayContaining([expect.objectContaining({ id: ana.id, eligible: false, why: 'away' })]));

    const mine = await bo.client.call('conversation:list', { view: 'mine' });
    expect(mine.conversations.map((c) => c.id).sort()).toEqual([v2, v4, v5].map((v) => v.conversation.id).sort());
  });

  it('respects capacity: extra conversations wait with positions pushed to visitors, and resolving drains the queue', async () => {
    const inbox = await createInbox(server, { routing: 'auto' });
    const cy = await onlineAgent(server, [inbox.id], { name: 'Cy', capacity: 1 });
    const v1 = await startConversation(server, inbox);
    expect(v1.conversation).toMatchObject({ status: 'open', assignee: { name: 'Cy' } });
    const v2 = await startConversation(server, inbox);
    expect(VisitorConversationSchema.parse(v2.conversation)).toMatchObject({ status: 'queued', assignee: null, queue: { position: 1 } });
    const v3 = await startConversation(server, inbox);
    expect(v3.conversation).toMatchObject({ status: 'queued', queue: { position: 2 } });
    expect((await cy.client.call('agent:set-status', { status: 'online' })).agent).toMatchObject({ load: 1, capacity: 1 });

    // Resolving frees Cy: the first in line is assigned, the second moves up and is told so.
    const v2Assigned = nextEvent(v2.client, 'conversation:updated', (c) => c.id === v2.conversation.id && c.status === 'open');
    const v3MovesUp = nextEvent(v3.client, 'conversation:updated', (c) => c.id === v3.conversation.id && c.queue?.position === 1);
    await cy.client.call('conversation:set-status', { conversationId: v1.conversation.id, status: 'resolved' });
    expect(VisitorConversationSchema.parse(await v2Assigned)).toMatchObject({ assignee: { name: 'Cy' }, queue: null });
    expect(VisitorConversationSchema.parse(await v3MovesUp)).toMatchObject({ status: 'queued', assignee: null });
    const [reason] = (await assignments(v2.conversation.id)).filter((a) => a.agentId === cy.id);
    expect(reason).toMatchObject({ rule: 'auto_least_load' });

    // Raising the capacity is capacity appearing too.
    const v3Assigned = nextEvent(v3.client, 'conversation:updated', (c) => c.id === v3.conversation.id && c.status === 'open');
    const patched = await server.api('PATCH', `/api/admin/agents/${cy.id}`, { capacity: 2 }, await adminToken(server));
    expect(patched.status).toBe(200);
    expect(await v3Assigned).toMatchObject({ assignee: { name: 'Cy' } });
    expect((await cy.client.call('conversation:list', { view: 'mine' })).conversations).toHaveLength(2);
  });

  it('keeps conversations queued while nobody is online and drains them when an agent comes online', async () => {
    const inbox = await createInbox(server, { routing: 'auto' });
    const dee = await onlineAgent(server, [inbox.id], { name: 'Dee' });
    await dee.client.call('agent:set-status', { status: 'away' });
    const waiting = await startConversation(server, inbox);
    expect(waiting.conversation).toMatchObject({ status: 'queued', queue: { position: 1, estimatedWaitSec: null } });

    const assigned = nextEvent(waiting.client, 'conversation:updated', (c) => c.status === 'open');
    const joinLine = nextEvent(waiting.client, 'message:created', (m) => m.kind === 'event' && m.body.includes('Dee'));
    await dee.client.call('agent:set-status', { status: 'online' });
    expect(await assigned).toMatchObject({ id: waiting.conversation.id, assignee: { name: 'Dee' } });
    expect((await joinLine).author).toMatchObject({ type: 'system' });
  });
});
