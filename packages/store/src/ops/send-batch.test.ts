import { describe, expect, it } from '@jest/globals';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { sql } from 'kysely';
import { insertAgent } from '../repos/agents.js';
import { updateConversationRow } from '../repos/conversations.js';
import { plainSends } from '../test-plain-sends.js';

/** PostgreSQL: one-statement sends that arrive together are stored together (send-batch.ts). */
describe('grouped one-statement sends on postgres', () => {
  const { store, uid, newVisitor, conversationOfNewVisitor, send, bodiesOf } = plainSends('postgres');

  /** How many statements (each a transaction of its own: xmin) stored these sends. */
  const statementsOf = async (outcomes: Awaited<ReturnType<typeof send>>[]) => {
    const ids = outcomes.map((o) => o!.message.id);
    const { rows } = await sql<{ statements: number }>`select count(distinct xmin::text)::int as statements from messages where id in (${sql.join(ids)})`.execute(store.db.db);
    return rows[0]!.statements;
  };

  it('stores sends made at once in few statements, each conversation in the order its sends arrived', async () => {
    const conversations = await Promise.all(Array.from({ length: 8 }, conversationOfNewVisitor));
    // Five messages into each of eight conversations, all asked for in the same turn.
    const sends = conversations.flatMap((to, c) => Array.from({ length: 5 }, (_, i) => send(to, `c${c} m${i}`)));
    const outcomes = await Promise.all(sends);
    expect(outcomes.every((o) => o?.created)).toBe(true);
    for (const [c, to] of conversations.entries()) {
      expect(await bodiesOf(to.conversationId)).toEqual([[1, 'first'], ...Array.from({ length: 5 }, (_, i) => [i + 2, `c${c} m${i}`])]);
    }
    // The eight conversations' sends went together, one of each conversation a statement: five statements for 40 sends.
    expect(await statementsOf(outcomes)).toBe(5);
  });

  it('answers each send of a statement with its own sender and assignee', async () => {
    const people = [{ name: 'Mei', email: 'mei@x.test' }, { name: 'Ola', email: null }, { name: null, email: 'anon@x.test' }];
    const to = await Promise.all(people.map((person) => conversationOfNewVisitor(person)));
    const agent = (name: string) => insertAgent(store.db.db, { email: `${uid(name)}@x.test`, name, passwordHash: 'h', role: 'agent', capacity: 5 });
    const [ana, bo] = [await agent('Ana'), await agent('Bo')];
    await store.db.db.updateTable('agents').set({ avatar_url: 'https://cdn.test/ana.png' }).where('id', '=', ana.id).execute();
    await updateConversationRow(store.db.db, to[0]!.conversationId, { status: 'open', assignee_id: ana.id });
    await updateConversationRow(store.db.db, to[1]!.conversationId, { status: 'open', assignee_id: bo.id });
    const outcomes = await Promise.all(to.map((recipient, i) => send(recipient, `hello ${i}`)));
    expect(await statementsOf(outcomes)).toBe(1);
    expect(outcomes.map((o) => o!.sender)).toEqual(to.map((recipient, i) => ({ id: recipient.visitorId, ...people[i] })));
    expect(outcomes.map((o) => o!.message.author_name)).toEqual(['Mei', 'Ola', null]);
    expect(outcomes.map((o) => o!.assignee)).toEqual([{ name: 'Ana', avatarUrl: 'https://cdn.test/ana.png' }, { name: 'Bo' }, null]);
    expect(outcomes.map((o) => [o!.conversation.id, o!.conversation.last_message_body])).toEqual(to.map((recipient, i) => [recipient.conversationId, `hello ${i}`]));
  });

  it('stores the sends asked for in one turn in one statement', async () => {
    const three = await Promise.all(Array.from({ length: 3 }, conversationOfNewVisitor));
    expect(await statementsOf(await Promise.all(three.map((to, c) => send(to, `three ${c}`))))).toBe(1);
  });

  it('starts a second statement beside the one in flight only when enough sends wait for it', async () => {
    const [held, ...others] = await Promise.all(Array.from({ length: 5 }, conversationOfNewVisitor));
    // A transaction of its own holds the first conversation's row: the statement that sends into it stays in flight.
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    let lockTaken!: () => void;
    const locked = new Promise<void>((resolve) => (lockTaken = resolve));
    const holder = store.db.db.transaction().execute(async (tx) => {
      await sql`select id from conversations where id = ${held!.conversationId} for update`.execute(tx);
      lockTaken();
      await released;
    });
    await locked;
    const first = send(held!, 'held');
    await nextTurn();
    // Three in one turn are fewer than SECOND_AT: they wait for the statement in flight...
    const three = others.slice(0, 3).map((to, c) => send(to, `three ${c}`));
    await nextTurn();
    // ...until a fourth, in a later turn, makes enough: a second statement takes the four while the first still waits.
    const four = await Promise.all([...three, send(others[3]!, 'fourth')]);
    expect(await statementsOf(four)).toBe(1);
    release();
    await holder;
    expect(await statementsOf([await first, ...four])).toBe(2);
  });

  it('answers a repeat in a group with the original, and stores the others of its group', async () => {
    const conversations = await Promise.all(Array.from({ length: 7 }, conversationOfNewVisitor));
    const repeated = uid('c');
    const original = await send(conversations[0]!, 'once', repeated);
    // The seven asked for in one turn go into one statement; the repeat fails it, and each then runs alone.
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
