// Search on 100 000 messages, on both stores: `npm run build -w @kefu/store && node packages/store/dist/search-bench.js [sqlite|postgres]`
// (PostgreSQL from KEFU_TEST_DATABASE_URL, as the tests). Prints the median time of each query and
// what the index costs: SQLite's batch indexing time, PostgreSQL's inserts with and without it. Numbers, not asserts.
import { performance } from 'node:perf_hooks';
import { sql } from 'kysely';
import { openDatabase, type Database } from './database.js';
import { bootstrapStore } from './ops/bootstrap.js';
import { searchConversations } from './ops/search.js';
import { insertConversation } from './repos/conversations.js';
import { insertInbox } from './repos/inboxes.js';
import { insertVisitor } from './repos/visitors.js';
import type { MessageRow } from './repos/messages.js';
import { createTestStore } from './testing.js';
import { newId } from './util.js';
import { searchGroups, tsQueryOf } from './search-text.js';

const MESSAGES = 100_000;
const PER_CONVERSATION = 20;
const words = 'order refund parcel shipping delivery address payment invoice size colour return exchange discount coupon account password tracking warehouse'.split(' ');
const chinese = ['我想退款', '订单号是多少', '快递什么时候到', '可以换货吗', '发票怎么开', '优惠券不能用', '地址写错了', '颜色和尺码'];

/** Deterministic text: mostly common words, a rare one in about 1 of 5 000 messages. */
function bodyOf(i: number): string {
  const pick = (n: number) => words[(i * 7 + n * 13) % words.length]!;
  const english = `${pick(1)} ${pick(2)} ${pick(3)} number ${i}`;
  const rare = i % 5_000 === 0 ? ' zanzibar' : '';
  return i % 3 === 0 ? `${chinese[i % chinese.length]!} ${english}${rare}` : `${english}${rare}`;
}

async function seed(db: Database, inboxId: string, from: number, count: number): Promise<number> {
  const started = performance.now();
  for (let c = from; c < from + count; c += PER_CONVERSATION) {
    const visitor = await insertVisitor(db.db, { inboxId, name: `Shopper ${c}`, email: `shopper${c}@example.com` });
    const conversation = await insertConversation(db.db, db.dialect, { inboxId, visitorId: visitor.id });
    const rows: MessageRow[] = Array.from({ length: PER_CONVERSATION }, (_, k) => ({
      id: newId(), conversation_id: conversation.id, seq: k + 1, prev_public_seq: k, client_msg_id: null, author_type: 'visitor',
      author_id: visitor.id, author_name: null, kind: 'text', whisper_to: null, body: bodyOf(c + k), created_at: new Date(Date.UTC(2026, 0, 1) + (c + k) * 1000).toISOString(),
    }));
    await db.db.insertInto('messages').values(rows).execute();
  }
  return performance.now() - started;
}

async function median(fn: () => Promise<unknown>, runs = 15): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    await fn();
    times.push(performance.now() - t);
  }
  return times.sort((a, b) => a - b)[Math.floor(runs / 2)]!;
}

/** SQLite indexes off the send path (search-index.ts); PostgreSQL's index costs its inserts. */
async function dropIndex(db: Database): Promise<void> {
  if (db.dialect === 'postgres') await sql`drop index messages_search`.execute(db.db);
}

async function bench(kind: 'sqlite' | 'postgres'): Promise<void> {
  const store = await createTestStore(kind);
  const db = openDatabase(store.config);
  try {
    await bootstrapStore(db, { adminEmail: 'admin@kefu.local', adminPassword: 'bench-pass', hashPassword: async (p) => p });
    const inboxId = (await insertInbox(db.db, { name: 'Bench' })).id;
    const withIndex = await seed(db, inboxId, 0, MESSAGES);
    const indexing = performance.now();
    const caughtUp = (await db.searchIndex?.catchUp()) ?? 0;
    // Its worker indexed on its timer during the seeding too: this is what was left.
    console.log(`${kind}\tthe search index caught up with ${caughtUp} messages after the seeding: ${(performance.now() - indexing).toFixed(0)} ms`);
    const run = (query: string) => async () => {
      const page = await searchConversations(db, { query, inboxIds: [inboxId], limit: 20, snippetLength: 200 });
      return page?.rows.length;
    };
    const queries = ['zanzibar', 'refund', 'refund parcel', '退款', '快递什么时候到', 'shopper 4242', 'example.com'];
    if (process.env.BENCH_EXPLAIN) {
      for (const q of ['退款', 'refund']) {
        const groups = searchGroups(q);
        const plan = await sql<{ 'QUERY PLAN': string }>`explain analyze select m.id from messages m join conversations c on c.id = m.conversation_id
          where to_tsvector('simple', kefu_search_text(m.body)) @@ to_tsquery('simple', ${tsQueryOf(groups)}) and m.kind <> 'event' and c.inbox_id in (${inboxId})
          order by m.created_at desc, m.id desc limit 84`.execute(db.db);
        console.log(plan.rows.map((r) => r['QUERY PLAN']).join('\n'));
      }
    }
    for (const q of queries) console.log(`${kind}\t${JSON.stringify(q)}\t${(await median(run(q))).toFixed(1)} ms\t${String(await run(q)())} results`);
    // PostgreSQL's inserts pay for its index: 10 000 more messages with it, then 10 000 without.
    if (kind === 'postgres') {
      const more = await seed(db, inboxId, MESSAGES, 10_000);
      await dropIndex(db);
      const without = await seed(db, inboxId, MESSAGES + 10_000, 10_000);
      console.log(`${kind}\t10 000 more messages with the index ${more.toFixed(0)} ms, without ${without.toFixed(0)} ms`);
    }
    console.log(`${kind}\tseed 100 000 messages: ${(withIndex / 1000).toFixed(1)} s`);
  } finally {
    await db.close();
    await store.drop();
  }
}

const kinds = process.argv.slice(2).filter((k): k is 'sqlite' | 'postgres' => k === 'sqlite' || k === 'postgres');
for (const kind of kinds.length > 0 ? kinds : (['sqlite', 'postgres'] as const)) await bench(kind);
