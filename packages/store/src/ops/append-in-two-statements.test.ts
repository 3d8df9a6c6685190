import { describe, expect, it } from '@jest/globals';
import type { Database } from '../database.js';
import { plainSends } from '../test-plain-sends.js';

/** The store as it is, counting the writes it hands to its writer. */
let written = 0;
const counted = (db: Database): Database => ({
  ...db,
  writeInTurn: (statements) => {
    const write = db.writeInTurn!(statements);
    return (params) => {
      written++;
      return write(params);
    };
  },
});

/** SQLite: the short path's sends are stored by the writer (sqlite-writer.ts), in turn with the transactions. */
describe('plain sends on sqlite', () => {
  const { newVisitor, conversationOfNewVisitor, send, bodiesOf } = plainSends('sqlite', counted);

  it('stores sends made at once by the writer, each conversation in the order its sends arrived', async () => {
    const conversations = await Promise.all(Array.from({ length: 4 }, conversationOfNewVisitor));
    written = 0;
    const outcomes = await Promise.all(conversations.flatMap((to, c) => Array.from({ length: 3 }, (_, i) => send(to, `c${c} m${i}`))));
    expect(written).toBe(12);
    expect(outcomes.map((o) => [o?.created, o?.message.seq, o?.conversation.last_seq, o?.conversation.unread])).toEqual(
      conversations.flatMap(() => [2, 3, 4].map((seq) => [true, seq, seq, seq])),
    );
    for (const [c, to] of conversations.entries()) {
      expect(await bodiesOf(to.conversationId)).toEqual([[1, 'first'], ...Array.from({ length: 3 }, (_, i) => [i + 2, `c${c} m${i}`])]);
    }
  });

  it('answers a repeated clientMsgId with the original: the unique key fails in the writer, and its error comes back', async () => {
    const to = await conversationOfNewVisitor();
    const original = await send(to, 'once', 'repeated-id');
    const [again, next] = await Promise.all([send(to, 'once', 'repeated-id'), send(to, 'after')]);
    expect(again).toMatchObject({ created: false, message: { id: original!.message.id, seq: 2 } });
    expect(next).toMatchObject({ created: true, message: { seq: 3 } });
    expect(await bodiesOf(to.conversationId)).toEqual([
      [1, 'first'],
      [2, 'once'],
      [3, 'after'],
    ]);
  });

  it('leaves a send whose checks fail to the general path, having written nothing for it', async () => {
    const to = await conversationOfNewVisitor();
    const stranger = await newVisitor();
    written = 0;
    expect(await send({ visitorId: stranger.id, conversationId: to.conversationId }, 'not mine')).toBeUndefined();
    expect(written).toBe(1);
    expect(await bodiesOf(to.conversationId)).toEqual([[1, 'first']]);
  });
});
