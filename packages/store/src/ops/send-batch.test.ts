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

  it('starts a second statement beside the one in flight only when enough sends wait for it', async () => {
    const statementsOf = async (outcomes: Awaited<ReturnType<typeof send>>[]) => {
      const ids = outcomes.map((o) => o!.message.id);
      const { rows } = await sql<{ statements: number }>`select count(distinct xmin::text)::int as statements from messages where id in (${sql.join(ids)})`.execute(store.db.db);
      return rows[0]!.statements;
    };
    // Three at once: the first alone, the other two together once it has committed (not a second statement at once).
    const three = await Promise.all(Array.from({ length: 3 }, conversationOfNewVisitor));
    expect(await statementsOf(await Promise.all(three.map((to, c) => send(to, `three ${c}`))))).toBe(2);
    // Six at once: the first alone; the next four start a second statement while it is in flight (with
    // one statement at most they would have waited, and gone with the sixth); the sixth waits for a third.
    const six = await Promise.all(Array.from({ length: 6 }, conversationOfNewVisitor));
    const outcomes = await Promise.all(six.map((to, c) => send(to, `six ${c}`)));
    expect(await statementsOf(outcomes.slice(1, 5))).toBe(1);
    expect(await statementsOf(outcomes)).toBe(3);
  });

  it('answers a repeat in a group with the original, and stores the others of its group', async () => {
    const conversations = await Promise.all(Array.from({ length: 7 }, conversationOfNewVisitor));
    const repeated = uid('c');
    const original = await send(conversations[0]!, 'once', repeated);
    // The first send runs at once; the others gather behind it, and the first four of them, the repeat among them, start a second statement.
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
