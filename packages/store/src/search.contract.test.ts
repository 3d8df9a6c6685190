import { rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import SQLite from 'better-sqlite3';
import { CompiledQuery, sql } from 'kysely';
import { openDatabase, type Database } from './database.js';
import { createTestStore, type TestStore } from './testing.js';
import { bootstrapStore, insertInbox, insertVisitor, searchConversations, sendVisitorMessage } from './index.js';
import { searchIndexFile, startSearchIndex, type SearchIndex } from './search-index.js';
import { matchesPhrases, searchGroups, snippetOf } from './search-text.js';

let counter = 0;
const uid = (prefix: string) => `${prefix}-${++counter}`;
const storeFileOf = (store: TestStore): string => {
  if (store.config.kind !== 'sqlite') throw new Error('not a SQLite store');
  return store.config.file;
};

describe('search text', () => {
  it.each([
    ['Refund please', [['refund'], ['please']]],
    ['我想退款', [['我', '想', '退', '款']]],
    ['订单ABC-123 退款', [['订', '单', 'abc', '123'], ['退', '款']]],
    ['ana@example.com', [['ana', 'example', 'com']]],
    ['"*) OR (', [['or']]],
    ['%_', []],
  ])('splits %j into %j', (query, groups) => {
    expect(searchGroups(query)).toEqual(groups);
  });

  it.each([
    ['我想退款', '退款', true],
    ['退货和付款', '退款', false],
    ['Order ABC-123 please', 'abc-12', true],
    ['Order ABC 9 123', 'abc-123', false],
    ['refunds', 'REFUND', true],
    ['unrefund', 'refund', false],
  ])('matchesPhrases(%j, %j) is %j', (body, query, expected) => {
    expect(matchesPhrases(body, searchGroups(query))).toBe(expected);
  });

  it('cuts long bodies around the first match', () => {
    const body = `${'a '.repeat(300)}needle${' b'.repeat(300)}`;
    const snippet = snippetOf(body, [['needle']], 50);
    expect(snippet).toContain('needle');
    expect(snippet.length).toBeLessThanOrEqual(52);
    expect(snippetOf('short', [['x']], 50)).toBe('short');
  });
});

describe.each(['sqlite', 'postgres'] as const)('search contract on %s', (kind) => {
  let test: TestStore;
  let db: Database;
  let inboxId: string;
  let otherInboxId: string;
  const ids: Record<string, string> = {};

  const conversationOf = async (inbox: string, visitor: { name?: string; email?: string }, ...bodies: string[]) => {
    const v = await insertVisitor(db.db, { inboxId: inbox, ...visitor });
    let conversationId: string | undefined;
    for (const body of bodies) {
      const out = await sendVisitorMessage(db, { visitorId: v.id, inboxId: inbox, clientMsgId: uid('c'), body, conversationId });
      conversationId = out.conversation.id;
    }
    return conversationId!;
  };
  const search = async (query: string, inboxIds = [inboxId], extra: { cursor?: string; limit?: number } = {}) => {
    const page = await searchConversations(db, { query, inboxIds, limit: extra.limit ?? 20, cursor: extra.cursor, snippetLength: 200 });
    if (!page) throw new Error('cursor refused');
    return page;
  };
  const storeFile = () => storeFileOf(test);
  const hitsOf = async (query: string, inboxIds = [inboxId]) =>
    (await search(query, inboxIds)).rows.map((r) => [r.conversation.id, r.field] as const);

  beforeAll(async () => {
    test = await createTestStore(kind);
    db = openDatabase(test.config);
    await bootstrapStore(db, { adminEmail: 'admin@kefu.local', adminPassword: 'secret-pass', hashPassword: async (p) => `h:${p}` });
    inboxId = (await insertInbox(db.db, { name: 'Shop' })).id;
    otherInboxId = (await insertInbox(db.db, { name: 'Elsewhere' })).id;
    ids.refund = await conversationOf(inboxId, { name: 'Ana Lima', email: 'ana@example.com' }, 'Hello', 'I want a REFUND for order 4711');
    ids.chinese = await conversationOf(inboxId, { name: '王小明', email: 'wang@example.cn' }, '你好，我想退款。订单号是ABC-123');
    ids.mixed = await conversationOf(inboxId, { name: 'Bo' }, '退货和付款的问题', 'shipping <b>late</b>');
    ids.hidden = await conversationOf(otherInboxId, { name: 'Ana Hidden' }, 'refund elsewhere 退款');
  });
  afterAll(async () => {
    await db.close();
    await test.drop();
  });

  it('finds English words in any case, and word prefixes', async () => {
    expect(await hitsOf('refund')).toEqual([[ids.refund, 'message']]);
    expect(await hitsOf('Refu')).toEqual([[ids.refund, 'message']]);
    expect(await hitsOf('order 4711')).toEqual([[ids.refund, 'message']]);
    expect(await hitsOf('refund 9999')).toEqual([]);
    const [hit] = (await search('refund')).rows;
    expect(hit).toMatchObject({ field: 'message', text: 'I want a REFUND for order 4711', seq: 2, messageId: expect.any(String) });
  });

  it('finds Chinese text as adjacent characters, not characters anywhere', async () => {
    expect(await hitsOf('退款')).toEqual([[ids.chinese, 'message']]);
    expect(await hitsOf('订单号')).toEqual([[ids.chinese, 'message']]);
    expect(await hitsOf('退')).toEqual(expect.arrayContaining([[ids.chinese, 'message'], [ids.mixed, 'message']]));
    expect(await hitsOf('abc 退款')).toEqual([[ids.chinese, 'message']]);
  });

  it('finds shoppers by name or email, as a substring in any case, Chinese names too', async () => {
    expect(await hitsOf('ana li')).toEqual([[ids.refund, 'name']]);
    expect(await hitsOf('EXAMPLE.CN')).toEqual([[ids.chinese, 'email']]);
    expect(await hitsOf('小明')).toEqual([[ids.chinese, 'name']]);
    // LIKE's wildcards are literal characters in a query.
    expect(await hitsOf('a%a')).toEqual([]);
  });

  // Set by hand, so that the order does not depend on the clock: the older conversation has the newer message.
  it('lists shopper matches newest conversation first, whatever their latest message, in one inbox or several', async () => {
    const [first, second] = [(await insertInbox(db.db, { name: 'People 1' })).id, (await insertInbox(db.db, { name: 'People 2' })).id];
    const older = await conversationOf(first, { name: 'Zoltan Older' }, 'hi');
    const newer = await conversationOf(second, { name: 'Zoltan Newer' }, 'hi');
    const times = { [older]: ['2026-01-01T00:00:00.000Z', '2026-01-03T00:00:00.000Z'], [newer]: ['2026-01-02T00:00:00.000Z', '2026-01-02T00:00:00.000Z'] };
    for (const [id, [created, updated]] of Object.entries(times)) {
      await db.db.updateTable('conversations').set({ created_at: created!, updated_at: updated! }).where('id', '=', id).execute();
    }
    expect(await hitsOf('zoltan', [first, second])).toEqual([[newer, 'name'], [older, 'name']]);
    expect(await hitsOf('zoltan', [first])).toEqual([[older, 'name']]);
  });

  it('searches the given inboxes only', async () => {
    expect(await hitsOf('refund', [otherInboxId])).toEqual([[ids.hidden, 'message']]);
    expect(await hitsOf('ana', [otherInboxId])).toEqual([[ids.hidden, 'name']]);
    expect(await hitsOf('refund', [])).toEqual([]);
  });

  it('returns message matches newest first, page by page, with no repeat', async () => {
    const inbox = (await insertInbox(db.db, { name: 'Paging' })).id;
    const conversation = await conversationOf(inbox, {}, ...Array.from({ length: 7 }, (_, i) => `parcel number ${i}`));
    const seen: number[] = [];
    let cursor: string | undefined;
    do {
      const page = await search('parcel', [inbox], { cursor, limit: 3 });
      seen.push(...page.rows.map((r) => r.seq!));
      expect(page.rows.every((r) => r.conversation.id === conversation)).toBe(true);
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
    expect(seen).toEqual([7, 6, 5, 4, 3, 2, 1]);
    expect(await searchConversations(db, { query: 'parcel', inboxIds: [inbox], limit: 3, cursor: 'forged', snippetLength: 200 })).toBeNull();
  });

  it('indexes on SQLite in a file of its own, which the store never waits for (PostgreSQL on insert)', async () => {
    const inbox = (await insertInbox(db.db, { name: 'Own file' })).id;
    // Another connection holds the index's file for writing: the store's sends go on all the same.
    const locker = kind === 'sqlite' ? new SQLite(searchIndexFile(storeFile())) : undefined;
    locker?.exec('begin immediate');
    try {
      await conversationOf(inbox, {}, 'tundra one', 'tundra two', 'tundra three');
    } finally {
      locker?.exec('commit');
      locker?.close();
    }
    expect((await search('tundra', [inbox])).rows.map((r) => r.text)).toEqual(['tundra three', 'tundra two', 'tundra one']);
  });

  it('uses the full-text index, not a scan of every message', async () => {
    const plan =
      kind === 'sqlite'
        ? db.searchIndex!.read<{ detail: string }>(sql`explain query plan select message_id from search.messages_fts where messages_fts match ${'"refund"*'}`.compile(db.db)).map((r) => r.detail).join('\n')
        : (await sql<{ 'QUERY PLAN': string }>`explain select id from messages m where to_tsvector('simple', kefu_search_text(m.body)) @@ to_tsquery('simple', 'refund:*') and m.kind <> 'event'`.execute(db.db)).rows.map((r) => r['QUERY PLAN']).join('\n');
    expect(plan).toMatch(kind === 'sqlite' ? /VIRTUAL TABLE INDEX/ : /messages_search/);
  });
});

describe('the SQLite search index in its file', () => {
  const HOUR = 3_600_000;
  let test: TestStore;
  let file: string;
  let messages: number;

  beforeAll(async () => {
    test = await createTestStore('sqlite');
    file = storeFileOf(test);
    const db = openDatabase(test.config);
    // Before the store's first migration there is nothing to index, and no error.
    expect(await db.searchIndex!.catchUp()).toBe(0);
    await db.migrate();
    const inboxId = (await insertInbox(db.db, { name: 'Rebuilt' })).id;
    const visitor = await insertVisitor(db.db, { inboxId });
    let conversationId: string | undefined;
    for (const word of ['one', 'two', 'three', 'four', 'five']) {
      conversationId = (await sendVisitorMessage(db, { visitorId: visitor.id, inboxId, clientMsgId: `glacier-${word}`, body: `glacier ${word}`, conversationId })).conversation.id;
    }
    messages = Number((await sql<{ n: number }>`select count(*) as n from messages`.execute(db.db)).rows[0]!.n);
    await db.searchIndex!.catchUp();
    await db.close();
  });
  afterAll(() => test.drop());

  const glaciers = (index: SearchIndex) => index.read<{ message_id: string }>(CompiledQuery.raw(`select message_id from search.messages_fts where messages_fts match 'glacier'`)).length;

  it('keeps its watermark: opened again, it has nothing to catch up', async () => {
    const index = startSearchIndex(file, { intervalMs: HOUR });
    try {
      expect(await index.catchUp()).toBe(0);
      expect(glaciers(index)).toBe(5);
    } finally {
      await index.stop();
    }
  });

  it('answers catch-ups with an error when its worker fails, and the process goes on', async () => {
    const unhandled: unknown[] = [];
    const record = (reason: unknown) => void unhandled.push(reason);
    process.on('unhandledRejection', record);
    try {
      // The worker cannot create the index's file: its directory does not exist.
      const index = startSearchIndex(join(tmpdir(), 'kefu-no-such-dir', 'kefu.db'), { intervalMs: HOUR });
      await expect(index.catchUp()).rejects.toThrow(/search index/);
      await expect(index.catchUp()).rejects.toThrow(/search index/);
      await index.stop();
      await new Promise((resolve) => setTimeout(resolve, 50));
      expect(unhandled).toEqual([]);
    } finally {
      process.off('unhandledRejection', record);
    }
  });

  it('rebuilds a missing index from the store, a step at a time', async () => {
    for (const suffix of ['', '-wal', '-shm']) rmSync(`${searchIndexFile(file)}${suffix}`, { force: true });
    const index = startSearchIndex(file, { intervalMs: HOUR, step: 2 });
    try {
      expect(await index.catchUp()).toBe(messages);
      expect(glaciers(index)).toBe(5);
    } finally {
      await index.stop();
    }
  });
});

