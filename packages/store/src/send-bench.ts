// What a shopper's plain message costs the store on a desk that has stored many already:
// `npm run build -w @kefu/store && node packages/store/dist/send-bench.js [sqlite|postgres] [--stored N]`
// (PostgreSQL from KEFU_TEST_DATABASE_URL, as the tests). One manual inbox, 400 conversations waiting in
// it (a status a shopper's message keeps, so every send takes the short path); first N
// messages (default 200 000) fill the table as a desk finds it after a while, then 30 000 more are
// timed. Both go through the server's path for them (sendPlainVisitorMessage), 20 at a time, as a busy
// node sends them: one group commit on SQLite, one statement on PostgreSQL. Numbers, not asserts.
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
const BODY = 'Hello, where is my order 12345? It should have arrived on Monday.';
const BODY_LENGTH = countCharacters(BODY);

type Sender = { visitorId: string; inboxId: string; conversationId: string };

async function openConversations(db: Database): Promise<Sender[]> {
  const inbox = await insertInbox(db.db, { name: 'Bench shop', routing: 'manual' });
  const senders: Sender[] = [];
  for (let i = 0; i < CONVERSATIONS; i++) {
    const visitor = await insertVisitor(db.db, { inboxId: inbox.id });
    const { conversation } = await sendVisitorMessage(db, { visitorId: visitor.id, visitorName: null, inboxId: inbox.id, clientMsgId: `first-${i}`, body: 'Hi' });
    senders.push({ visitorId: visitor.id, inboxId: inbox.id, conversationId: conversation.id });
  }
  return senders;
}

/** Sends `count` messages round the conversations, AT_ONCE at a time; µs per message. */
async function send(db: Database, senders: Sender[], count: number, tag: string): Promise<number> {
  const started = performance.now();
  for (let sent = 0; sent < count; sent += AT_ONCE) {
    const batch = Array.from({ length: Math.min(AT_ONCE, count - sent) }, (_, i) => {
      const n = sent + i;
      return sendPlainVisitorMessage(db, { ...senders[n % senders.length]!, clientMsgId: `${tag}-${n}`, body: BODY, bodyLength: BODY_LENGTH });
    });
    if ((await Promise.all(batch)).some((outcome) => !outcome)) throw new Error('a send left the short path');
  }
  return count === 0 ? 0 : ((performance.now() - started) * 1000) / count;
}

async function bench(kind: 'sqlite' | 'postgres', stored: number): Promise<void> {
  const store = await createTestStore(kind);
  const db = openDatabase(store.config);
  try {
    await db.migrate();
    const senders = await openConversations(db);
    const filling = await send(db, senders, stored, 'stored');
    const timed = await send(db, senders, TIMED, 'timed');
    console.log(`${kind}\t${stored} messages stored (${filling.toFixed(0)} µs each), then ${TIMED} more: ${timed.toFixed(0)} µs a message`);
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
