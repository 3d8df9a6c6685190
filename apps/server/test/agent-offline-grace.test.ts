import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { MessageSchema, VisitorConversationSchema } from '@kefu/protocol';
import { adminToken, createInbox, nextEvent, onlineAdmin, onlineAgent, startConversation, within, testStore } from './kit.js';
import { startTestServer, type TestServer } from './harness.js';

describe('offline grace', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({ store: testStore(), env: { KEFU_AGENT_OFFLINE_GRACE_MS: '300' } });
  });
  afterAll(() => server.stop());

  it('puts the open conversations of an agent gone past the grace period back in the queue of auto inboxes', async () => {
    const auto = await createInbox(server, { routing: 'auto' });
    const manual = await createInbox(server, { routing: 'manual' });
    const eve = await onlineAgent(server, [auto.id, manual.id], { name: 'Eve' });
    const admin = await onlineAdmin(server);

    const routed = await startConversation(server, auto, 'auto-routed');
    expect(routed.conversation).toMatchObject({ status: 'open', assignee: { name: 'Eve' } });
    const claimed = await startConversation(server, manual, 'claimed by hand');
    await eve.client.call('conversation:assign', { conversationId: claimed.conversation.id, agentId: eve.id });

    const requeued = nextEvent(routed.client, 'conversation:updated', (c) => c.id === routed.conversation.id && c.status === 'queued', 5_000);
    const systemLine = nextEvent(routed.client, 'message:created', (m) => m.kind === 'event' && m.body.includes('offline'), 5_000);
    const offline = nextEvent(admin.client, 'agent:updated', (a) => a.id === eve.id && a.status === 'offline', 5_000);
    const closedAt = Date.now();
    eve.client.close();

    expect(VisitorConversationSchema.parse(await requeued)).toMatchObject({ assignee: null, queue: { position: 1 } });
    // Not before the grace period: a short network blip must not cost an agent their conversations.
    expect(Date.now() - closedAt).toBeGreaterThanOrEqual(300);
    expect(MessageSchema.parse(await systemLine)).toMatchObject({ author: { type: 'system' }, conversationId: routed.conversation.id });
    expect(await offline).toMatchObject({ status: 'offline' });

    // Manual inboxes keep their assignments.
    const stillOpen = await admin.client.call('conversation:open', { conversationId: claimed.conversation.id });
    expect(stillOpen.conversation).toMatchObject({ status: 'open', assigneeId: eve.id });
    const history = await server.api<{ assignments: { rule: string }[] }>('GET', `/api/admin/conversations/${routed.conversation.id}/assignments`, undefined, await adminToken(server));
    expect(history.body.assignments.map((a) => a.rule)).toEqual(['auto_least_load', 'offline_requeue']);

    // Coming back online takes the queue again.
    const backToEve = nextEvent(routed.client, 'conversation:updated', (c) => c.id === routed.conversation.id && c.status === 'open');
    const again = server.agent(eve.token);
    expect((await within(again.ready(), 'session after coming back')).agent.status).toBe('online');
    expect(await backToEve).toMatchObject({ assignee: { name: 'Eve' } });
  });
});
