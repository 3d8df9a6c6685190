import { createShardedAdapter } from '@socket.io/redis-adapter';
import SQLite from 'better-sqlite3';
import pg from 'pg';
import { createClient, type RedisClientType } from 'redis';
import type { Server } from 'socket.io';
import { forward, relayBase, type Ack, type Send } from './relay-base.js';

/**
 * The floor under kefu's guarantees, for designs like kefu's: the bare relay (relay-server.ts) plus
 * only what "acked means stored" and "several nodes" cannot do without, and nothing else of kefu's (no
 * auth, no validation, no sequence numbers, no routing, no read model). The sends of one turn of the
 * event loop are written together, each acked only once its write has committed, then forwarded to
 * the conversation's room.
 *
 * - RELAY_STORE=sqlite (one node): one transaction a batch on the main thread, SQLite in WAL mode
 *   with `synchronous = NORMAL`, as kefu's embedded store (durable when the process dies, not when the
 *   machine does), its automatic checkpoints on the same thread (kefu's store checkpoints on a thread of its own).
 * - RELAY_STORE=postgres (two nodes): one multi-row INSERT a batch on a pool, `synchronous_commit`
 *   as the server has it (on: the commit waits for the WAL's flush); the room is reached through
 *   Redis with kefu's adapter and options, so agents on the other node get the message (without kefu's
 *   wrappers: this node's shoppers join no room, so no broadcast of its own comes back to it).
 *
 * What it measures: the latency and CPU a message costs a design this lean that acks after commit, on
 * the machine the bench runs on, so that kefu's figures can be read against that and not only against
 * the bare relay's.
 */
type Pending = { send: Send; ack: Ack };

const store = process.env.RELAY_STORE;
/** What SIGTERM closes once the server has. */
const closers: (() => Promise<unknown>)[] = [];

/** Acks each send, then forwards it to its conversation's room. */
function deliver(io: Server, batch: Pending[]): void {
  for (const { send, ack } of batch) {
    ack({ ok: true, data: {} });
    forward(io, send);
  }
}

/** One SQLite transaction a batch. */
function sqliteWriter(file: string): (batch: Pending[]) => Promise<void> {
  const db = new SQLite(file);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.exec('create table if not exists messages (conversation_id text not null, client_msg_id text not null, body text not null, created_at text not null, primary key (conversation_id, client_msg_id))');
  const insert = db.prepare('insert into messages (conversation_id, client_msg_id, body, created_at) values (?, ?, ?, ?)');
  const insertAll = db.transaction((batch: Pending[], now: string) => batch.forEach(({ send }) => insert.run(send.conversationId, send.clientMsgId, send.body, now)));
  closers.push(async () => db.close());
  return async (batch) => insertAll(batch, new Date().toISOString());
}

/** One multi-row INSERT (its own transaction and commit) a batch. */
async function postgresWriter(url: string): Promise<(batch: Pending[]) => Promise<void>> {
  const pool = new pg.Pool({ connectionString: url, max: 4 });
  closers.push(() => pool.end());
  // The nodes start one after the other, so the second finds the table made.
  await pool.query(`create table if not exists messages (conversation_id text not null, client_msg_id text not null, body text not null, created_at timestamptz not null, primary key (conversation_id, client_msg_id))`);
  const text =
    'insert into messages (conversation_id, client_msg_id, body, created_at) select c, m, b, now() from unnest($1::text[], $2::text[], $3::text[]) as input(c, m, b)';
  return async (batch) => {
    const column = (pick: (send: Send) => string) => batch.map(({ send }) => pick(send));
    await pool.query({ name: 'insert-messages', text, values: [column((s) => s.conversationId), column((s) => s.clientMsgId), column((s) => s.body)] });
  };
}

/**
 * Batches with the bounds of kefu's PostgreSQL sends (packages/store/src/ops/send-batch.ts): a batch
 * starts at the end of the turn that read its first send; while one is in flight, a second starts only
 * once SECOND_AT sends wait; at most MAX_BATCH a batch. Not kefu's other rules (a full batch at once, one
 * send a conversation in flight): nothing here orders a conversation's messages. The SQLite writer
 * finishes a batch within the call, so there the batches of a turn follow one another.
 */
function batcher(write: (batch: Pending[]) => Promise<void>, written: (batch: Pending[]) => void): (pending: Pending) => void {
  const IN_FLIGHT = 2;
  const SECOND_AT = 4;
  const MAX_BATCH = 64;
  let waiting: Pending[] = [];
  let inFlight = 0;
  let scheduled = false;
  const start = (): void => {
    scheduled = false;
    while (waiting.length > 0 && (inFlight === 0 || (inFlight < IN_FLIGHT && waiting.length >= SECOND_AT))) {
      const batch = waiting.slice(0, MAX_BATCH);
      waiting = waiting.slice(MAX_BATCH);
      inFlight++;
      write(batch).then(
        () => written(batch),
        (error: unknown) => console.error('durable relay: a write failed, its sends stay unacked', error),
      ).finally(() => {
        inFlight--;
        schedule();
      });
    }
  };
  const schedule = (): void => {
    if (scheduled || waiting.length === 0) return;
    scheduled = true;
    setImmediate(start);
  };
  return (pending) => {
    waiting.push(pending);
    schedule();
  };
}

/** kefu's adapter with kefu's options (apps/server/src/app.ts), on clients of its own. */
async function redisAdapter(): Promise<ReturnType<typeof createShardedAdapter>> {
  const pub = createClient({ url: process.env.RELAY_REDIS_URL }) as RedisClientType;
  const sub = pub.duplicate();
  await Promise.all([pub.connect(), sub.connect()]);
  closers.push(() => pub.quit(), () => sub.quit());
  return createShardedAdapter(pub, sub, { subscriptionMode: 'dynamic', channelPrefix: `${process.env.RELAY_REDIS_PREFIX}sio` });
}

async function main(): Promise<void> {
  const write = store === 'postgres' ? await postgresWriter(process.env.RELAY_DATABASE_URL!) : store === 'sqlite' ? sqliteWriter(process.env.RELAY_SQLITE_FILE!) : undefined;
  if (!write) throw new Error(`RELAY_STORE must be sqlite or postgres, not ${store}`);
  // `relay` is read only once a write has finished, after the server has started.
  const enqueue = batcher(write, (batch) => deliver(relay.io, batch));
  const relay = relayBase((send, ack) => enqueue({ send, ack }));
  if (store === 'postgres') relay.io.adapter(await redisAdapter());
  process.on('SIGTERM', () => void relay.io.close(() => void Promise.allSettled(closers.map((close) => close())).then(() => process.exit(0))));
  relay.listen();
}

void main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
