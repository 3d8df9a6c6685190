import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { ReportSchema, type Report } from '@kefu/protocol';
import { adminToken, createInbox, expectHttpError, onlineAgent, startConversation, testStore } from './kit.js';
import { startTestServer, type TestServer } from './harness.js';

/** GET /api/admin/reports: admins only, a validated query, and figures from real conversations. */
describe('HTTP reports', () => {
  let server: TestServer;
  let token: string;
  let agentToken: string;
  beforeAll(async () => {
    server = await startTestServer({ store: testStore() });
    token = await adminToken(server);
    agentToken = (await server.createAgent({ inboxIds: [] })).token;
  });
  afterAll(() => server.stop());

  const today = () => new Date().toISOString().slice(0, 10);
  // Yesterday..tomorrow: the conversation is in the range even if the clock passes midnight meanwhile.
  const around = () => {
    const day = (offset: number) => new Date(Date.now() + offset * 86_400_000).toISOString().slice(0, 10);
    return `from=${day(-1)}&to=${day(1)}`;
  };
  const get = (query: string, as = token) => server.api<Report>('GET', `/api/admin/reports?${query}`, undefined, as);

  it('reports a conversation that was assigned, answered, resolved and rated, by agent and inbox', async () => {
    const inbox = await createInbox(server, { csatEnabled: true });
    const agent = await onlineAgent(server, [inbox.id], { name: 'Report Agent' });
    const shopper = await startConversation(server, inbox, 'Where is my tea?');
    const conversationId = shopper.conversation.id;
    await agent.client.call('message:send', { conversationId, clientMsgId: 'r1', body: 'On its way!' });
    await agent.client.call('conversation:set-status', { conversationId, status: 'resolved' });
    await shopper.client.call('csat:submit', { conversationId, rating: 4 });

    const res = await get(`${around()}&tz=UTC&inboxId=${inbox.id}`);
    expect(res.status).toBe(200);
    const report = ReportSchema.parse(res.body);
    expect(report.totals).toMatchObject({ conversations: 1, resolved: 1, csat: { count: 1, average: 4, satisfied: 1 } });
    for (const stat of [report.totals.waitTime, report.totals.firstResponse, report.totals.resolution]) {
      expect(stat.count).toBe(1);
      expect(stat.averageSec).toBe(stat.medianSec);
      expect(stat.averageSec).toBeGreaterThanOrEqual(0);
    }
    expect(report.perDay).toHaveLength(3);
    expect(report.perDay.filter((d) => d.conversations > 0)).toMatchObject([{ conversations: 1, resolved: 1 }]);
    expect(report.perHour.reduce((sum, h) => sum + h.conversations, 0)).toBe(1);
    expect(report.byAgent).toMatchObject([{ agentId: agent.id, name: 'Report Agent', conversations: 1 }]);
    expect(report.byInbox).toMatchObject([{ inboxId: inbox.id, name: inbox.name, conversations: 1 }]);
    expect(report.csatRatings.find((r) => r.rating === 4)?.count).toBe(1);

    const mine = ReportSchema.parse((await get(`${around()}&agentId=${agent.id}`)).body);
    expect(mine).toMatchObject({ timeZone: 'UTC', totals: { conversations: 1 } });
  });

  it('is for admins only: no token 401, an agent 403', async () => {
    expectHttpError(await server.api('GET', `/api/admin/reports?from=${today()}&to=${today()}`), 'unauthorized');
    expectHttpError(await get(`from=${today()}&to=${today()}`, agentToken), 'forbidden');
  });

  it.each([
    ['', 'from: '],
    ['from=2026-03-01', 'to: '],
    ['from=2026-3-1&to=2026-03-02', 'from: '],
    ['from=2026-03-02&to=2026-03-01', 'to: to must not be before from'],
    ['from=2025-01-01&to=2026-03-01', 'to: a report covers at most 367 days'],
    ['from=2026-03-01&to=2026-03-01&tz=Mars/Olympus', 'tz: not a time zone this server knows'],
    ['from=2026-03-01&to=2026-03-01&inboxId=', 'inboxId: '],
  ])('refuses the query %j with 400 and says why', async (query, message) => {
    const res = await get(query);
    expectHttpError(res, 'bad_request');
    expect((res.body as unknown as { error: { message: string } }).error.message).toContain(message);
  });

  it('answers 404 for an unknown inbox or agent', async () => {
    expectHttpError(await get('from=2026-03-01&to=2026-03-01&inboxId=no-such-inbox'), 'not_found');
    expectHttpError(await get('from=2026-03-01&to=2026-03-01&agentId=no-such-agent'), 'not_found');
  });
});
