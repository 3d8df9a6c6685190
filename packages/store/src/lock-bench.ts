// What holds the cluster-wide routing lock for long, on both stores:
// `npm run build -w @kefu/store && node packages/store/dist/lock-bench.js [sqlite|postgres]`
// (PostgreSQL from KEFU_TEST_DATABASE_URL, as the tests). While it is held no new conversation of the
// cluster is assigned. Numbers, not asserts:
// - a shift going offline at once: 50 agents with 8 open conversations each and 1 000 shoppers queued
//   behind them in one `auto` inbox, then every agent's grace period runs out (markAgentsOffline);
// - the sweeper's drain (every few seconds on every node) on a desk of 200 shops: 200 `auto` inboxes,
//   one busy agent each, someone waiting in 2 of them (drainAutoInboxes), median of 21;
// - on the same desk, an agent of all 200 inboxes (capacity 0, so nothing moves between the samples)
//   going away and online again (updateAgentPresence drains their inboxes), median of 21.
import { performance } from 'node:perf_hooks';
import { openDatabase, type Database } from './database.js';
import { markAgentsOffline, updateAgentPresence } from './ops/agent-presence.js';
import { drainAutoInboxes } from './ops/drain.js';
import { sendVisitorMessage } from './ops/send-message.js';
import { insertAgent } from './repos/agents.js';
import { insertInbox, setMemberships } from './repos/inboxes.js';
import { insertVisitor } from './repos/visitors.js';
import { createTestStore } from './testing.js';

const SHIFT = { agents: 50, capacity: 8, queued: 1_000 };
const SHOPS = 200;

/** An `auto` inbox with `agents` online agents of `capacity` each, and `shoppers` first messages sent into it. */
async function desk(db: Database, name: string, agents: number, capacity: number, shoppers: number): Promise<string[]> {
  const inbox = await insertInbox(db.db, { name, routing: 'auto' });
  const agentIds: string[] = [];
  for (let i = 0; i < agents; i++) {
    const agent = await insertAgent(db.db, { email: `${agentIds.length}.${inbox.id}@bench.test`, name: `${name} agent ${i}`, passwordHash: 'x', role: 'agent', capacity });
    await setMemberships(db.db, agent.id, [inbox.id]);
    await updateAgentPresence(db, agent.id, { connected: true, status: 'online' });
    agentIds.push(agent.id);
  }
  // The first agents × capacity are assigned as they arrive, the rest queue behind them.
  for (let i = 0; i < shoppers; i++) {
    const visitor = await insertVisitor(db.db, { inboxId: inbox.id });
    await sendVisitorMessage(db, { visitorId: visitor.id, inboxId: inbox.id, clientMsgId: `first-${i}`, body: 'I need help' });
  }
  return agentIds;
}

async function shiftGoesOffline(db: Database, kind: string): Promise<void> {
  const shift = new Set(await desk(db, 'Shift', SHIFT.agents, SHIFT.capacity, SHIFT.agents * SHIFT.capacity + SHIFT.queued));
  const started = performance.now();
  const changes = await markAgentsOffline(db, async (ids) => new Set(ids.filter((id) => shift.has(id))));
  const ms = performance.now() - started;
  console.log(`${kind}\t${shift.size} agents offline, ${changes.conversations.size} conversations requeued ahead of ${SHIFT.queued}: ${ms.toFixed(0)} ms under the routing lock`);
}

async function sweeperDrain(db: Database, kind: string): Promise<void> {
  for (let i = 0; i < SHOPS; i++) await desk(db, `Shop ${i}`, 1, 1, i < 2 ? 2 : 1);
  const times: number[] = [];
  for (let i = 0; i < 21; i++) {
    const started = performance.now();
    await drainAutoInboxes(db);
    times.push(performance.now() - started);
  }
  console.log(`${kind}\tthe sweeper's drain of ${SHOPS} auto inboxes (someone waiting in 2): ${medianOf(times)} ms under the routing lock (median of 21)`);
  const roaming = await insertAgent(db.db, { email: `roaming@bench.test`, name: 'Roaming agent', passwordHash: 'x', role: 'agent', capacity: 0 });
  await setMemberships(db.db, roaming.id, (await db.db.selectFrom('inboxes').select('id').where('name', 'like', 'Shop %').execute()).map((i) => i.id));
  const presence: number[] = [];
  for (let i = 0; i < 21; i++) {
    const started = performance.now();
    await updateAgentPresence(db, roaming.id, { connected: true, status: i % 2 === 0 ? 'online' : 'away' });
    presence.push(performance.now() - started);
  }
  console.log(`${kind}\tan agent of all ${SHOPS} inboxes changing status: ${medianOf(presence)} ms under the routing lock (median of 21)`);
}

const medianOf = (times: number[]): string => times.sort((a, b) => a - b)[Math.floor(times.length / 2)]!.toFixed(1);

async function bench(kind: 'sqlite' | 'postgres'): Promise<void> {
  for (const measure of [shiftGoesOffline, sweeperDrain]) {
    const store = await createTestStore(kind);
    const db = openDatabase(store.config);
    try {
      await db.migrate();
      await measure(db, kind);
    } finally {
      await db.close();
      await store.drop();
    }
  }
}

const kinds = process.argv.slice(2).filter((k): k is 'sqlite' | 'postgres' => k === 'sqlite' || k === 'postgres');
for (const kind of kinds.length > 0 ? kinds : (['sqlite', 'postgres'] as const)) await bench(kind);
