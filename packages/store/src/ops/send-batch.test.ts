import { beforeAll, describe, expect, it } from '@jest/globals';
import { sql } from 'kysely';
import { insertInbox } from '../repos/inboxes.js';
import { messagesAfter } from '../repos/messages.js';
import { insertVisitor } from '../repos/visitors.js';
import { migratedStore } from '../test-store.js';
import { sendVisitorMessage, sendPlainVisitorMessage } from './send-message.js';

/** PostgreSQL: one-statement sends that arrive together are stored together (send-batch.ts). */
describe('grouped one-statement sends on postgres', () => {
  const store = migratedStore('postgres');
  let inboxId: string;
  let counter = 0;
  const uid = (prefix: string) => `${prefix}-${++counter}`;

  beforeAll(async () => {
    inboxId = (await insertInbox(store.db.db, { name: 'Batch' })).id;
  });

  /** A visitor with a conversation (its first message, seq 1). */
  async function conversationOfNewVisitor() {
    const visitor = await insertVisitor(store.db.db, { inboxId });
    const first = await sendVisitorMessage(store.db, { visitorId: visitor.id, visitorName: null, inboxId, clientMsgId: uid('c'), body: 'first' });
    return { visitorId: visitor.id, conversationId: first.conversation.id };
  }
  const send = (to: { visitorId: string; conversationId: string }, body: string, clientMsgId = uid('c')) =>
    sendPlainVisitorMessage(store.db, { ...to, inboxId, clientMsgId, body, bodyLength: body.length });
  const bodiesOf = async (conversationId: string) => (await messagesAfter(store.db.db, conversationId, 0, 100, 'agent')).rows.map((m) => [m.seq, m.body]);

  it('stores sends made at once in few statements, each conversation in the order its sends arrived', async () => {
    const conversations = await Promise.all(Array.from({ length: 8 }, conversationOfNewVisitor));
    // Five messages into each of eight conversations, all asked for in the same turn.
    const sends = conversations.flatMap((to, c) => Array.from({ length: 5 }, (_, i) => send(to, `c${c} m${i}`)));
    const outcomes = await Promise.all(sends);
    expect(outcomes.every((o) => o?.created)).toBe(true);
    for (const [c, to] of conversations.entries()) {
      expect(await bodiesOf(to.conversationId)).toEqual([[1, 'first'], ...Array.from({ length: 5 }, (_, i) => [i + 2, `c${c} m${i}`])]);
    }
    // Each statement is a transaction of its own (xmin): 40 sends took far fewer than 40.
    const ids = outcomes.map((o) => o!.message.id);
    const { rows } = await sql<{ statements: number }>`select count(distinct xmin::text)::int as statements from messages where id in (${sql.join(ids)})`.execute(store.db.db);
    expect(rows[0]!.statements).toBeLessThan(20);
  });

  it('answers a repeat in a group with the original, and stores the others of its group', async () => {
    const conversations = await Promise.all(Array.from({ length: 7 }, conversationOfNewVisitor));
    const repeated = uid('c');
    const original = await send(conversations[0]!, 'once', repeated);
    // The first two sends run at once (two statements in flight); the rest, the repeat among them, gather behind them.
    const others = conversations.slice(1).map((to, i) => () => send(to, `c${i + 1}`));
    const outcomes = await Promise.all([...others.slice(0, 3).map((s) => s()), send(conversations[0]!, 'once', repeated), ...others.slice(3).map((s) => s())]);
    expect(outcomes[3]).toMatchObject({ created: false, message: { id: original!.message.id, body: 'once' } });
    expect(outcomes.filter((o) => o?.created)).toHaveLength(6);
    for (const [c, to] of conversations.entries()) {
      expect(await bodiesOf(to.conversationId)).toEqual([
        [1, 'first'],
        [2, c === 0 ? 'once' : `c${c}`],
      ]);
    }
  });

  it('leaves a send whose checks fail to the general path, and stores the rest of its group', async () => {
    const conversations = await Promise.all(Array.from({ length: 4 }, conversationOfNewVisitor));
    const stranger = await insertVisitor(store.db.db, { inboxId });
    const outcomes = await Promise.all([
      ...conversations.map((to, c) => send(to, `c${c}`)),
      send({ visitorId: stranger.id, conversationId: conversations[3]!.conversationId }, 'not mine'),
    ]);
    expect(outcomes.slice(0, 4).every((o) => o?.created)).toBe(true);
    expect(outcomes[4]).toBeUndefined();
    expect(await bodiesOf(conversations[3]!.conversationId)).toEqual([
      [1, 'first'],
      [2, 'c3'],
    ]);
  });
});
