import { PostgresAdapter, SqliteAdapter, sql, type Kysely, type Migration, type MigrationProvider } from 'kysely';
import { postgresSearchTextFunction } from './search-text.js';

/** Column types both dialects accept, so one migration serves SQLite and PostgreSQL. */
const up001 = async (db: Kysely<unknown>): Promise<void> => {
  await db.schema
    .createTable('settings')
    .addColumn('key', 'text', (c) => c.primaryKey())
    .addColumn('value', 'text', (c) => c.notNull())
    .execute();
  await db.schema
    .createTable('counters')
    .addColumn('name', 'text', (c) => c.primaryKey())
    .addColumn('value', 'integer', (c) => c.notNull())
    .execute();
  await db.schema
    .createTable('agents')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('email', 'text', (c) => c.notNull().unique())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('password_hash', 'text', (c) => c.notNull())
    .addColumn('role', 'text', (c) => c.notNull())
    .addColumn('capacity', 'integer', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('connected', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('active', 'integer', (c) => c.notNull().defaultTo(1))
    .addColumn('avatar_url', 'text')
    .addColumn('last_assigned_at', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema
    .createTable('inboxes')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('key', 'text', (c) => c.notNull().unique())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('allowed_origins', 'text', (c) => c.notNull())
    .addColumn('routing', 'text', (c) => c.notNull())
    .addColumn('greeting', 'text', (c) => c.notNull())
    .addColumn('live_preview', 'integer', (c) => c.notNull())
    .addColumn('csat_enabled', 'integer', (c) => c.notNull())
    .addColumn('identity_secret', 'text')
    .addColumn('max_message_length', 'integer', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema
    .createTable('inbox_members')
    .addColumn('inbox_id', 'text', (c) => c.notNull().references('inboxes.id'))
    .addColumn('agent_id', 'text', (c) => c.notNull().references('agents.id'))
    .addPrimaryKeyConstraint('inbox_members_pk', ['inbox_id', 'agent_id'])
    .execute();
  await db.schema
    .createTable('visitors')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('inbox_id', 'text', (c) => c.notNull().references('inboxes.id'))
    .addColumn('external_id', 'text')
    .addColumn('name', 'text')
    .addColumn('email', 'text')
    .addColumn('page_url', 'text')
    .addColumn('page_title', 'text')
    .addColumn('page_referrer', 'text')
    .addColumn('user_agent', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addUniqueConstraint('visitors_external_unique', ['inbox_id', 'external_id'])
    .execute();
  await db.schema
    .createTable('conversations')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('number', 'integer', (c) => c.notNull().unique())
    .addColumn('inbox_id', 'text', (c) => c.notNull().references('inboxes.id'))
    .addColumn('visitor_id', 'text', (c) => c.notNull().references('visitors.id'))
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('assignee_id', 'text', (c) => c.references('agents.id'))
    .addColumn('priority', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('queued_at', 'text')
    .addColumn('queue_key', 'text')
    .addColumn('snooze_until', 'text')
    .addColumn('last_seq', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('last_public_seq', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('last_message_body', 'text')
    .addColumn('last_message_author_type', 'text')
    .addColumn('last_message_at', 'text')
    .addColumn('unread', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('agent_read_seq', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('visitor_read_seq', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('first_response_at', 'text')
    .addColumn('resolved_at', 'text')
    .addColumn('csat_rating', 'integer')
    .addColumn('csat_comment', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('conversations_visitor').on('conversations').columns(['visitor_id', 'status']).execute();
  await db.schema.createIndex('conversations_inbox_status').on('conversations').columns(['inbox_id', 'status']).execute();
  await db.schema.createIndex('conversations_assignee').on('conversations').columns(['assignee_id', 'status']).execute();
  await db.schema.createIndex('conversations_updated').on('conversations').columns(['updated_at', 'id']).execute();
  await db.schema
    .createTable('messages')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('conversation_id', 'text', (c) => c.notNull().references('conversations.id'))
    .addColumn('seq', 'integer', (c) => c.notNull())
    .addColumn('prev_public_seq', 'integer', (c) => c.notNull())
    .addColumn('client_msg_id', 'text')
    .addColumn('author_type', 'text', (c) => c.notNull())
    .addColumn('author_id', 'text')
    .addColumn('author_name', 'text')
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('body', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addUniqueConstraint('messages_seq_unique', ['conversation_id', 'seq'])
    .addUniqueConstraint('messages_client_unique', ['author_type', 'author_id', 'client_msg_id'])
    .execute();
  await db.schema
    .createTable('attachments')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('owner_type', 'text', (c) => c.notNull())
    .addColumn('owner_id', 'text', (c) => c.notNull())
    .addColumn('message_id', 'text', (c) => c.references('messages.id'))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('mime', 'text', (c) => c.notNull())
    .addColumn('size', 'integer', (c) => c.notNull())
    .addColumn('width', 'integer')
    .addColumn('height', 'integer')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('attachments_message').on('attachments').column('message_id').execute();
  await db.schema
    .createTable('sessions')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('agent_id', 'text', (c) => c.notNull().references('agents.id'))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('expires_at', 'text', (c) => c.notNull())
    .addColumn('revoked_at', 'text')
    .execute();
  await db.schema
    .createTable('assignments')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('conversation_id', 'text', (c) => c.notNull().references('conversations.id'))
    .addColumn('inbox_id', 'text', (c) => c.notNull())
    .addColumn('agent_id', 'text')
    .addColumn('rule', 'text', (c) => c.notNull())
    .addColumn('reason', 'text', (c) => c.notNull())
    .addColumn('wait_sec', 'integer')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('assignments_conversation').on('assignments').column('conversation_id').execute();
  await db.schema.createIndex('assignments_inbox_time').on('assignments').columns(['inbox_id', 'created_at']).execute();
  await db.schema
    .createTable('canned_responses')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('shortcut', 'text', (c) => c.notNull().unique())
    .addColumn('body', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();
};

/** The widget's look and language per inbox (null language: follow the shopper's browser). */
const up002 = async (db: Kysely<unknown>): Promise<void> => {
  await db.schema.alterTable('inboxes').addColumn('widget_color', 'text', (c) => c.notNull().defaultTo('#2563eb')).execute();
  await db.schema.alterTable('inboxes').addColumn('language', 'text').execute();
};

/** Who logged in (or failed to), whose password or role changed: the security audit trail, without secrets. */
const up003 = async (db: Kysely<unknown>): Promise<void> => {
  await db.schema
    .createTable('audit_log')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('at', 'text', (c) => c.notNull())
    .addColumn('action', 'text', (c) => c.notNull())
    .addColumn('actor_id', 'text')
    .addColumn('subject_id', 'text')
    .addColumn('email', 'text')
    .addColumn('ip', 'text')
    .addColumn('detail', 'text')
    .execute();
  await db.schema.createIndex('audit_log_at').on('audit_log').columns(['at', 'id']).execute();
};

/**
 * Full-text search of message bodies (search-text.ts says how text is split). Events are not
 * searched. SQLite: an FTS5 table that stores no copy of the text, only the message id, filled in
 * batches off the send path (in the store's file until migration 015 moved it to a file of its own:
 * search-index.ts). PostgreSQL: a GIN index on an expression, which the insert itself keeps up to date.
 */
const up004 = async (db: Kysely<unknown>): Promise<void> => {
  if (db.getExecutor().adapter instanceof SqliteAdapter) {
    await sql`create virtual table messages_fts using fts5(body, message_id unindexed, content='', contentless_unindexed=1, tokenize='unicode61 remove_diacritics 2')`.execute(db);
    return;
  }
  await sql.raw(postgresSearchTextFunction).execute(db);
  await sql`create index messages_search on messages using gin (to_tsvector('simple', kefu_search_text(body))) where kind <> 'event'`.execute(db);
};

/** Weekly business hours per inbox (JSON, see BusinessHours in @kefu/core); null is always open. */
const up005 = async (db: Kysely<unknown>): Promise<void> => {
  await db.schema.alterTable('inboxes').addColumn('business_hours', 'text').execute();
};

/** Reports read the conversations started in a date range (optionally of one inbox) without a full scan. */
const up006 = async (db: Kysely<unknown>): Promise<void> => {
  await db.schema.createIndex('conversations_created').on('conversations').columns(['created_at']).execute();
  await db.schema.createIndex('conversations_inbox_created').on('conversations').columns(['inbox_id', 'created_at']).execute();
};

/** Supervision: a whisper is a private note that names the agent it was written for. */
const up007 = async (db: Kysely<unknown>): Promise<void> => {
  await db.schema.alterTable('messages').addColumn('whisper_to', 'text').execute();
};

/**
 * PostgreSQL: conversation numbers from a sequence. The counters row serialised every new
 * conversation on every node: its row lock was held from the increment to the COMMIT, and under
 * load new conversations queued on it until the pool ran dry (bench, routing scenario). nextval
 * takes no lock; a rolled-back conversation leaves a gap in the numbers, which only need to be unique.
 * SQLite (one connection) keeps the counter.
 */
const up008 = async (db: Kysely<unknown>): Promise<void> => {
  if (!(db.getExecutor().adapter instanceof PostgresAdapter)) return;
  await sql`create sequence conversation_number_seq`.execute(db);
  await sql`select setval('conversation_number_seq', greatest(
    coalesce((select max(number) from conversations), 0),
    coalesce((select value from counters where name = 'conversation_number'), 0)) + 1, false)`.execute(db);
};

/** A message's attachments keep the order the sender listed them in (repos/attachments.ts). */
const up009 = async (db: Kysely<unknown>): Promise<void> => {
  await db.schema.alterTable('attachments').addColumn('position', 'integer').execute();
};

/**
 * PostgreSQL: the search index's pending list kept small. A GIN index with `fastupdate` (the default)
 * gathers new entries in a pending list and merges them into the index when the list passes
 * `gin_pending_list_limit` (4 MB), inside whichever insert crossed it; autovacuum may empty it sooner,
 * but not on a desk without autovacuum or between two of its runs. At 4 MB that merge stopped one send
 * statement for 200 to 380 ms every 48 000 messages or so, and the row locks it held stopped the sends
 * queued behind it (docs/benchmarks.md, fifteenth round). At 64 kB no statement of 64 messages took
 * over 14 to 28 ms, and the index cost no more per message; with `fastupdate` off, a third more.
 */
const up010 = async (db: Kysely<unknown>): Promise<void> => {
  if (!(db.getExecutor().adapter instanceof PostgresAdapter)) return;
  await sql`alter index messages_search set (gin_pending_list_limit = 64)`.execute(db);
};

/**
 * A shopper's message changes no indexed column of its conversation, so PostgreSQL updates the row in
 * place (a HOT update: no new entry in any of the table's indexes, nothing for vacuum to clean up in
 * them). Each message moves `updated_at`, which `conversations_updated` indexed for the lists' order by
 * activity, so every message wrote an entry into each of the table's eight indexes: a third of what a
 * send costs PostgreSQL in `send-bench.js` (docs/benchmarks.md, eighteenth round). The unresolved
 * lists are short and found through their inbox's index, then sorted (repos/conversations.ts); the
 * resolved list, which grows without end, keeps an index on `updated_at_if_resolved`, a generated
 * column that is `updated_at` while the conversation is resolved and null otherwise, which a message
 * to an unresolved one leaves alone. PostgreSQL stores it (adding it rewrites the table once); SQLite
 * computes it when read. (An index on `status` alone was tried for the lists of every inbox: routing's
 * load queries chose it over the assignee's and cost PostgreSQL more.)
 */
const up011 = async (db: Kysely<unknown>): Promise<void> => {
  const storage = db.getExecutor().adapter instanceof PostgresAdapter ? sql`stored` : sql`virtual`;
  await sql`alter table conversations add column updated_at_if_resolved text
    generated always as (case when status = 'resolved' then updated_at end) ${storage}`.execute(db);
  await db.schema.dropIndex('conversations_updated').execute();
  await db.schema.createIndex('conversations_resolved_updated').on('conversations').columns(['updated_at_if_resolved', 'id']).execute();
};

/**
 * One inbox's resolved list (an agent of one inbox, or the inbox filter) in order through an index of
 * its own: through the whole desk's (011) an inbox with few resolved conversations was found by walking
 * every resolved conversation of the desk (on SQLite, 79 ms for an inbox with none among 196 000). A
 * message to an unresolved conversation changes neither column, so PostgreSQL still updates its row in
 * place.
 */
const up012 = async (db: Kysely<unknown>): Promise<void> => {
  await db.schema.createIndex('conversations_inbox_resolved_updated').on('conversations').columns(['inbox_id', 'updated_at_if_resolved', 'id']).execute();
};

/**
 * SQLite: the resolved lists' indexes (011, 012) hold resolved conversations only. SQLite computes
 * `updated_at_if_resolved` when read, so when a message moved `updated_at` it could not tell that the
 * column stayed null: every message to an unresolved conversation rewrote its entry in both indexes,
 * a third of the pages each send wrote to the log (docs/benchmarks.md, twenty-fifth round). A partial
 * index skips a row that is outside it before and after an update; the resolved lists ask for
 * `updated_at_if_resolved is not null`, the indexes' own condition, so they still read them in order.
 * (PostgreSQL stores the column, sees that it did not change, and updates the row in place: no index
 * entry moves there.)
 */
const up013 = async (db: Kysely<unknown>): Promise<void> => {
  if (!(db.getExecutor().adapter instanceof SqliteAdapter)) return;
  await resolvedListIndexesPartial(db);
};

/** The resolved lists' indexes (011, 012) remade to hold resolved conversations only. */
async function resolvedListIndexesPartial(db: Kysely<unknown>): Promise<void> {
  const indexes = { conversations_resolved_updated: ['updated_at_if_resolved', 'id'], conversations_inbox_resolved_updated: ['inbox_id', 'updated_at_if_resolved', 'id'] };
  for (const [name, columns] of Object.entries(indexes)) {
    await db.schema.dropIndex(name).execute();
    await db.schema.createIndex(name).on('conversations').columns(columns).where(sql.ref('updated_at_if_resolved'), 'is not', null).execute();
  }
}

/**
 * PostgreSQL: indexes that a lookup by another column cannot take by mistake. Without statistics for
 * kefu's tables (a PostgreSQL run without autovacuum, as the test machines are, or a table not analyzed
 * yet) the planner rates every index on a column as equally selective: it looked up a message's sender
 * (`visitors.id`) through `visitors_external_unique` (`inbox_id` first) and filtered the inbox's
 * visitors one by one, and an inbox's queue (`inbox_id`, `status`) through the resolved list's index
 * (docs/benchmarks.md, the twenty-ninth round). Partial indexes hold only the rows they are for, and the
 * planner uses one only for a query whose conditions imply its predicate: `visitors_external_unique`
 * holds the visitors with an external id (a lookup by external id implies it; uniqueness is unchanged,
 * since nulls were never equal), the resolved lists' indexes the resolved conversations (their queries
 * ask for `updated_at_if_resolved is not null`, as SQLite's already are, migration 013). Smaller too: an
 * anonymous visitor and an unresolved conversation write no entry in them. Not every plan is right
 * without statistics still: the queue's reads may take `conversations_inbox_created` (`inbox_id` alone)
 * instead, which reads the whole inbox too; statistics (autovacuum) are what fixes that.
 */
const up014 = async (db: Kysely<unknown>): Promise<void> => {
  if (!(db.getExecutor().adapter instanceof PostgresAdapter)) return;
  await sql`alter table visitors drop constraint visitors_external_unique`.execute(db);
  await db.schema.createIndex('visitors_external_unique').unique().on('visitors').columns(['inbox_id', 'external_id']).where(sql.ref('external_id'), 'is not', null).execute();
  await resolvedListIndexesPartial(db);
};

/**
 * SQLite: the search index moves to a file of its own, kept by a worker thread (search-index.ts), so
 * the store's writer no longer waits for it. The index in the store's file and its watermark go; the
 * worker builds the new one from the first message.
 */
const up015 = async (db: Kysely<unknown>): Promise<void> => {
  if (!(db.getExecutor().adapter instanceof SqliteAdapter)) return;
  await sql`drop table messages_fts`.execute(db);
  await sql`delete from settings where key = 'search_indexed_rowid'`.execute(db);
};

/**
 * The unique key on a sender's clientMsgIds begins with the id: (client_msg_id, author_type, author_id),
 * not (author_type, author_id, client_msg_id). Led by the sender, each message's entry went to a random
 * page of the index; with time-ordered clientMsgIds (the SDK's newClientMsgId) new entries go to its
 * end. On SQLite at 3 000 msgs/s a message writes about 3.0 log frames instead of 3.9 (the bench's ids;
 * 3.2 instead of 4.0 with the SDK's), and its checkpoints copy fewer pages (docs/benchmarks.md,
 * forty-ninth round). The idempotency lookup names all three columns, so the index still serves it; a
 * client that sends random ids loses nothing but the saving.
 * SQLite cannot drop a table's constraint, so the table is rebuilt without it (rebuildSqliteTable) and
 * the key made as an index after the copy, which sorts the entries once: 12 s for a million messages
 * on the 2-core test machine, against 22 s with the new key in the declaration.
 */
const up016 = async (db: Kysely<unknown>): Promise<void> => {
  const clientKey = sql`create unique index messages_client_unique on messages (client_msg_id, author_type, author_id)`;
  if (db.getExecutor().adapter instanceof PostgresAdapter) {
    await sql`alter table messages drop constraint messages_client_unique`.execute(db);
    await clientKey.execute(db);
    return;
  }
  // A rebuild that committed but was not recorded (a crash in between: it runs in a transaction of its
  // own, OWN_TRANSACTION, and is recorded after it) left nothing to do.
  const rebuilt = await sql`select 1 from sqlite_master where type = 'index' and name = 'messages_client_unique'`.execute(db);
  if (rebuilt.rows.length > 0) return;
  const oldKey = ', constraint "messages_client_unique" unique ("author_type", "author_id", "client_msg_id")';
  await rebuildSqliteTable(db, 'messages', (declaration) => replaceOnce(declaration, oldKey, ''), (trx) => clientKey.execute(trx));
};

/**
 * SQLite: `table` rebuilt from its declaration as `redeclare` rewrites it, rows (with their rowids),
 * indexes and triggers kept. Foreign keys are off while the old table goes (they cannot be turned off
 * inside a transaction, so a migration that rebuilds runs outside one: OWN_TRANSACTION); the table's
 * own and those of the tables that refer to it are checked before the COMMIT.
 */
async function rebuildSqliteTable(
  db: Kysely<unknown>,
  table: string,
  redeclare: (declaration: string) => string,
  andThen: (db: Kysely<unknown>) => Promise<unknown>,
): Promise<void> {
  const schema = await sql<{ type: string; sql: string }>`select type, sql from sqlite_master where tbl_name = ${table} and sql is not null`.execute(db);
  const declaration = schema.rows.find((row) => row.type === 'table')!.sql;
  const columns = (await sql<{ name: string }>`select name from pragma_table_info(${table})`.execute(db)).rows.map((c) => sql.ref(c.name));
  const rebuilt = `${table}_rebuilt`;
  await sql`pragma foreign_keys = off`.execute(db);
  try {
    await sql`begin immediate`.execute(db);
    try {
      await sql.raw(replaceOnce(redeclare(declaration), `"${table}"`, `"${rebuilt}"`)).execute(db);
      await sql`insert into ${sql.table(rebuilt)} (rowid, ${sql.join(columns)}) select rowid, ${sql.join(columns)} from ${sql.table(table)}`.execute(db);
      await sql`drop table ${sql.table(table)}`.execute(db);
      await sql`alter table ${sql.table(rebuilt)} rename to ${sql.table(table)}`.execute(db);
      for (const other of schema.rows.filter((row) => row.type !== 'table')) await sql.raw(other.sql).execute(db);
      await andThen(db);
      await expectForeignKeysHold(db, table);
      await sql`commit`.execute(db);
    } catch (error) {
      // SQLite may have rolled back already (a full disk does), and then this fails: the error to report is the first.
      await sql`rollback`.execute(db).catch(() => undefined);
      throw error;
    }
  } finally {
    await sql`pragma foreign_keys = on`.execute(db);
  }
}

/** Throws if a row of `table`, or of a table that refers to it, names a row that does not exist. */
async function expectForeignKeysHold(db: Kysely<unknown>, table: string): Promise<void> {
  const referring = await sql<{ name: string }>`select distinct m.name from sqlite_master m, pragma_foreign_key_list(m.name) f where m.type = 'table' and f."table" = ${table}`.execute(db);
  for (const name of [table, ...referring.rows.map((row) => row.name)]) {
    const violations = await sql`select * from pragma_foreign_key_check(${name})`.execute(db);
    if (violations.rows.length > 0) throw new Error(`rebuilding ${table} would break ${violations.rows.length} foreign keys of ${name}`);
  }
}

/** `text` with its one `part` replaced; a declaration that does not hold it exactly once is an error. */
function replaceOnce(text: string, part: string, replacement: string): string {
  if (text.split(part).length !== 2) throw new Error(`expected one ${part} in ${text}`);
  return text.replace(part, replacement);
}

/**
 * Migrations that run a transaction of their own, so SQLite runs them outside one (migrate.ts): turning
 * foreign keys off, which a table's rebuild needs, does nothing inside a transaction.
 */
export const OWN_TRANSACTION = new Set(['016_client_key_by_id']);

const migrations: Record<string, Migration> = {
  '001_initial': { up: up001 },
  '002_inbox_widget': { up: up002 },
  '003_audit_log': { up: up003 },
  '004_message_search': { up: up004 },
  '005_business_hours': { up: up005 },
  '006_report_indexes': { up: up006 },
  '007_whispers': { up: up007 },
  '008_conversation_number_sequence': { up: up008 },
  '009_attachment_order': { up: up009 },
  '010_search_pending_list': { up: up010 },
  '011_lists_without_activity_index': { up: up011 },
  '012_inbox_resolved_index': { up: up012 },
  '013_resolved_indexes_partial': { up: up013 },
  '014_partial_lookup_indexes': { up: up014 },
  '015_search_index_file': { up: up015 },
  '016_client_key_by_id': { up: up016 },
};

export const migrationProvider: MigrationProvider = {
  getMigrations: async () => migrations,
};
