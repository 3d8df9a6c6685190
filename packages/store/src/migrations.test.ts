import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Migrator, sql, type Migration } from 'kysely';
import { openDatabase, type Database } from './database.js';
import { migrationProvider } from './migrations.js';
import { insertAttachment } from './repos/attachments.js';
import { insertConversation, updateConversationRow } from './repos/conversations.js';
import { insertInbox } from './repos/inboxes.js';
import { findMessageByClientId, insertMessageRow, type MessageRow } from './repos/messages.js';
import { insertVisitor } from './repos/visitors.js';
import { searchConversations } from './ops/search.js';
import { migratedStore } from './test-store.js';
import { createTestStore, type TestStore } from './testing.js';
import { isUniqueViolation } from './util.js';

/** Migrations merged out of order (006 after 007 ran) still run, once, on both stores. */
describe.each(['sqlite', 'postgres'] as const)('migrations on %s', (kind) => {
  let test: TestStore;
  let db: Database;
  beforeAll(async () => {
    test = await createTestStore(kind);
    db = openDatabase(test.config);
  });
  afterAll(async () => {
    await db?.close();
    await test?.drop();
  });

  it('runs a migration numbered before one that already ran', async () => {
    const all = await migrationProvider.getMigrations();
    const without006: Record<string, Migration> = Object.fromEntries(Object.entries(all).filter(([name]) => !name.startsWith('006_')));
    const early = await new Migrator({ db: db.db, provider: { getMigrations: async () => without006 } }).migrateToLatest();
    expect(early.error).toBeUndefined();
    expect(early.results?.some((r) => r.migrationName.startsWith('007_'))).toBe(true);

    await db.migrate();
    const ran = await sql<{ name: string }>`select name from kysely_migration order by name`.execute(db.db);
    expect(ran.rows.map((r) => r.name)).toEqual(Object.keys(all).sort());
    await db.migrate();
    expect((await sql<{ name: string }>`select name from kysely_migration`.execute(db.db)).rows).toHaveLength(Object.keys(all).length);
  });
});

/**
 * A store of its own for a describe block: `old()` opens it as the version before migration `name`
 * left it (every migration before that one run), `migrated()` opens it again and runs the rest.
 */
function storeBeforeMigration(kind: 'sqlite' | 'postgres', name: string) {
  let test: TestStore;
  let current: Database | undefined;
  beforeAll(async () => {
    test = await createTestStore(kind);
  });
  afterAll(async () => {
    await current?.close();
    await test?.drop();
  });
  return {
    async old(): Promise<Database> {
      const old = openDatabase(test.config);
      const before = Object.fromEntries(Object.entries(await migrationProvider.getMigrations()).filter(([migration]) => migration < name));
      expect((await new Migrator({ db: old.db, provider: { getMigrations: async () => before } }).migrateToLatest()).error).toBeUndefined();
      return old;
    },
    async migrated(): Promise<Database> {
      await current?.close();
      current = openDatabase(test.config);
      await current.migrate();
      return current;
    },
  };
}

/** 011 on a desk that has conversations already: the resolved ones get their time, the others none. */
describe.each(['sqlite', 'postgres'] as const)('migration 011 on %s', (kind) => {
  const store = storeBeforeMigration(kind, '011_');

  it('sets updated_at_if_resolved of the conversations stored before it, and keeps it in step after', async () => {
    const old = await store.old();
    const inbox = await insertInbox(old.db, { name: 'Old shop' });
    const start = async () => insertConversation(old.db, kind, { inboxId: inbox.id, visitorId: (await insertVisitor(old.db, { inboxId: inbox.id })).id });
    const [open, resolved] = [await start(), await start()];
    const resolvedAt = (await updateConversationRow(old.db, resolved.id, { status: 'resolved', updated_at: '2026-01-02T03:04:05.000Z' })).updated_at;
    await old.close();

    const db = await store.migrated();
    const generated = async () => {
      const rows = await db.db.selectFrom('conversations').select(['id', 'updated_at_if_resolved']).execute();
      return Object.fromEntries(rows.map((r) => [r.id, r.updated_at_if_resolved]));
    };
    expect(await generated()).toEqual({ [open.id]: null, [resolved.id]: resolvedAt });
    const reopened = await updateConversationRow(db.db, resolved.id, { status: 'open' });
    const closed = await updateConversationRow(db.db, open.id, { status: 'resolved' });
    expect(await generated()).toEqual({ [open.id]: closed.updated_at, [resolved.id]: null });
    expect(reopened.updated_at > resolvedAt).toBe(true);
  });
});

/**
 * A migration that fails part way (here 011's last statement, its index's name taken) leaves nothing of
 * itself and is not recorded; the next start runs it whole. On SQLite its first statements (a column
 * added, an index dropped) used to stay, and every later start failed on them.
 */
describe.each(['sqlite', 'postgres'] as const)('a migration that fails part way on %s', (kind) => {
  const store = storeBeforeMigration(kind, '011_');
  // table_xinfo: SQLite's table_info leaves generated columns out.
  const columnsOf = async (db: Database, table: string) =>
    (kind === 'sqlite'
      ? await sql<{ name: string }>`select name from pragma_table_xinfo(${table})`.execute(db.db)
      : await sql<{ name: string }>`select column_name as name from information_schema.columns where table_name = ${table}`.execute(db.db)
    ).rows.map((row) => row.name);
  const indexNamed = (db: Database, name: string) =>
    kind === 'sqlite'
      ? sql`select 1 from sqlite_master where type = 'index' and name = ${name}`.execute(db.db)
      : sql`select 1 from pg_indexes where indexname = ${name}`.execute(db.db);

  it('is undone, and runs whole at the next start', async () => {
    const old = await store.old();
    await sql`create index conversations_resolved_updated on agents (id)`.execute(old.db);
    await old.close();

    await expect(store.migrated()).rejects.toThrow(/conversations_resolved_updated/);
    const failed = await store.old();
    expect(await columnsOf(failed, 'conversations')).not.toContain('updated_at_if_resolved');
    expect((await indexNamed(failed, 'conversations_updated')).rows).toHaveLength(1);
    expect((await sql<{ name: string }>`select name from kysely_migration where name like '011_%'`.execute(failed.db)).rows).toEqual([]);
    await sql`drop index conversations_resolved_updated`.execute(failed.db);
    await failed.close();

    const db = await store.migrated();
    expect(await columnsOf(db, 'conversations')).toContain('updated_at_if_resolved');
    expect((await indexNamed(db, 'conversations_updated')).rows).toEqual([]);
    expect((await indexNamed(db, 'conversations_resolved_updated')).rows).toHaveLength(1);
  });
});

/** The search index merges its pending list in small steps, never in one long stop of a send (010). */
describe('the search index on postgres', () => {
  const store = migratedStore('postgres');

  it('keeps a pending list of 64 kB', async () => {
    const { rows } = await sql<{ reloptions: string[] | null }>`select reloptions from pg_class where relname = 'messages_search'`.execute(store.db.db);
    expect(rows).toEqual([{ reloptions: ['gin_pending_list_limit=64'] }]);
  });
});

/** 016 on a desk that has messages already: every row kept (rowids too, on SQLite), the key still enforced. */
describe.each(['sqlite', 'postgres'] as const)('migration 016 on %s', (kind) => {
  const store = storeBeforeMigration(kind, '016_');
  let db: Database;

  const rowsOf = async (desk: Database) => {
    const rowid = kind === 'sqlite' ? sql<number>`rowid` : sql<number>`0`;
    const messages = await desk.db.selectFrom('messages').selectAll().select(rowid.as('row')).orderBy('seq').execute();
    return { messages, attachments: await desk.db.selectFrom('attachments').select(['id', 'message_id']).execute() };
  };

  it('keeps every message and attachment, and leads the clientMsgId key with the id', async () => {
    const old = await store.old();
    const inbox = await insertInbox(old.db, { name: 'Old shop' });
    const visitor = await insertVisitor(old.db, { inboxId: inbox.id });
    const conversation = await insertConversation(old.db, kind, { inboxId: inbox.id, visitorId: visitor.id });
    const message = (seq: number, clientMsgId: string | null): MessageRow => ({
      id: `m-${seq}`, conversation_id: conversation.id, seq, prev_public_seq: seq - 1, client_msg_id: clientMsgId,
      author_type: clientMsgId ? 'visitor' : 'system', author_id: clientMsgId ? visitor.id : null, author_name: null,
      kind: clientMsgId ? 'text' : 'event', body: `body ${seq}`, created_at: '2026-12-06T15:00:00.000Z', whisper_to: null,
    });
    for (const row of [message(1, 'c-1'), message(2, null), message(3, 'c-3'), message(4, null)]) await insertMessageRow(old.db, row);
    const attachment = await insertAttachment(old.db, { owner_type: 'visitor', owner_id: visitor.id, name: 'a.png', mime: 'image/png', size: 1, width: null, height: null });
    await old.db.updateTable('attachments').set({ message_id: 'm-3' }).where('id', '=', attachment.id).execute();
    // A gap in the rowids, which a copy that numbered the rows afresh would close.
    if (kind === 'sqlite') await sql`update messages set rowid = 1003 where seq = 3`.execute(old.db);
    await old.searchIndex?.catchUp();
    const before = await rowsOf(old);
    await old.close();

    db = await store.migrated();
    expect(await rowsOf(db)).toEqual(before);
    expect(await clientKeyColumns(db)).toEqual(['client_msg_id', 'author_type', 'author_id']);
    expect(isUniqueViolation(await insertMessageRow(db.db, { ...message(5, 'c-3'), id: 'm-5' }).catch((error: unknown) => error))).toBe(true);
    await insertMessageRow(db.db, message(5, 'c-5'));
    expect((await findMessageByClientId(db.db, { type: 'visitor', id: visitor.id }, 'c-5'))?.id).toBe('m-5');
    // SQLite's search index goes on from the rowid it had indexed to: the messages before 016 and after it are found.
    const found = await searchConversations(db, { query: 'body', inboxIds: [inbox.id], limit: 20, snippetLength: 200 });
    expect(found?.rows.map((row) => row.messageId).sort()).toEqual(['m-1', 'm-3', 'm-5']);
    if (kind === 'sqlite') {
      expect((await sql<{ foreign_keys: number }>`pragma foreign_keys`.execute(db.db)).rows).toEqual([{ foreign_keys: 1 }]);
      await expect(insertMessageRow(db.db, { ...message(6, 'c-6'), conversation_id: 'no such conversation' })).rejects.toMatchObject({ code: 'SQLITE_CONSTRAINT_FOREIGNKEY' });
    }
  });

  it('does nothing when SQLite rebuilt the table but the migration was not recorded', async () => {
    // PostgreSQL records a migration in its own transaction; SQLite records it after it, so a crash in
    // between leaves a rebuilt table with 016 still to run.
    if (kind !== 'sqlite') return;
    const before = await rowsOf(db);
    await sql`delete from kysely_migration where name = '016_client_key_by_id'`.execute(db.db);
    await db.migrate();
    expect(await rowsOf(db)).toEqual(before);
    expect(await clientKeyColumns(db)).toEqual(['client_msg_id', 'author_type', 'author_id']);
  });

  async function clientKeyColumns(desk: Database): Promise<string[]> {
    if (kind === 'postgres') {
      const { rows } = await sql<{ indexdef: string }>`select indexdef from pg_indexes where indexname = 'messages_client_unique'`.execute(desk.db);
      return /\((.*)\)/.exec(rows[0]!.indexdef)![1]!.split(', ');
    }
    const indexes = await sql<{ name: string; unique: number }>`select name, "unique" from pragma_index_list('messages')`.execute(desk.db);
    for (const index of indexes.rows) {
      const columns = (await sql<{ name: string }>`select name from pragma_index_info(${index.name}) order by seqno`.execute(desk.db)).rows.map((c) => c.name);
      if (columns.includes('client_msg_id')) return columns;
    }
    return [];
  }
});
