import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { openDatabase, type Database } from '../database.js';
import { insertAgent } from '../repos/agents.js';
import { insertInbox } from '../repos/inboxes.js';
import { insertVisitor } from '../repos/visitors.js';
import type { ConversationsTable } from '../schema.js';
import { createTestStore, type TestStore } from '../testing.js';
import { conversationReport } from './reports.js';

/**
 * Report aggregates on both dialects over hand-made conversations whose times are known to the second,
 * so every count, mean and median below is worked out by hand. The zone is Asia/Shanghai (UTC+8):
 * the range 2026-03-01..2026-03-02 local is 2026-02-28T16:00Z..2026-03-02T16:00Z.
 */
const at = (iso: string, plusSec = 0) => new Date(Date.parse(iso) + plusSec * 1000).toISOString();

describe.each(['sqlite', 'postgres'] as const)('reports on %s', (kind) => {
  let test: TestStore;
  let db: Database;
  const ids = { sales: '', support: '', ana: '', bo: '' };
  let number = 0;

  type Fixture = {
    inbox: string;
    agent: string | null;
    created: string;
    /** Seconds after creation. */
    assigned?: number;
    replied?: number;
    resolved?: number;
    csat?: number;
    status?: ConversationsTable['status'];
  };
  async function conversation(f: Fixture): Promise<void> {
    const visitor = await insertVisitor(db.db, { inboxId: f.inbox });
    const id = `conv-${++number}`;
    await db.db
      .insertInto('conversations')
      .values({
        id,
        number,
        inbox_id: f.inbox,
        visitor_id: visitor.id,
        status: f.status ?? (f.resolved !== undefined ? 'resolved' : f.agent ? 'open' : 'queued'),
        assignee_id: f.agent,
        priority: 0,
        queued_at: f.created,
        queue_key: f.created,
        snooze_until: null,
        last_seq: 0,
        last_public_seq: 0,
        last_message_body: null,
        last_message_author_type: null,
        last_message_at: null,
        unread: 0,
        agent_read_seq: 0,
        visitor_read_seq: 0,
        first_response_at: f.replied === undefined ? null : at(f.created, f.replied),
        resolved_at: f.resolved === undefined ? null : at(f.created, f.resolved),
        csat_rating: f.csat ?? null,
        csat_comment: null,
        created_at: f.created,
        updated_at: f.created,
      })
      .execute();
    const assignment = (agentId: string | null, afterSec: number) =>
      db.db
        .insertInto('assignments')
        .values({ id: `${id}-${afterSec}`, conversation_id: id, inbox_id: f.inbox, agent_id: agentId, rule: 'test', reason: '{}', wait_sec: afterSec, created_at: at(f.created, afterSec) })
        .execute();
    // A decision that found nobody (agent null) never ends the wait.
    await assignment(null, 5);
    if (f.assigned !== undefined && f.agent) await assignment(f.agent, f.assigned);
  }

  beforeAll(async () => {
    test = await createTestStore(kind);
    db = openDatabase(test.config);
    await db.migrate();
    ids.sales = (await insertInbox(db.db, { name: 'Sales' })).id;
    ids.support = (await insertInbox(db.db, { name: 'Support' })).id;
    ids.ana = (await insertAgent(db.db, { email: 'ana@x.test', name: 'Ana', passwordHash: 'h', role: 'agent', capacity: 3 })).id;
    ids.bo = (await insertAgent(db.db, { email: 'bo@x.test', name: 'Bo', passwordHash: 'h', role: 'agent', capacity: 3 })).id;
    // Local 03-01 00:30 (hour 0): wait 60, first reply 120, resolved 600, rated 5.
    await conversation({ inbox: ids.sales, agent: ids.ana, created: '2026-02-28T16:30:00.000Z', assigned: 60, replied: 120, resolved: 600, csat: 5 });
    // Local 03-01 10:00: wait 30, first reply 90, resolved 1200, rated 4.
    await conversation({ inbox: ids.sales, agent: ids.ana, created: '2026-03-01T02:00:00.000Z', assigned: 30, replied: 90, resolved: 1200, csat: 4 });
    // Local 03-01 10:30: never assigned, but answered after 300 (the wait ends there), still open.
    await conversation({ inbox: ids.support, agent: ids.bo, created: '2026-03-01T02:30:00.000Z', replied: 300 });
    // Local 03-02 04:00: still queued, nothing yet.
    await conversation({ inbox: ids.support, agent: null, created: '2026-03-01T20:00:00.000Z' });
    // Local 03-02 09:00: replied at 60 before the assignment at 90 (wait 60), resolved 1800, rated 2.
    await conversation({ inbox: ids.sales, agent: ids.bo, created: '2026-03-02T01:00:00.000Z', assigned: 90, replied: 60, resolved: 1800, csat: 2 });
    // Outside the range, by a second on each side (local 02-28 23:59:59 and 03-03 00:00).
    await conversation({ inbox: ids.sales, agent: ids.ana, created: '2026-02-28T15:59:59.000Z', assigned: 1, replied: 1, resolved: 1, csat: 1 });
    await conversation({ inbox: ids.sales, agent: ids.ana, created: '2026-03-02T16:00:00.000Z', assigned: 1, replied: 1, resolved: 1, csat: 1 });
  });
  afterAll(async () => {
    await db?.close();
    await test?.drop();
  });

  const report = (extra: { inboxId?: string; agentId?: string } = {}) =>
    conversationReport(db, { from: '2026-03-01', to: '2026-03-02', timeZone: 'Asia/Shanghai', ...extra });

  it('totals: counts, means and medians of wait, first response and resolution, and CSAT', async () => {
    const { totals } = await report();
    expect(totals).toEqual({
      conversations: 5,
      resolved: 3,
      waitTime: { count: 4, averageSec: 112.5, medianSec: 60 }, // 30, 60, 60, 300
      firstResponse: { count: 4, averageSec: 142.5, medianSec: 105 }, // 60, 90, 120, 300
      resolution: { count: 3, averageSec: 1200, medianSec: 1200 }, // 600, 1200, 1800
      csat: { count: 3, average: 3.667, satisfied: 2 }, // 5, 4, 2
    });
  });

  it('buckets by local day and hour in the agent’s zone, and counts CSAT ratings', async () => {
    const r = await report();
    expect(r.perDay).toEqual([
      { date: '2026-03-01', conversations: 3, resolved: 2 },
      { date: '2026-03-02', conversations: 2, resolved: 1 },
    ]);
    const busyHours = r.perHour.filter((h) => h.conversations > 0);
    expect(busyHours).toEqual([
      { hour: 0, conversations: 1 },
      { hour: 4, conversations: 1 },
      { hour: 9, conversations: 1 },
      { hour: 10, conversations: 2 },
    ]);
    expect(r.perHour).toHaveLength(24);
    expect(r.csatRatings).toEqual([
      { rating: 1, count: 0 },
      { rating: 2, count: 1 },
      { rating: 3, count: 0 },
      { rating: 4, count: 1 },
      { rating: 5, count: 1 },
    ]);
  });

  it('per agent (the assignee; nobody’s conversations apart) and per inbox', async () => {
    const r = await report();
    const byAgent = Object.fromEntries(r.byAgent.map((a) => [a.name ?? 'nobody', a]));
    expect(byAgent.Ana).toMatchObject({
      agentId: ids.ana,
      conversations: 2,
      resolved: 2,
      waitTime: { count: 2, averageSec: 45, medianSec: 45 },
      firstResponse: { count: 2, averageSec: 105, medianSec: 105 },
      resolution: { count: 2, averageSec: 900, medianSec: 900 },
      csat: { count: 2, average: 4.5, satisfied: 2 },
    });
    expect(byAgent.Bo).toMatchObject({
      agentId: ids.bo,
      conversations: 2,
      resolved: 1,
      waitTime: { count: 2, averageSec: 180, medianSec: 180 },
      resolution: { count: 1, averageSec: 1800, medianSec: 1800 },
      csat: { count: 1, average: 2, satisfied: 0 },
    });
    expect(byAgent.nobody).toMatchObject({ agentId: null, conversations: 1, resolved: 0, waitTime: { count: 0, averageSec: null, medianSec: null } });
    expect(r.byInbox.map((i) => i.name)).toEqual(['Sales', 'Support']);
    expect(r.byInbox[0]).toMatchObject({
      inboxId: ids.sales,
      conversations: 3,
      waitTime: { count: 3, averageSec: 50, medianSec: 60 },
      firstResponse: { count: 3, averageSec: 90, medianSec: 90 },
      csat: { count: 3, average: 3.667, satisfied: 2 },
    });
    expect(r.byInbox[1]).toMatchObject({ conversations: 2, resolved: 0, resolution: { count: 0, averageSec: null, medianSec: null }, csat: { count: 0, average: null } });
  });

  it('filters by inbox and agent', async () => {
    const r = await report({ inboxId: ids.sales, agentId: ids.bo });
    expect(r.totals).toMatchObject({ conversations: 1, firstResponse: { count: 1, averageSec: 60, medianSec: 60 } });
    expect(r.byInbox.map((i) => i.name)).toEqual(['Sales']);
    expect((await report({ agentId: ids.ana })).totals.conversations).toBe(2);
  });

  it('the same conversations bucket by another zone’s days; an empty range is all zeros', async () => {
    // In UTC the range 03-01..03-02 is 8 hours later: the 00:30 Shanghai one (02-28 16:30 UTC) falls out,
    // the resolved one at 03-02 16:00 UTC (03-03 in Shanghai) comes in.
    const utc = await conversationReport(db, { from: '2026-03-01', to: '2026-03-02', timeZone: 'UTC' });
    expect(utc.perDay).toEqual([
      { date: '2026-03-01', conversations: 3, resolved: 1 },
      { date: '2026-03-02', conversations: 2, resolved: 2 },
    ]);
    const empty = await conversationReport(db, { from: '2025-01-01', to: '2025-01-01', timeZone: 'UTC' });
    expect(empty.totals).toMatchObject({ conversations: 0, waitTime: { count: 0, averageSec: null, medianSec: null } });
    expect(empty.byAgent).toEqual([]);
  });

  it('buckets hours across a DST change by the offset in force at each moment', async () => {
    // New York springs forward on 2026-03-08 at 07:00 UTC: 06:30 UTC is 01:30 EST, 07:30 UTC is 03:30 EDT.
    await conversation({ inbox: ids.support, agent: null, created: '2026-03-08T06:30:00.000Z' });
    await conversation({ inbox: ids.support, agent: null, created: '2026-03-08T07:30:00.000Z' });
    const r = await conversationReport(db, { from: '2026-03-08', to: '2026-03-08', timeZone: 'America/New_York' });
    expect(r.perHour.filter((h) => h.conversations > 0)).toEqual([
      { hour: 1, conversations: 1 },
      { hour: 3, conversations: 1 },
    ]);
  });
});
