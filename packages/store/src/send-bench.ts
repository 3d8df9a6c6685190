// What a shopper's plain message costs the store on a desk that has stored many already:
// `npm run build -w @kefu/store && node packages/store/dist/send-bench.js [sqlite|postgres] [--stored N]`
// (PostgreSQL from KEFU_TEST_DATABASE_URL, as the tests). One manual inbox, 400 conversations waiting in
// it (a status a shopper's message keeps, so every send takes the short path); first N
// messages (default 200 000) fill the table as a desk finds it after a while, then 30 000 more are
// timed. Both go through the server's path for them (sendPlainVisitorMessage), 20 at a time, as a busy
// node sends them: one group commit on SQLite, one statement on PostgreSQL. Prints the µs a message and
// how long the timed groups of 20 took (median, p99, longest: a store that stops now and then shows in
// the longest, not in the mean). Numbers, not asserts.
import { performance } from 'node:perf_hooks';
import { countCharacters } from '@kefu/core';
import { parseArgs } from 'node:util';
import { openDatabase, type Database } from './database.js';
import { sendPlainVisitorMessage, sendVisitorMessage } from './ops/send-message.js';
import { insertInbox } from './repos/inboxes.js';
import { insertVisitor } from './repos/visitors.js';
import { createTestStore } from './testing.js';

const CONVERSATIONS = 400;
const AT_ONCE = 20;
const TIMED = 30_000;
/** A shopper's question with a number of its own, as order numbers are: a word the search index has not seen. */
const bodyOf = (n: number): string => `Hello, where is my order ${100_000 + n}? It should have arrived on Monday.`;

type Sender = { visitorId: string; inboxId: string; conversationId: string };

async function openConversations(db: Database): Promise<Sender[]> {
  const inbox = await insertInbox(db.db, { name: 'Bench shop', routing: 'manual' });
  const senders: Sender[] = [];
  for (let i = 0; i < CONVERSATIONS; i++) {
    const visitor = await insertVisitor(db.db, { inboxId: inbox.id });
    const { conversation } = await sendVisitorMessage(db, { visitorId: visitor.id, inboxId: inbox.id, clientMsgId: `first-${i}`, body: 'Hi' });
    senders.push({ visitorId: visitor.id, inboxId: inbox.id, conversationId: conversation.id });
  }
  return senders;
}

/** Sends `count` messages round the conversations, AT_ONCE at a time; µs per message, and each group's ms. */
async function send(db: Database, senders: Sender[], count: number, tag: string): Promise<{ perMessageUs: number; groupMs: number[] }> {
  const started = performance.now();
  const groupMs: number[] = [];
  for (let sent = 0; sent < count; sent += AT_ONCE) {
    const groupStarted = performance.now();
    const batch = Array.from({ length: Math.min(AT_ONCE, count - sent) }, (_, i) => {
      const n = sent + i;
      const body = bodyOf(n);
      return sendPlainVisitorMessage(db, { ...senders[n % senders.length]!, clientMsgId: `${tag}-${n}`, body, bodyLength: countCharacters(body) });
    });
    if ((await Promise.all(batch)).some((outcome) => !outcome)) throw new Error('a send left the short path');
    groupMs.push(performance.now() - groupStarted);
  }
  return { perMessageUs: count === 0 ? 0 : ((performance.now() - started) * 1000) / count, groupMs };
}

const quantile = (sorted: number[], q: number): number => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? NaN;

async function bench(kind: 'sqlite' | 'postgres', stored: number): Promise<void> {
  const store = await createTestStore(kind);
  const db = openDatabase(store.config);
  try {
    await db.migrate();
    const senders = await openConversations(db);
    const filling = await send(db, senders, stored, 'stored');
    const timed = await send(db, senders, TIMED, 'timed');
    const groups = timed.groupMs.sort((a, b) => a - b);
    const ms = (q: number) => quantile(groups, q).toFixed(1);
    console.log(
      `${kind}\t${stored} messages stored (${filling.perMessageUs.toFixed(0)} µs each), then ${TIMED} more: ${timed.perMessageUs.toFixed(0)} µs a message;` +
        ` groups of ${AT_ONCE}: median ${ms(0.5)} ms, p99 ${ms(0.99)}, longest ${groups.at(-1)!.toFixed(1)}`,
    );
  } finally {
    await db.close();
    await store.drop();
  }
}

const { values, positionals } = parseArgs({ options: { stored: { type: 'string', default: '200000' } }, allowPositionals: true });
const stored = Number(values.stored);
if (!Number.isSafeInteger(stored) || stored < 0) throw new Error(`--stored wants a whole number of messages, not ${values.stored}`);
const kinds = positionals.filter((k): k is 'sqlite' | 'postgres' => k === 'sqlite' || k === 'postgres');
for (const kind of kinds.length > 0 ? kinds : (['sqlite', 'postgres'] as const)) await bench(kind, stored);
