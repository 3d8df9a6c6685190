import { describe, expect, it } from '@jest/globals';
import { sql } from 'kysely';
import { plainSends } from '../test-plain-sends.js';

/** PostgreSQL: one-statement sends that arrive together are stored together (send-batch.ts). */
describe('grouped one-statement sends on postgres', () => {
  const { store, uid, newVisitor, conversationOfNewVisitor, send, bodiesOf } = plainSends('postgres');

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
    const stranger = await newVisitor();
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
