// A shift going offline at once, on both stores: `npm run build -w @kefu/store && node packages/store/dist/shift-bench.js [sqlite|postgres]`
// (PostgreSQL from KEFU_TEST_DATABASE_URL, as the tests). 50 agents with 8 open conversations each and
// 1 000 shoppers queued behind them in one `auto` inbox; then every agent's grace period runs out at
// once. Prints how long markAgentsOffline took: the routing lock is held all that time, so no new
// conversation of the cluster is assigned meanwhile. Numbers, not asserts.
import { performance } from 'node:perf_hooks';
import { openDatabase, type Database } from './database.js';
import { markAgentsOffline, updateAgentPresence } from './ops/agent-presence.js';
import { sendVisitorMessage } from './ops/send-message.js';
import { insertAgent } from './repos/agents.js';
import { insertInbox, setMemberships } from './repos/inboxes.js';
import { insertVisitor } from './repos/visitors.js';
import { createTestStore } from './testing.js';

const AGENTS = 50;
const CAPACITY = 8;
const QUEUED = 1_000;

async function seed(db: Database): Promise<string[]> {
  const inbox = await insertInbox(db.db, { name: 'Shift', routing: 'auto' });
  const agentIds: string[] = [];
  for (let i = 0; i < AGENTS; i++) {
    const agent = await insertAgent(db.db, { email: `agent${i}@shift.test`, name: `Agent ${i}`, passwordHash: 'x', role: 'agent', capacity: CAPACITY });
    await setMemberships(db.db, agent.id, [inbox.id]);
    await updateAgentPresence(db, agent.id, { connected: true, status: 'online' });
    agentIds.push(agent.id);
  }
  // The first AGENTS × CAPACITY are assigned as they arrive, the rest queue behind them.
  for (let i = 0; i < AGENTS * CAPACITY + QUEUED; i++) {
    const visitor = await insertVisitor(db.db, { inboxId: inbox.id });
    await sendVisitorMessage(db, { visitorId: visitor.id, visitorName: null, inboxId: inbox.id, clientMsgId: `first-${i}`, body: 'I need help' });
  }
  return agentIds;
}

async function bench(kind: 'sqlite' | 'postgres'): Promise<void> {
  const store = await createTestStore(kind);
  const db = openDatabase(store.config);
  try {
    await db.migrate();
    const shift = new Set(await seed(db));
    const started = performance.now();
    const changes = await markAgentsOffline(db, async (ids) => new Set(ids.filter((id) => shift.has(id))));
    const ms = performance.now() - started;
    console.log(`${kind}\t${shift.size} agents offline, ${changes.conversations.size} conversations requeued ahead of ${QUEUED}: ${ms.toFixed(0)} ms under the routing lock`);
  } finally {
    await db.close();
    await store.drop();
  }
}

const kinds = process.argv.slice(2).filter((k): k is 'sqlite' | 'postgres' => k === 'sqlite' || k === 'postgres');
for (const kind of kinds.length > 0 ? kinds : (['sqlite', 'postgres'] as const)) await bench(kind);
