import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { countCharacters, sortQueue } from '@kefu/core';
import { KefuError } from '@kefu/protocol';
import { CompiledQuery, sql } from 'kysely';
import { openDatabase, type Database, type Executor } from './database.js';
import { createTestStore, terminateConnections, type TestStore } from './testing.js';
import { emptyChanges } from './ops/changes.js';
import { drainQueues } from './ops/drain.js';
import { isConnectionLoss, isUniqueViolation } from './util.js';
import { listConversations, listPageQuery, type ConversationRow } from './repos/conversations.js';
import {
  assignConversation,
  bootstrapStore,
  drainAutoInboxes,
  currentConversationOf,
  findConversation,
  findInboxByKey,
  inboxIdsOfAgents,
  insertInbox,
  insertAgent,
  insertAttachment,
  insertVisitor,
  senderQuery,
  updateConversationRow,
  updateInboxRow,
  markAgentsOffline,
  messagesAfter,
  messagesBefore,
  queueInfoOf,
  queuePlaceOf,
  listAgentRows,
  sendAgentMessage,
  sendVisitorMessage,
  sendPlainVisitorMessage,
  setConversationStatus,
  queueEntryOf,
  setMemberships,
  toMessages,
  updateAgentPresence,
  assignmentsOf,
  loadsOf,
} from './index.js';

const hash = async (p: string) => `hashed:${p}`;
let counter = 0;
const uid = (prefix: string) => `${prefix}-${++counter}`;

describe.each(['sqlite', 'postgres'] as const)('store contract on %s', (kind) => {
  let test: TestStore;
  let db: Database;
  let inboxId: string;

  beforeAll(async () => {
    test = await createTestStore(kind);
    db = openDatabase(test.config);
    await bootstrapStore(db, { adminEmail: 'admin@kefu.local', adminPassword: 'secret-pass', hashPassword: hash });
    expect(await findInboxByKey(db.db, 'demo')).toMatchObject({ name: 'Demo Shop', routing: 'auto' });
  });
  afterAll(async () => {
    await db.close();
    await test.drop();
  });

  // Each test gets an inbox of its own, so queues and agents of one test never meet another's.
  beforeEach(async () => {
    inboxId = (await insertInbox(db.db, { name: uid('Inbox') })).id;
  });
  const newVisitor = () => insertVisitor(db.db, { inboxId });
  // As the server sends: into a named conversation, the short path (sendPlainVisitorMessage) first.
  const sendAsVisitor = async (visitorId: string, body: string, extra: { conversationId?: string; clientMsgId?: string } = {}) => {
    const clientMsgId = extra.clientMsgId ?? uid('c');
    const { conversationId } = extra;
    const quick = conversationId
      ? await sendPlainVisitorMessage(db, { visitorId, inboxId, conversationId, clientMsgId, body, bodyLength: countCharacters(body) })
      : undefined;
    return quick ?? sendVisitorMessage(db, { visitorId, inboxId, clientMsgId, body, conversationId });
  };
  async function newAgent(capacity = 2, online = true) {
    const agent = await insertAgent(db.db, { email: `${uid('a')}@x.test`, name: uid('Agent'), passwordHash: 'h', role: 'agent', capacity });
    await setMemberships(db.db, agent.id, [inboxId]);
    if (online) await updateAgentPresence(db, agent.id, { connected: true, status: 'online' });
    return agent;
  }

  it('bootstraps once: admin, demo inbox, shared secret', async () => {
    const again = await bootstrapStore(db, { adminEmail: 'other@kefu.local', hashPassword: hash });
    expect(again.createdAdmin).toBeNull();
    expect(again.adminPasswordIgnored).toBe(false);
    // A password given for a store that already has its admin changes nothing, and says so.
    const withPassword = await bootstrapStore(db, { adminEmail: 'other@kefu.local', adminPassword: 'another-pass', hashPassword: hash });
    expect(withPassword).toMatchObject({ createdAdmin: null, adminPasswordIgnored: true });
    const agents = await db.db.selectFrom('agents').select('email').execute();
    expect(agents.map((a) => a.email)).toContain('admin@kefu.local');
    expect(agents.map((a) => a.email)).not.toContain('other@kefu.local');
    expect(again.secret.length).toBeGreaterThan(20);
  });

  it('generates an admin password of letters and digits for an empty store, which a command line takes as a value', async () => {
    const fresh = await createTestStore(kind);
    const freshDb = openDatabase(fresh.config);
    try {
      const boot = await bootstrapStore(freshDb, { adminEmail: 'admin@kefu.local', hashPassword: hash });
      // base64url could start with '-', which `npm run demo -- --password …` read as an option.
      expect(boot.createdAdmin?.generatedPassword).toMatch(/^[0-9a-f]{24}$/);
    } finally {
      await freshDb.close();
      await fresh.drop();
    }
  });

  it('stores a first visitor message in a new queued conversation with seq 1', async () => {
    const visitor = await newVisitor();
    const out = await sendAsVisitor(visitor.id, 'hello');
    expect(out.createdConversation).toBe(true);
    expect(out.message).toMatchObject({ seq: 1, prev_public_seq: 0, body: 'hello', author_type: 'visitor' });
    expect(out.conversation).toMatchObject({ status: 'queued', last_seq: 1, last_public_seq: 1, unread: 1 });
  });

  it('starts one conversation for two first messages of one visitor sent on one node at once', async () => {
    const visitor = await insertVisitor(db.db, { inboxId });
    const send = (clientMsgId: string) => sendVisitorMessage(db, { visitorId: visitor.id, inboxId, clientMsgId, body: clientMsgId });
    const [one, two] = await Promise.all([send('tab-1'), send('tab-2')]);
    expect(one.conversation.id).toBe(two.conversation.id);
    expect([one.createdConversation, two.createdConversation].sort()).toEqual([false, true]);
    expect([one.message.seq, two.message.seq].sort()).toEqual([1, 2]);
  });

  it('stores and routes first messages that arrive together, and a failing one fails alone', async () => {
    const [fresh, refused, repeated] = await Promise.all([1, 2, 3].map(() => insertVisitor(db.db, { inboxId })));
    const stored = await sendVisitorMessage(db, { visitorId: repeated!.id, inboxId, clientMsgId: 'batch-repeat', body: 'first' });
    await updateConversationRow(db.db, stored.conversation.id, { status: 'resolved' });
    const [ok, tooLong, repeat] = await Promise.allSettled([
      sendVisitorMessage(db, { visitorId: fresh!.id, inboxId, clientMsgId: uid('c'), body: 'hello' }),
      sendVisitorMessage(db, { visitorId: refused!.id, inboxId, clientMsgId: uid('c'), body: 'x'.repeat(100_001) }),
      // Its conversation was resolved since: the repeat would start a new one, and its clientMsgId is taken.
      sendVisitorMessage(db, { visitorId: repeated!.id, inboxId, clientMsgId: 'batch-repeat', body: 'first' }),
    ]);
    expect(ok).toMatchObject({ status: 'fulfilled', value: { created: true, createdConversation: true } });
    expect(tooLong).toMatchObject({ status: 'rejected', reason: { code: 'too_large' } });
    expect(repeat).toMatchObject({ status: 'fulfilled', value: { created: false, message: { id: stored.message.id } } });
    expect((await currentConversationOf(db.db, refused!.id))).toBeUndefined();
  });

  it("checks a visitor's send against its sender and their inbox in its transaction, and stores nothing it refuses", async () => {
    await updateInboxRow(db.db, inboxId, { maxMessageLength: 5 });
    const visitor = await insertVisitor(db.db, { inboxId, name: 'Mei', email: 'mei@x.test' });
    const clientMsgId = uid('c');
    const first = await sendVisitorMessage(db, { visitorId: visitor.id, inboxId, clientMsgId, body: '  hi  ' });
    expect(first.message).toMatchObject({ body: 'hi', author_name: 'Mei' });
    expect(first.sender).toEqual({ id: visitor.id, name: 'Mei', email: 'mei@x.test' });

    const send = (fields: { visitorId?: string; inboxId?: string; body?: string }) =>
      sendVisitorMessage(db, { visitorId: visitor.id, inboxId, clientMsgId: uid('c'), body: 'fine', ...fields });
    await expect(send({ body: 'too long' })).rejects.toMatchObject({ code: 'too_large' });
    // Refused as such even under a clientMsgId already stored: its checks come before any repeat.
    await expect(sendVisitorMessage(db, { visitorId: visitor.id, inboxId, clientMsgId, body: 'too long' })).rejects.toMatchObject({ code: 'too_large' });
    await expect(sendVisitorMessage(db, { visitorId: visitor.id, inboxId, clientMsgId, body: '  hi  ' })).resolves.toMatchObject({ created: false, message: { id: first.message.id } });
    await expect(send({ body: ' ' })).rejects.toMatchObject({ code: 'bad_request' });
    await expect(send({ visitorId: 'nobody' })).rejects.toMatchObject({ code: 'not_found', message: 'visitor not found' });
    await expect(send({ inboxId: (await insertInbox(db.db, { name: uid('Other') })).id })).rejects.toMatchObject({ code: 'not_found', message: 'visitor not found' });
    await expect(send({ inboxId: 'gone' })).rejects.toMatchObject({ code: 'not_found', message: 'this inbox no longer exists' });
    const stored = await messagesAfter(db.db, first.conversation.id, 0, 100, 'agent');
    expect(stored.rows.map((m) => m.body)).toEqual(['hi']);
    expect(await db.db.selectFrom('conversations').select('id').where('visitor_id', '=', visitor.id).execute()).toHaveLength(1);
  });

  it('is idempotent per sender and clientMsgId, also under concurrency', async () => {
    const visitor = await newVisitor();
    const first = await sendAsVisitor(visitor.id, 'once', { clientMsgId: 'same' });
    const again = await sendAsVisitor(visitor.id, 'once', { clientMsgId: 'same' });
    expect(again.created).toBe(false);
    expect(again.message.id).toBe(first.message.id);
    const racing = await Promise.all(Array.from({ length: 8 }, () => sendAsVisitor(visitor.id, 'race', { clientMsgId: 'race' })));
    expect(new Set(racing.map((r) => r.message.id)).size).toBe(1);
    const stored = await messagesAfter(db.db, first.conversation.id, 0, 100, 'agent');
    expect(stored.rows.map((m) => m.body)).toEqual(['once', 'race']);
  });

  it('assigns gapless seqs to concurrent sends into one conversation', async () => {
    const visitor = await newVisitor();
    const { conversation } = await sendAsVisitor(visitor.id, 'first');
    await Promise.all(Array.from({ length: 40 }, (_, i) => sendAsVisitor(visitor.id, `m${i}`, { conversationId: conversation.id })));
    const { rows } = await messagesAfter(db.db, conversation.id, 0, 200, 'agent');
    expect(rows.map((m) => m.seq)).toEqual(Array.from({ length: 41 }, (_, i) => i + 1));
    // The summary moved with every one of them (on PostgreSQL each is one statement: lock, insert, update).
    expect(await findConversation(db.db, conversation.id)).toMatchObject({ last_seq: 41, last_public_seq: 41, unread: 41 });
  });

  it('gives every stored message a time-ordered id (UUID version 7): a first message, its routing line, the short path, a reply', async () => {
    const before = Date.now();
    const agent = await newAgent(5);
    const visitor = await newVisitor();
    const { conversation } = await sendAsVisitor(visitor.id, 'first');
    await sendAsVisitor(visitor.id, 'second', { conversationId: conversation.id });
    const routed = (await findConversation(db.db, conversation.id))!;
    await sendAgentMessage(db, { agent, conversation: routed, clientMsgId: uid('r'), body: 'reply', isPrivate: false });
    const after = Date.now();
    const { rows } = await messagesAfter(db.db, conversation.id, 0, 200, 'agent');
    expect(rows.map((m) => m.kind)).toEqual(['text', 'event', 'text', 'text']);
    for (const { id } of rows) {
      expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
      const madeAt = parseInt(id.slice(0, 8) + id.slice(9, 13), 16);
      expect(madeAt).toBeGreaterThanOrEqual(before);
      expect(madeAt).toBeLessThanOrEqual(after);
    }
  });

  it('interleaves visitor sends and agent replies into one gapless sequence, with prevSeq per audience', async () => {
    const agent = await newAgent(5);
    const visitor = await newVisitor();
    const { conversation } = await sendAsVisitor(visitor.id, 'first');
    const routed = (await findConversation(db.db, conversation.id))!;
    await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        i % 2 === 0
          ? sendAsVisitor(visitor.id, `v${i}`, { conversationId: conversation.id })
          : sendAgentMessage(db, { agent, conversation: routed, clientMsgId: uid('r'), body: `a${i}`, isPrivate: i % 4 === 1 }),
      ),
    );
    const { rows } = await messagesAfter(db.db, conversation.id, 0, 200, 'agent');
    expect(rows.map((m) => m.seq)).toEqual(Array.from({ length: rows.length }, (_, i) => i + 1));
    let lastPublic = 0;
    for (const row of rows) {
      expect(row.prev_public_seq).toBe(lastPublic);
      if (row.kind !== 'note') lastPublic = row.seq;
    }
    expect(await findConversation(db.db, conversation.id)).toMatchObject({ last_seq: rows.length, last_public_seq: lastPublic });
  });

  it('answers a repeated send into a named conversation with the original, and wakes a snoozed one', async () => {
    const agent = await newAgent(5);
    const visitor = await newVisitor();
    const { conversation } = await sendAsVisitor(visitor.id, 'first');
    const first = await sendAsVisitor(visitor.id, 'second', { conversationId: conversation.id, clientMsgId: 'repeat' });
    const again = await sendAsVisitor(visitor.id, 'second', { conversationId: conversation.id, clientMsgId: 'repeat' });
    expect(again).toMatchObject({ created: false, message: { id: first.message.id, seq: first.message.seq } });
    expect(first.changes.moved.has(conversation.id)).toBe(false);
    // The short path reads the assignee as visitors see them.
    expect(first.assignee).toEqual({ name: agent.name });
    await setConversationStatus(db, conversation.id, 'snoozed', new Date(Date.now() + 60_000).toISOString());
    const woke = await sendAsVisitor(visitor.id, 'third', { conversationId: conversation.id });
    expect(woke.conversation).toMatchObject({ status: 'open', assignee_id: agent.id, snooze_until: null, last_seq: woke.message.seq });
    expect(woke.changes.moved.has(conversation.id)).toBe(true);
  });

  it('short-path send: writes nothing and leaves it to the general path when a check fails', async () => {
    const visitor = await insertVisitor(db.db, { inboxId, name: 'Mei' });
    const { conversation } = await sendAsVisitor(visitor.id, 'first');
    const attempt = (extra: { inboxId?: string; visitorId?: string; bodyLength?: number }) =>
      sendPlainVisitorMessage(db, { visitorId: visitor.id, inboxId, conversationId: conversation.id, clientMsgId: uid('c'), body: 'x', bodyLength: 1, ...extra });
    const otherInbox = (await insertInbox(db.db, { name: uid('Other') })).id;
    const stranger = await newVisitor();
    expect(await attempt({ bodyLength: 100_000 })).toBeUndefined();
    expect(await attempt({ inboxId: otherInbox })).toBeUndefined();
    expect(await attempt({ visitorId: stranger.id })).toBeUndefined();
    expect((await findConversation(db.db, conversation.id))?.last_seq).toBe(1);
    const sent = await attempt({});
    expect(sent).toMatchObject({ created: true, message: { seq: 2, author_name: 'Mei' }, sender: { id: visitor.id, name: 'Mei', email: null } });
    // The conversation it answers with is the stored row, column for column.
    const { updated_at_if_resolved: _generated, ...stored } = await db.db.selectFrom('conversations').selectAll().where('id', '=', conversation.id).executeTakeFirstOrThrow();
    expect(sent!.conversation).toStrictEqual(stored);
  });

  // On PostgreSQL that is what lets the row be updated in place (HOT), with no new index entries:
  // a third of what a send costs it (migration 011).
  it('short-path send: changes no column an index of conversations covers', async () => {
    const visitor = await newVisitor();
    const { conversation } = await sendAsVisitor(visitor.id, 'first');
    // The next send may come within the same millisecond: updated_at is seen to move from an older time.
    await updateConversationRow(db.db, conversation.id, { updated_at: '2020-01-01T00:00:00.000Z' });
    const read = () => db.db.selectFrom('conversations').selectAll().where('id', '=', conversation.id).executeTakeFirstOrThrow();
    const before: Record<string, unknown> = await read();
    const sent = await sendPlainVisitorMessage(db, { visitorId: visitor.id, inboxId, conversationId: conversation.id, clientMsgId: uid('c'), body: 'again', bodyLength: 5 });
    expect(sent).toBeDefined();
    const after: Record<string, unknown> = await read();
    const changed = Object.keys(after).filter((column) => after[column] !== before[column]);
    expect(changed).toEqual(expect.arrayContaining(['last_seq', 'unread', 'updated_at']));
    expect(changed.filter((column) => indexedColumns.has(column))).toEqual([]);
  });
  let indexedColumns: Set<string>;
  beforeAll(async () => {
    if (kind === 'postgres') {
      // Every column an index reads: its keys, and those its expressions or its predicate (a partial
      // index, migration 014) name, by number in their node trees.
      const { rows } = await sql<{ column: string }>`
        select a.attname as column from pg_index i
        join pg_attribute a on a.attrelid = i.indrelid and a.attnum > 0
        where i.indrelid = 'conversations'::regclass
          and (a.attnum = any(i.indkey) or concat(i.indexprs::text, i.indpred::text) ~ (':varattno ' || a.attnum || ' '))`.execute(db.db);
      indexedColumns = new Set(rows.map((r) => r.column));
      expect(indexedColumns.has('updated_at_if_resolved')).toBe(true);
    } else {
      const { rows } = await sql<{ column: string }>`
        select c.name as column from pragma_index_list('conversations') l, pragma_index_info(l.name) c`.execute(db.db);
      indexedColumns = new Set(rows.map((r) => r.column));
    }
    expect(indexedColumns.has('status')).toBe(true);
  });

  it('pages the resolved list of several inboxes newest activity first, merged or through the desk\'s index alike', async () => {
    const inboxes = [inboxId, ...(await Promise.all([0, 1, 2].map(async () => (await insertInbox(db.db, { name: uid('Inbox') })).id)))];
    // Activity interleaved across the inboxes, and two conversations with the same time (the id breaks the tie).
    const times = ['2030-01-01T00:00:05.000Z', '2030-01-01T00:00:01.000Z', '2030-01-01T00:00:04.000Z', '2030-01-01T00:00:04.000Z', '2030-01-01T00:00:02.000Z', '2030-01-01T00:00:03.000Z'];
    const resolved: { id: string; at: string }[] = [];
    for (const [i, at] of times.entries()) {
      const visitor = await insertVisitor(db.db, { inboxId: inboxes[i % 3]! });
      const { conversation } = await sendVisitorMessage(db, { visitorId: visitor.id, inboxId: inboxes[i % 3]!, clientMsgId: uid('c'), body: 'hi' });
      await setConversationStatus(db, conversation.id, 'resolved');
      await db.db.updateTable('conversations').set({ updated_at: at }).where('id', '=', conversation.id).execute();
      resolved.push({ id: conversation.id, at });
    }
    const expected = resolved.sort((a, b) => b.at.localeCompare(a.at) || b.id.localeCompare(a.id)).map((c) => c.id);
    const pages = async (inboxIds: string[]) => {
      const seen: string[] = [];
      let cursor: string | undefined;
      do {
        const page = (await listConversations(db, { view: 'resolved', agentId: 'anyone', inboxIds, limit: 2, ...(cursor ? { cursor } : {}) }))!;
        seen.push(...page.rows.map((row) => row.id));
        cursor = page.nextCursor ?? undefined;
      } while (cursor && seen.length < 20);
      return seen;
    };
    // Four inboxes, one of them empty: a page of each, merged.
    expect(await pages(inboxes)).toEqual(expected);
    // More inboxes than are merged: the desk's index, each row's inbox tested.
    const many = [...inboxes, ...Array.from({ length: 10 }, (_, i) => `no-such-inbox-${i}`)];
    expect(await pages(many)).toEqual(expected);
  });

  // SQLite keeps no statistics in kefu's databases, so its plans are fixed: the resolved list, which
  // grows without end, is read in order through an index and stops at its page (migrations 011, 012).
  if (kind === 'sqlite') {
    const planOf = async (inboxIds: string[] | 'all') => {
      const page = listPageQuery(db, { view: 'resolved', agentId: 'anyone', inboxIds, limit: 50 }, ['2026-01-01T00:00:00.000Z', 'z']).compile();
      const { rows } = await db.db.executeQuery<{ id: number; parent: number; detail: string }>(CompiledQuery.raw(`explain query plan ${page.sql}`, [...page.parameters]));
      return rows;
    };
    it.each([
      ['one inbox', 'conversations_inbox_resolved_updated', () => [inboxId]],
      ['more inboxes than are merged', 'conversations_resolved_updated', () => [inboxId, ...Array.from({ length: 10 }, (_, i) => `inbox-${i}`)]],
      ['every inbox', 'conversations_resolved_updated', () => 'all' as const],
    ])('resolved list of %s: in order through %s, no sort', async (_, index, inboxIds) => {
      const plan = (await planOf(inboxIds())).map((row) => row.detail).join('\n');
      expect(plan).toContain(`USING INDEX ${index} `);
      expect(plan).not.toContain('TEMP B-TREE');
    });

    it('resolved list of several inboxes: a page of each, in order through its own index, then merged', async () => {
      const inboxIds = [inboxId, 'inbox-2', 'inbox-3'];
      const plan = await planOf(inboxIds);
      const searches = plan.filter((row) => row.detail.startsWith('SEARCH conversations'));
      expect(searches.map((row) => row.detail.split(' (')[0])).toEqual(inboxIds.map(() => 'SEARCH conversations USING INDEX conversations_inbox_resolved_updated'));
      // Only the merge sorts, and only the pages (a sort inside an inbox's read would sort all its rows).
      const readsOfAnInbox = new Set(plan.filter((row) => row.detail.startsWith('CO-ROUTINE')).map((row) => row.id));
      expect(readsOfAnInbox.size).toBe(inboxIds.length);
      expect(plan.filter((row) => row.detail.includes('TEMP B-TREE') && readsOfAnInbox.has(row.parent))).toEqual([]);
    });
  }

  // PostgreSQL has no statistics for a table that was never analyzed (no autovacuum, as on the test
  // machines, or a table younger than its first analyze), and then rates every index on a column alike:
  // a sender was looked up through the index that starts with their inbox, reading the inbox's visitors
  // one by one. That index holds the visitors with an external id only now, which a lookup by id does
  // not imply (migration 014).
  if (kind === 'postgres') {
    it("finds a message's sender by their id, not among their inbox's visitors, with no statistics", async () => {
      const visitors = [];
      for (let i = 0; i < 100; i++) visitors.push(await newVisitor());
      const query = senderQuery(db.db, visitors[50]!.id, inboxId).compile();
      const { rows } = await db.db.executeQuery<{ 'QUERY PLAN': string }>(CompiledQuery.raw(`explain ${query.sql}`, [...query.parameters]));
      const plan = rows.map((row) => row['QUERY PLAN']).join('\n');
      expect(plan).toContain('Index Scan using visitors_pkey');
      expect(plan).not.toContain('visitors_external_unique');
    });
  }

  it('keeps one visitor per external id in an inbox, and any number of anonymous ones', async () => {
    const otherInboxId = (await insertInbox(db.db, { name: uid('Inbox') })).id;
    await insertVisitor(db.db, { inboxId, externalId: 'customer-7' });
    const again = await insertVisitor(db.db, { inboxId, externalId: 'customer-7' }).catch((error: unknown) => error);
    expect(isUniqueViolation(again)).toBe(true);
    await expect(insertVisitor(db.db, { inboxId: otherInboxId, externalId: 'customer-7' })).resolves.toMatchObject({ external_id: 'customer-7' });
    await expect(Promise.all([newVisitor(), newVisitor()])).resolves.toHaveLength(2);
  });

  it('keeps private notes from visitors and skips them in prevSeq', async () => {
    const agent = await newAgent(5);
    const visitor = await newVisitor();
    const { conversation } = await sendAsVisitor(visitor.id, 'question');
    const routed = await findConversation(db.db, conversation.id);
    expect(routed?.assignee_id).toBe(agent.id);
    const note = await sendAgentMessage(db, { agent, conversation: routed!, clientMsgId: uid('n'), body: 'internal', isPrivate: true });
    const reply = await sendAgentMessage(db, { agent, conversation: routed!, clientMsgId: uid('r'), body: 'answer', isPrivate: false });
    expect(note.message.kind).toBe('note');
    expect(reply.message.prev_public_seq).toBe(note.message.seq - 1);
    const seen = await messagesAfter(db.db, conversation.id, 0, 100, 'visitor');
    expect(seen.rows.map((m) => m.kind)).not.toContain('note');
    const asVisitor = await toMessages(db.db, seen.rows, 'visitor');
    const last = asVisitor[asVisitor.length - 1]!;
    expect(last.body).toBe('answer');
    expect(last.prevSeq).toBe(note.message.seq - 1);
    expect(reply.conversation.first_response_at).not.toBeNull();
  });

  it('refuses a message to a resolved conversation and starts a new one without an id', async () => {
    const visitor = await newVisitor();
    const { conversation } = await sendAsVisitor(visitor.id, 'one');
    await setConversationStatus(db, conversation.id, 'resolved');
    await expect(sendAsVisitor(visitor.id, 'two', { conversationId: conversation.id })).rejects.toMatchObject({ code: 'conflict' });
    const fresh = await sendAsVisitor(visitor.id, 'three');
    expect(fresh.conversation.id).not.toBe(conversation.id);
    expect(fresh.createdConversation).toBe(true);
  });

  it('hides other visitors conversations as not_found', async () => {
    const a = await newVisitor();
    const b = await newVisitor();
    const { conversation } = await sendAsVisitor(a.id, 'mine');
    const peek = sendAsVisitor(b.id, 'peek', { conversationId: conversation.id });
    await expect(peek).rejects.toBeInstanceOf(KefuError);
    await expect(peek).rejects.toMatchObject({ code: 'not_found' });
    // Nothing of b's landed in a's conversation.
    const bodies = (await db.db.selectFrom('messages').select('body').where('conversation_id', '=', conversation.id).execute()).map((m) => m.body);
    expect(bodies).toEqual(['mine']);
  });

  it('routes to the least loaded online agent and never above capacity', async () => {
    const a = await newAgent(2);
    const b = await newAgent(2);
    const away = await newAgent(5);
    await updateAgentPresence(db, away.id, { status: 'away' });
    const visitors = await Promise.all(Array.from({ length: 6 }, () => newVisitor()));
    const outs = await Promise.all(visitors.map((v) => sendAsVisitor(v.id, 'help')));
    const loads = await loadsOf(db.db, [a.id, b.id, away.id]);
    expect(loads.get(a.id)).toBe(2);
    expect(loads.get(b.id)).toBe(2);
    expect(loads.get(away.id)).toBe(0);
    const queued = outs.filter((o) => o.conversation.status === 'queued');
    expect(queued).toHaveLength(2);
    const info = await queueInfoOf(db.db, inboxId);
    expect([...info.values()].map((q) => q.position).sort()).toEqual([1, 2]);
    const record = (await assignmentsOf(db.db, outs.find((o) => o.conversation.status === 'open')!.conversation.id))[0];
    expect(record?.reason.rule).toBe('auto_least_load');
    // Resolving frees capacity: the queue drains into it.
    const open = outs.find((o) => o.conversation.assignee_id === a.id)!;
    const resolved = await setConversationStatus(db, open.conversation.id, 'resolved');
    const drained = [...resolved.changes.conversations.values()].filter((c) => c.assignee_id === a.id && c.status === 'open');
    expect(drained).toHaveLength(1);
  });

  it('drains a queue into an agent who comes online: one record, one line and the next seq per conversation', async () => {
    const visitors = await Promise.all(Array.from({ length: 4 }, () => newVisitor()));
    const outs = [];
    for (const v of visitors) outs.push(await sendAsVisitor(v.id, 'anyone?'));
    expect(outs.every((o) => o.conversation.status === 'queued')).toBe(true);
    const agent = await newAgent(3);
    expect((await loadsOf(db.db, [agent.id])).get(agent.id)).toBe(3);
    const after = await Promise.all(outs.map((o) => findConversation(db.db, o.conversation.id)));
    const taken = after.filter((c) => c?.status === 'open');
    // In queue order: two conversations started in the same millisecond are ordered by id.
    const queue = sortQueue(outs.map((o) => queueEntryOf(o.conversation)));
    expect(taken.map((c) => c!.id).sort()).toEqual(queue.slice(0, 3).map((c) => c.id).sort());
    for (const conversation of taken) {
      const records = await assignmentsOf(db.db, conversation!.id);
      expect(records).toHaveLength(1);
      expect(records[0]).toMatchObject({ agentId: agent.id, reason: { rule: expect.stringMatching(/^auto_/) } });
      expect(records[0]!.waitSec).not.toBeNull();
      const { rows } = await messagesAfter(db.db, conversation!.id, 0, 10, 'agent');
      expect(rows.map((m) => [m.seq, m.kind, m.prev_public_seq])).toEqual([[1, 'text', 0], [2, 'event', 1]]);
      expect(conversation).toMatchObject({ assignee_id: agent.id, last_seq: 2, last_public_seq: 2, queued_at: null });
    }
    expect(after.find((c) => c!.id === queue[3]!.id)?.status).toBe('queued');
    const marked = await db.db.selectFrom('agents').select('last_assigned_at').where('id', '=', agent.id).executeTakeFirst();
    expect(marked?.last_assigned_at).not.toBeNull();
  });

  it('gives one drain’s conversations to several agents: each its own assignee, record, line and seq', async () => {
    const outs = [];
    for (let i = 0; i < 4; i++) outs.push(await sendAsVisitor((await newVisitor()).id, 'anyone?'));
    const agents = [await newAgent(2, false), await newAgent(2, false)];
    // Both come online without a drain of their own, so that one drain shares the queue between them.
    await db.db.updateTable('agents').set({ connected: 1, status: 'online' }).where('id', 'in', agents.map((a) => a.id)).execute();
    const changes = await drainAutoInboxes(db, [inboxId]);
    expect(changes.messages).toHaveLength(4);
    const loads = await loadsOf(db.db, agents.map((a) => a.id));
    expect(agents.map((a) => loads.get(a.id))).toEqual([2, 2]);
    for (const out of outs) {
      const conversation = (await findConversation(db.db, out.conversation.id))!;
      const agent = agents.find((a) => a.id === conversation.assignee_id)!;
      expect(conversation).toMatchObject({ status: 'open', last_seq: 2, last_public_seq: 2, queued_at: null, queue_key: null });
      expect((await assignmentsOf(db.db, conversation.id)).map((r) => r.agentId)).toEqual([agent.id]);
      const { rows } = await messagesAfter(db.db, conversation.id, 0, 10, 'agent');
      expect(rows.map((m) => [m.seq, m.kind, m.body])).toEqual([[1, 'text', 'anyone?'], [2, 'event', `${agent.name} joined the conversation`]]);
      expect(changes.conversations.get(conversation.id)).toMatchObject({ assignee_id: agent.id, last_seq: 2 });
    }
    // The drain read the candidates' rows: the visitors' views of their conversations need no read of their own.
    expect(Object.fromEntries(changes.assignees)).toEqual(Object.fromEntries(agents.map((a) => [a.id, { name: a.name }])));
  });

  it('a first message’s own drain assigns its new conversation (not locked: no one else sees it yet) and the older queued ones', async () => {
    const waiting = await sendAsVisitor((await newVisitor()).id, 'anyone?');
    expect(waiting.conversation.status).toBe('queued');
    // Online without a drain of their own: the next first message's drain finds the queue and the agent.
    const agent = await newAgent(2, false);
    await db.db.updateTable('agents').set({ connected: 1, status: 'online' }).where('id', '=', agent.id).execute();
    const started = await sendAsVisitor((await newVisitor()).id, 'hello');
    expect(started.conversation).toMatchObject({ status: 'open', assignee_id: agent.id, last_seq: 2 });
    for (const [id, body] of [[waiting.conversation.id, 'anyone?'], [started.conversation.id, 'hello']] as const) {
      expect(await findConversation(db.db, id)).toMatchObject({ status: 'open', assignee_id: agent.id, last_seq: 2, last_public_seq: 2, queued_at: null });
      const { rows } = await messagesAfter(db.db, id, 0, 10, 'agent');
      expect(rows.map((m) => [m.seq, m.kind, m.body])).toEqual([[1, 'text', body], [2, 'event', `${agent.name} joined the conversation`]]);
      expect((await assignmentsOf(db.db, id)).map((r) => r.agentId)).toEqual([agent.id]);
    }
    expect(started.changes.conversations.get(waiting.conversation.id)).toMatchObject({ assignee_id: agent.id, last_seq: 2 });
  });

  it('the sweeper’s drain (no inboxes named) finds the auto inboxes where someone waits, and leaves manual ones', async () => {
    const waiting = await sendAsVisitor((await newVisitor()).id, 'anyone?');
    const manual = await insertInbox(db.db, { name: uid('Manual'), routing: 'manual' });
    const manualVisitor = await insertVisitor(db.db, { inboxId: manual.id });
    const held = await sendVisitorMessage(db, { visitorId: manualVisitor.id, inboxId: manual.id, clientMsgId: uid('c'), body: 'hello?' });
    const agent = await newAgent(2, false);
    await setMemberships(db.db, agent.id, [inboxId, manual.id]);
    // Online without a drain of their own: only the sweeper's finds the queue.
    await db.db.updateTable('agents').set({ connected: 1, status: 'online' }).where('id', '=', agent.id).execute();
    const changes = await drainAutoInboxes(db);
    expect(changes.conversations.get(waiting.conversation.id)).toMatchObject({ status: 'open', assignee_id: agent.id });
    expect(changes.conversations.has(held.conversation.id)).toBe(false);
    expect(await findConversation(db.db, held.conversation.id)).toMatchObject({ status: 'queued', assignee_id: null });
  });

  it('an agent coming online drains their inboxes where someone waits, whichever of their inboxes it is', async () => {
    const quiet = await insertInbox(db.db, { name: uid('Quiet') });
    const waiting = await sendAsVisitor((await newVisitor()).id, 'still there?');
    const agent = await newAgent(2, false);
    await setMemberships(db.db, agent.id, [quiet.id, inboxId]);
    const changes = await updateAgentPresence(db, agent.id, { connected: true, status: 'online' });
    expect(changes.conversations.get(waiting.conversation.id)).toMatchObject({ status: 'open', assignee_id: agent.id });
  });

  it('lists each agent’s inboxes, and none for an agent of no inbox', async () => {
    const second = await insertInbox(db.db, { name: uid('Second') });
    const [both, one, none] = [await newAgent(2, false), await newAgent(2, false), await newAgent(2, false)];
    await setMemberships(db.db, both.id, [inboxId, second.id]);
    await setMemberships(db.db, none.id, []);
    const memberships = await inboxIdsOfAgents(db.db, [both.id, one.id, none.id]);
    expect([...(memberships.get(both.id) ?? [])].sort()).toEqual([inboxId, second.id].sort());
    expect(memberships.get(one.id)).toEqual([inboxId]);
    expect(memberships.has(none.id)).toBe(false);
  });

  it('keeps seqs gapless when visitors write into queued conversations while a drain assigns them', async () => {
    const visitors = await Promise.all(Array.from({ length: 8 }, () => newVisitor()));
    const outs = [];
    for (const v of visitors) outs.push(await sendAsVisitor(v.id, 'first'));
    const sends = outs.flatMap((o, i) =>
      Array.from({ length: 5 }, (_, k) => sendAsVisitor(visitors[i]!.id, `more ${k}`, { conversationId: o.conversation.id })),
    );
    const [agent] = await Promise.all([newAgent(8), ...sends]);
    expect((await loadsOf(db.db, [agent.id])).get(agent.id)).toBe(8);
    for (const out of outs) {
      const { rows } = await messagesAfter(db.db, out.conversation.id, 0, 50, 'agent');
      expect(rows.map((m) => m.seq)).toEqual(Array.from({ length: 7 }, (_, i) => i + 1));
      expect(rows.filter((m) => m.kind === 'event')).toHaveLength(1);
      rows.forEach((m, i) => expect(m.prev_public_seq).toBe(i));
      expect(await findConversation(db.db, out.conversation.id)).toMatchObject({ status: 'open', last_seq: 7, last_public_seq: 7 });
    }
  });

  it('reports a presence change once: a repeat (another tab, the sweeper marking back) is not news', async () => {
    const agent = await newAgent(2, false);
    const first = await updateAgentPresence(db, agent.id, { connected: true });
    expect([...first.presenceAgentIds]).toEqual([agent.id]);
    expect((await updateAgentPresence(db, agent.id, { connected: true })).presenceAgentIds.size).toBe(0);
    expect((await updateAgentPresence(db, agent.id, { status: 'online' })).presenceAgentIds.size).toBe(0);
    expect([...(await updateAgentPresence(db, agent.id, { status: 'away' })).presenceAgentIds]).toEqual([agent.id]);
    // {} re-runs routing after another change (capacity, inboxes): always published.
    expect([...(await updateAgentPresence(db, agent.id, {})).agentIds]).toEqual([agent.id]);
  });

  it('puts an offline agent’s open conversations back at the front of the queue', async () => {
    const waiting = await sendAsVisitor((await newVisitor()).id, 'already waiting');
    const agent = await newAgent(1);
    const mine = (await findConversation(db.db, waiting.conversation.id))!;
    expect(mine.assignee_id).toBe(agent.id);
    const later = await sendAsVisitor((await newVisitor()).id, 'queued behind');
    expect(later.conversation.status).toBe('queued');
    const changes = await markAgentsOffline(db, async (ids) => new Set(ids.filter((id) => id === agent.id)));
    const back = changes.conversations.get(mine.id);
    expect(back).toMatchObject({ status: 'queued', assignee_id: null });
    const info = await queueInfoOf(db.db, inboxId);
    expect(info.get(mine.id)?.position).toBe(1);
    expect(info.get(mine.id)?.estimatedWaitSec).toBeNull();
    expect(changes.messages.some((m) => m.kind === 'event' && m.conversation_id === mine.id)).toBe(true);
  });

  it('takes a whole shift offline at once: every open conversation back ahead of the waiting, the longest-open first', async () => {
    const shift = [await newAgent(2), await newAgent(2)];
    const served = [];
    for (let i = 0; i < 4; i++) served.push((await sendAsVisitor((await newVisitor()).id, `help ${i}`)).conversation);
    expect(served.map((c) => c.status)).toEqual(['open', 'open', 'open', 'open']);
    const before = new Map(served.map((c) => [c.id, c]));
    const waiting = await sendAsVisitor((await newVisitor()).id, 'still waiting');
    expect(waiting.conversation.status).toBe('queued');

    const changes = await markAgentsOffline(db, async (ids) => new Set(ids.filter((id) => shift.some((a) => a.id === id))));
    expect(new Set(changes.presenceAgentIds)).toEqual(new Set(shift.map((a) => a.id)));
    const requeued = served.map((c) => changes.conversations.get(c.id));
    expect(requeued.every((row) => row?.status === 'queued' && row.assignee_id === null)).toBe(true);
    // Each got its own line at its next seq, naming its own agent, and its record.
    for (const row of requeued) {
      const line = changes.messages.find((m) => m.conversation_id === row!.id);
      const agent = shift.find((a) => a.id === before.get(row!.id)!.assignee_id)!;
      expect(line).toMatchObject({ kind: 'event', seq: before.get(row!.id)!.last_seq + 1, body: `${agent.name} went offline; the conversation is back in the queue` });
      expect(row!.last_seq).toBe(line!.seq);
      expect((await assignmentsOf(db.db, row!.id)).map((a) => a.reason.rule)).toEqual(['auto_least_load', 'offline_requeue']);
    }
    // Ahead of the one already waiting, in the order they were opened.
    const info = await queueInfoOf(db.db, inboxId);
    const byPosition = served.map((c) => c.id).sort((a, b) => info.get(a)!.position - info.get(b)!.position);
    expect(byPosition.map((id) => info.get(id)!.position)).toEqual([1, 2, 3, 4]);
    expect(info.get(waiting.conversation.id)?.position).toBe(5);
    const openedAt = byPosition.map((id) => before.get(id)!.created_at);
    expect(openedAt).toEqual([...openedAt].sort());
    expect((await listAgentRows(db.db, shift.map((a) => a.id))).map((a) => a.connected)).toEqual([0, 0]);
  });

  it('counts one conversation’s place as the whole queue ranks it: priority, then key, then id', async () => {
    const places = (await insertInbox(db.db, { name: 'Places', routing: 'manual' })).id;
    const rows: ConversationRow[] = [];
    for (let i = 0; i < 8; i++) {
      const visitor = await insertVisitor(db.db, { inboxId: places });
      rows.push((await sendVisitorMessage(db, { visitorId: visitor.id, inboxId: places, clientMsgId: uid('place'), body: 'hi' })).conversation);
    }
    // Two share a key (their ids decide), two are raised (one of them shares that key too), one was put
    // back at the front, one is lowered, and one has only its queued_at.
    const key = '2026-01-01T10:00:00.000Z';
    const set = (i: number, values: { queue_key?: string | null; priority?: number }) => db.db.updateTable('conversations').set(values).where('id', '=', rows[i]!.id).execute();
    await set(0, { queue_key: key });
    await set(1, { queue_key: key });
    await set(2, { priority: 2 });
    await set(3, { priority: 2, queue_key: key });
    await set(4, { queue_key: '2025-12-31T23:59:59.999Z' });
    await set(5, { priority: -1 });
    await set(6, { queue_key: null });
    const info = await queueInfoOf(db.db, places);
    expect([...info.values()].map((q) => q.position).sort((a, b) => a - b)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    for (const row of rows) expect(await queuePlaceOf(db.db, (await findConversation(db.db, row.id))!)).toEqual(info.get(row.id));
    // One taken meanwhile has no place any more.
    await db.db.updateTable('conversations').set({ status: 'open' }).where('id', '=', rows[7]!.id).execute();
    expect(await queuePlaceOf(db.db, rows[7]!)).toBeNull();
  });

  it('lets agents claim free conversations and only owners or admins move them', async () => {
    const ana = await newAgent(3, false);
    const bob = await newAgent(3, false);
    const { conversation } = await sendAsVisitor((await newVisitor()).id, 'anyone?');
    const claimed = await assignConversation(db, { ...ana, role: 'agent' }, conversation.id, ana.id);
    expect(claimed.conversation).toMatchObject({ status: 'open', assignee_id: ana.id });
    await expect(assignConversation(db, { ...bob, role: 'agent' }, conversation.id, bob.id)).rejects.toMatchObject({ code: 'forbidden' });
    const moved = await assignConversation(db, { ...ana, role: 'agent' }, conversation.id, bob.id);
    expect(moved.conversation.assignee_id).toBe(bob.id);
    const requeued = await assignConversation(db, { ...bob, role: 'agent' }, conversation.id, null);
    expect(requeued.conversation).toMatchObject({ status: 'queued', assignee_id: null });
    expect((await assignmentsOf(db.db, conversation.id)).map((a) => a.reason.rule)).toEqual(['claim', 'transfer', 'requeue']);
  });

  it('a public reply to an unassigned conversation assigns the replier', async () => {
    const ana = await newAgent(3, false);
    const { conversation } = await sendAsVisitor((await newVisitor()).id, 'hi');
    const reply = await sendAgentMessage(db, { agent: ana, conversation, clientMsgId: uid('r'), body: 'hello!', isPrivate: false });
    expect(reply.conversation).toMatchObject({ assignee_id: ana.id, status: 'open' });
    expect(reply.changes.messages.map((m) => m.kind)).toEqual(['event', 'text']);
  });

  it('snoozes, wakes on a visitor message, pages history', async () => {
    const ana = await newAgent(3, false);
    const visitor = await newVisitor();
    const { conversation } = await sendAsVisitor(visitor.id, 'first');
    await assignConversation(db, { ...ana, role: 'agent' }, conversation.id, ana.id);
    await setConversationStatus(db, conversation.id, 'snoozed', new Date(Date.now() + 60_000).toISOString());
    const woke = await sendAsVisitor(visitor.id, 'still there?', { conversationId: conversation.id });
    expect(woke.conversation.status).toBe('open');
    const page = await messagesBefore(db.db, conversation.id, undefined, 2, 'agent');
    expect(page.hasMore).toBe(true);
    expect(page.rows.map((m) => m.seq)).toEqual([woke.message.seq - 1, woke.message.seq]);
  });

  it('binds only the sender’s own unused uploads', async () => {
    const visitor = await newVisitor();
    const other = await newVisitor();
    const upload = await insertAttachment(db.db, { owner_type: 'visitor', owner_id: visitor.id, name: 'a.png', mime: 'image/png', size: 3, width: 1, height: 1 });
    await expect(
      sendVisitorMessage(db, { visitorId: other.id, inboxId, clientMsgId: uid('c'), body: 'x', attachmentIds: [upload.id] }),
    ).rejects.toMatchObject({ code: 'bad_request' });
    const sent = await sendVisitorMessage(db, { visitorId: visitor.id, inboxId, clientMsgId: uid('c'), body: '', attachmentIds: [upload.id] });
    const [message] = await toMessages(db.db, [sent.message], 'visitor');
    expect(message?.attachments).toEqual([expect.objectContaining({ id: upload.id, mime: 'image/png', url: `/api/uploads/${upload.id}` })]);
  });

  it('keeps a message’s attachments in the order the sender listed them, not the order they were uploaded', async () => {
    const visitor = await newVisitor();
    const upload = (name: string) => insertAttachment(db.db, { owner_type: 'visitor', owner_id: visitor.id, name, mime: 'image/png', size: 3, width: 1, height: 1 });
    const [first, second, third] = [await upload('first.png'), await upload('second.png'), await upload('third.png')];
    // Uploads made at once finish in any order: here the last one listed finished first.
    for (const [row, at] of [[first, '2026-01-01T00:00:02.000Z'], [second, '2026-01-01T00:00:03.000Z'], [third, '2026-01-01T00:00:01.000Z']] as const) {
      await db.db.updateTable('attachments').set({ created_at: at }).where('id', '=', row.id).execute();
    }
    const listed = [second.id, third.id, first.id];
    const sent = await sendVisitorMessage(db, { visitorId: visitor.id, inboxId, clientMsgId: uid('c'), body: '', attachmentIds: listed });
    const [message] = await toMessages(db.db, [sent.message], 'agent');
    expect(message?.attachments.map((a) => a.id)).toEqual(listed);
  });
});

describe('store on postgres under contention', () => {
  let test: TestStore;
  let db: Database;
  beforeAll(async () => {
    test = await createTestStore('postgres');
    db = openDatabase(test.config);
    await bootstrapStore(db, { adminEmail: 'admin@kefu.local', adminPassword: 'secret-pass', hashPassword: hash });
  });
  afterAll(async () => {
    await db.close();
    await test.drop();
  });

  /** An `auto` inbox with a visitor and one online agent of the given capacity. */
  async function autoInboxWithOnlineAgent(name: string, capacity: number) {
    const inbox = await insertInbox(db.db, { name, routing: 'auto' });
    const visitor = await insertVisitor(db.db, { inboxId: inbox.id });
    const agent = await insertAgent(db.db, { email: `${uid('agent')}@x.test`, name: uid('Agent'), passwordHash: 'h', role: 'agent', capacity });
    await setMemberships(db.db, agent.id, [inbox.id]);
    await updateAgentPresence(db, agent.id, { connected: true, status: 'online' });
    return { inbox, visitor, agent };
  }

  /** Polls pg_stat_activity (no event exists for it) until `sessions` sessions wait on a lock. */
  async function someoneWaitsOnALock(sessions = 1): Promise<void> {
    const deadline = Date.now() + 5_000;
    while (Date.now() < deadline) {
      const { rows } = await sql<{ n: number }>`select count(*)::int as n from pg_stat_activity where datname = current_database() and wait_event_type = 'Lock'`.execute(db.db);
      if ((rows[0]?.n ?? 0) >= sessions) return;
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    throw new Error('no session ever waited on a lock');
  }

  /**
   * A transaction (`run` opens it) that takes its locks (`take`), keeps them until `release()`, then
   * does `finish` with what it took and commits (`done`); resolves once it holds them, so that what
   * the test starts next is sure to wait on them.
   */
  async function holdLocks<R>(
    run: (body: (tx: Executor) => Promise<void>) => Promise<unknown>,
    take: (tx: Executor) => Promise<R>,
    finish: (tx: Executor, taken: R) => Promise<unknown> = async () => undefined,
  ): Promise<{ release: () => void; done: Promise<unknown> }> {
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    let holding!: () => void;
    const held = new Promise<void>((resolve) => (holding = resolve));
    const done = run(async (tx) => {
      const taken = await take(tx);
      holding();
      await released;
      await finish(tx, taken);
    });
    await held;
    return { release, done };
  }
  const inTransaction = (body: (tx: Executor) => Promise<void>) => db.db.transaction().execute(body);

  /**
   * Another node's routing transaction: holds the routing lock from when this resolves until `end()`,
   * which then runs `finish` in it, commits, and closes that node.
   */
  async function otherNodeRouting(finish: (tx: Executor) => Promise<unknown> = async () => undefined): Promise<{ end: () => Promise<void> }> {
    const node = openDatabase(test.config);
    const held = await holdLocks((body) => node.transaction(body, 'routing'), async () => undefined, finish);
    return {
      end: async () => {
        held.release();
        try {
          await held.done;
        } finally {
          await node.close();
        }
      },
    };
  }

  /**
   * An agent's resolve that holds the conversation's row until what `whileHeld` starts waits on a
   * lock, then resolves it and commits; what `whileHeld` started, once it ends.
   */
  async function resolveWhileHolding<T>(conversationId: string, whileHeld: () => Promise<T>): Promise<T> {
    const resolving = await holdLocks(
      inTransaction,
      (tx) => tx.selectFrom('conversations').select('id').where('id', '=', conversationId).forUpdate().execute(),
      (tx) => tx.updateTable('conversations').set({ status: 'resolved' }).where('id', '=', conversationId).execute(),
    );
    const waiting = whileHeld();
    waiting.catch(() => undefined); // returned below; a failure before that is no unhandled rejection
    try {
      await someoneWaitsOnALock();
    } finally {
      resolving.release();
      await resolving.done;
    }
    return waiting;
  }

  it('starts a new conversation when the current one is resolved while the visitor’s message waits for it', async () => {
    const inbox = await insertInbox(db.db, { name: 'Race', routing: 'manual' });
    const visitor = await insertVisitor(db.db, { inboxId: inbox.id });
    const first = await sendVisitorMessage(db, { visitorId: visitor.id, inboxId: inbox.id, clientMsgId: 'race-1', body: 'one' });
    // An agent's resolve holds the conversation row while the visitor's next message arrives.
    const second = await resolveWhileHolding(first.conversation.id, () =>
      sendVisitorMessage(db, { visitorId: visitor.id, inboxId: inbox.id, clientMsgId: 'race-2', body: 'two' }),
    );
    expect(second.conversation.id).not.toBe(first.conversation.id);
    expect(second.createdConversation).toBe(true);
    const resolved = await messagesAfter(db.db, first.conversation.id, 0, 10, 'agent');
    expect(resolved.rows.map((m) => m.body)).toEqual(['one']);
  });

  it('takes a reopened older conversation when the newest is resolved while the visitor’s message waits for it', async () => {
    const inbox = await insertInbox(db.db, { name: 'Reopened', routing: 'manual' });
    const visitor = await insertVisitor(db.db, { inboxId: inbox.id });
    const send = (clientMsgId: string) => sendVisitorMessage(db, { visitorId: visitor.id, inboxId: inbox.id, clientMsgId, body: clientMsgId });
    const older = await send('older');
    await db.db.updateTable('conversations').set({ status: 'resolved' }).where('id', '=', older.conversation.id).execute();
    const newest = await send('newest');
    // An agent reopens the older one: the visitor has two unresolved conversations.
    await db.db.updateTable('conversations').set({ status: 'queued' }).where('id', '=', older.conversation.id).execute();
    const after = await resolveWhileHolding(newest.conversation.id, () => send('after'));
    // As if the resolve had come just before the message: the newest unresolved one is the older.
    expect(after.createdConversation).toBe(false);
    expect(after.conversation.id).toBe(older.conversation.id);
    expect(after.message.seq).toBe(2);
  });

  it('starts one conversation for two first messages of one visitor sent on two nodes at once', async () => {
    const inbox = await insertInbox(db.db, { name: 'Two tabs', routing: 'manual' });
    const visitor = await insertVisitor(db.db, { inboxId: inbox.id });
    // A drain on a third node holds the routing lock while both tabs' first messages arrive, each on a node
    // of its own: one starts the conversation and waits for the routing lock, holding the visitor's row,
    // which the other waits for.
    const [nodeA, nodeB] = [openDatabase(test.config), openDatabase(test.config)];
    try {
      const thirdNode = await otherNodeRouting();
      const send = (node: Database, clientMsgId: string) => sendVisitorMessage(node, { visitorId: visitor.id, inboxId: inbox.id, clientMsgId, body: clientMsgId });
      const tabs = [send(nodeA, 'tab-1'), send(nodeB, 'tab-2')];
      for (const tab of tabs) tab.catch(() => undefined); // awaited below; a failure before that is no unhandled rejection
      try {
        await someoneWaitsOnALock(2);
      } finally {
        await thirdNode.end();
      }
      const [one, two] = await Promise.all(tabs);
      // The second to get the row sees the first's conversation: a check read before the lock would not.
      expect(one!.conversation.id).toBe(two!.conversation.id);
      expect([one!.createdConversation, two!.createdConversation].sort()).toEqual([false, true]);
      expect([one!.message.seq, two!.message.seq].sort()).toEqual([1, 2]);
    } finally {
      await Promise.all([nodeA.close(), nodeB.close()]);
    }
  });

  it('a drain assigns a queued conversation with the seq of a visitor message committed while it waited for the row', async () => {
    const inbox = await insertInbox(db.db, { name: 'Drain race', routing: 'auto' });
    const visitor = await insertVisitor(db.db, { inboxId: inbox.id });
    const first = await sendVisitorMessage(db, { visitorId: visitor.id, inboxId: inbox.id, clientMsgId: 'drain-1', body: 'one' });
    expect(first.conversation.status).toBe('queued');
    const agent = await insertAgent(db.db, { email: 'drain@x.test', name: 'Dee', passwordHash: 'h', role: 'agent', capacity: 1 });
    await setMemberships(db.db, agent.id, [inbox.id]);
    // A visitor's message holds the row (its seq taken, not committed) from before the drain asks for it.
    const writing = await holdLocks(
      inTransaction,
      async (tx) => (await tx.selectFrom('conversations').selectAll().where('id', '=', first.conversation.id).forUpdate().execute())[0]!,
      async (tx, row) => {
        await tx.insertInto('messages').values({ id: 'drain-race-2', conversation_id: row.id, seq: 2, prev_public_seq: 1, client_msg_id: 'drain-2', author_type: 'visitor', author_id: visitor.id, author_name: null, kind: 'text', body: 'two', created_at: new Date().toISOString(), whisper_to: null }).execute();
        await tx.updateTable('conversations').set({ last_seq: 2, last_public_seq: 2 }).where('id', '=', row.id).execute();
      },
    );
    const online = updateAgentPresence(db, agent.id, { connected: true, status: 'online' });
    await someoneWaitsOnALock();
    writing.release();
    await writing.done;
    await online;
    const { rows } = await messagesAfter(db.db, first.conversation.id, 0, 10, 'agent');
    expect(rows.map((m) => [m.seq, m.kind, m.prev_public_seq])).toEqual([[1, 'text', 0], [2, 'text', 1], [3, 'event', 2]]);
    expect(await findConversation(db.db, first.conversation.id)).toMatchObject({ status: 'open', assignee_id: agent.id, last_seq: 3, last_public_seq: 3 });
  });

  it('a send without a conversationId into an open conversation does not wait for the routing lock', async () => {
    const { inbox, visitor, agent } = await autoInboxWithOnlineAgent('No wait', 0);
    const first = await sendVisitorMessage(db, { visitorId: visitor.id, inboxId: inbox.id, clientMsgId: 'no-wait-1', body: 'one' });
    expect(first.conversation.status).toBe('queued');
    // Another node's drain holds the routing lock; once released, it gives the agent a seat and takes the queued conversation.
    const otherDrain = await otherNodeRouting(async (tx) => {
      await tx.updateTable('agents').set({ capacity: 1 }).where('id', '=', agent.id).execute();
      await drainQueues(tx, 'postgres', emptyChanges());
    });
    try {
      // Stored while the lock is held: a send that waited for it would never settle here.
      const second = await sendVisitorMessage(db, { visitorId: visitor.id, inboxId: inbox.id, clientMsgId: 'no-wait-2', body: 'two' });
      expect(second).toMatchObject({ createdConversation: false, message: { seq: 2 }, conversation: { id: first.conversation.id, status: 'queued' } });
    } finally {
      await otherDrain.end();
    }
    const { rows } = await messagesAfter(db.db, first.conversation.id, 0, 10, 'agent');
    expect(rows.map((m) => [m.seq, m.kind])).toEqual([[1, 'text'], [2, 'text'], [3, 'event']]);
  });

  it('routes a new conversation in its own send once another node’s routing ends, and answers it as assigned', async () => {
    const { inbox, visitor, agent } = await autoInboxWithOnlineAgent('Other node', 1);
    // The other node holds the routing lock: the send starts its conversation, then waits for the lock. The
    // other node's drain cannot see that conversation (not committed), so the send's own drain routes it.
    const otherDrain = await otherNodeRouting((tx) => drainQueues(tx, 'postgres', emptyChanges()));
    const sending = sendVisitorMessage(db, { visitorId: visitor.id, inboxId: inbox.id, clientMsgId: 'other-node-1', body: 'hello' });
    await someoneWaitsOnALock();
    await otherDrain.end();
    const out = await sending;
    expect(out.conversation).toMatchObject({ status: 'open', assignee_id: agent.id });
    expect(out.changes.conversations.get(out.conversation.id)).toBe(out.conversation);
    expect(out.changes.messages.map((m) => [m.seq, m.kind])).toEqual([[1, 'text'], [2, 'event']]);
  });
});

describe('store on postgres when its connections are killed', () => {
  let test: TestStore;
  let db: Database;
  beforeAll(async () => {
    test = await createTestStore('postgres');
    db = openDatabase(test.config);
    await db.migrate();
  });
  afterAll(async () => {
    await db.close();
    await test.drop();
  });

  it('fails the query in flight as a connection loss (the wire says unavailable), then serves the next one', async () => {
    const sleeping = sql`select pg_sleep(5)`.execute(db.db);
    sleeping.catch(() => undefined);
    const deadline = Date.now() + 5_000;
    for (;;) {
      const { rows } = await sql<{ n: number }>`select count(*)::int as n from pg_stat_activity where datname = current_database() and query like 'select pg_sleep%'`.execute(db.db);
      if ((rows[0]?.n ?? 0) > 0) break;
      if (Date.now() > deadline) throw new Error('the sleeping query never started');
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    expect(await terminateConnections(test.url!)).toBeGreaterThan(0);
    const error = await sleeping.then(() => null, (e: unknown) => e);
    expect(isConnectionLoss(error)).toBe(true);
    expect(isConnectionLoss(new KefuError('not_found', 'no such conversation'))).toBe(false);
    // The pool may still hand out idle connections that were killed too (on a busy machine before it
    // has noticed): each such query fails the same way (unavailable, retry) and its connection is
    // dropped, so within the pool's size (10) plus one a retry gets a fresh connection.
    const retried = async (attempt = 1): Promise<unknown> => {
      try {
        return (await sql<{ one: number }>`select 1 as one`.execute(db.db)).rows;
      } catch (failure) {
        if (!isConnectionLoss(failure) || attempt > 10) throw failure;
        return retried(attempt + 1);
      }
    };
    expect(await retried()).toEqual([{ one: 1 }]);
  });
});
