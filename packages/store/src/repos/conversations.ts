import { statusesIn } from '@kefu/core';
import { limits, type AgentConversation, type ConversationActivityItem, type ConversationView, type VisitorConversation } from '@kefu/protocol';
import { sql, type Kysely, type RawBuilder, type SelectQueryBuilder } from 'kysely';
import type { Database, Dialect, Executor } from '../database.js';
import type { ConversationsTable, DB } from '../schema.js';
import { nextCounter } from './settings.js';
import { inboxColumn, newId, nowIso } from '../util.js';

export type ConversationRow = ConversationsTable;

/**
 * A conversation's own columns, out of a row that has more (a statement's `returning *, …`). Written
 * out, not a rest pattern or a spread: better-sqlite3 builds a row of twenty columns or more as a
 * dictionary-mode object (a send's has 31), and V8 copied the conversation out of one that way in about
 * 14 µs (0.5 written out), 4 % of one node's main thread at 3 000 msgs/s (docs/benchmarks.md, change 100).
 */
export function conversationColumns(row: ConversationRow): ConversationRow {
  return {
    id: row.id,
    number: row.number,
    inbox_id: row.inbox_id,
    visitor_id: row.visitor_id,
    status: row.status,
    assignee_id: row.assignee_id,
    priority: row.priority,
    queued_at: row.queued_at,
    queue_key: row.queue_key,
    snooze_until: row.snooze_until,
    last_seq: row.last_seq,
    last_public_seq: row.last_public_seq,
    last_message_body: row.last_message_body,
    last_message_author_type: row.last_message_author_type,
    last_message_at: row.last_message_at,
    unread: row.unread,
    agent_read_seq: row.agent_read_seq,
    visitor_read_seq: row.visitor_read_seq,
    first_response_at: row.first_response_at,
    resolved_at: row.resolved_at,
    csat_rating: row.csat_rating,
    csat_comment: row.csat_comment,
    created_at: row.created_at,
    updated_at: row.updated_at,
  };
}

export type NewConversation = { id?: string; inboxId: string; visitorId: string; summary?: Partial<ConversationRow> };

/** `summary`: the columns its first message sets (startConversation), so that no update follows. */
export async function insertConversation(db: Executor, dialect: Dialect, c: NewConversation): Promise<ConversationRow> {
  // PostgreSQL: a sequence, taken by the insert itself (no lock held to the commit, see migration 008); SQLite: the counter.
  const number = dialect === 'sqlite' ? await nextCounter(db, 'conversation_number') : NEXT_NUMBER;
  return db.insertInto('conversations').values(newConversationRow(c, number)).returningAll().executeTakeFirstOrThrow();
}

/** PostgreSQL's next conversation number, taken by the statement that inserts it. */
export const NEXT_NUMBER = sql<number>`nextval('conversation_number_seq')`;

/** A new conversation's row: queued, with its first message's summary if given. */
export function newConversationRow(c: NewConversation, number: number | RawBuilder<number>): Omit<ConversationRow, 'number'> & { number: number | RawBuilder<number> } {
  const now = nowIso();
  return {
    id: c.id ?? newId(),
    number,
    inbox_id: c.inboxId,
    visitor_id: c.visitorId,
    status: 'queued',
    assignee_id: null,
    priority: 0,
    queued_at: now,
    queue_key: now,
    snooze_until: null,
    last_seq: 0,
    last_public_seq: 0,
    last_message_body: null,
    last_message_author_type: null,
    last_message_at: null,
    unread: 0,
    agent_read_seq: 0,
    visitor_read_seq: 0,
    first_response_at: null,
    resolved_at: null,
    csat_rating: null,
    csat_comment: null,
    created_at: now,
    updated_at: now,
    ...c.summary,
  };
}

/** Several conversations by id (repeats allowed), as stored now (none locked). */
export async function findConversations(db: Executor, ids: string[]): Promise<Map<string, ConversationRow>> {
  const unique = [...new Set(ids)];
  const rows = unique.length === 0 ? [] : await db.selectFrom('conversations').selectAll().where('id', 'in', unique).execute();
  return new Map(rows.map((row) => [row.id, row]));
}

export const findConversation = (db: Executor, id: string): Promise<ConversationRow | undefined> =>
  db.selectFrom('conversations').selectAll().where('id', '=', id).executeTakeFirst();

/**
 * Reads a conversation for a change inside a transaction. On PostgreSQL the row stays locked until
 * commit, so a concurrent resolve or assignment cannot slip between this read and the write;
 * SQLite runs one transaction at a time anyway.
 */
export const lockConversation = (tx: Executor, dialect: Dialect, id: string): Promise<ConversationRow | undefined> => {
  const query = tx.selectFrom('conversations').selectAll().where('id', '=', id);
  return (dialect === 'postgres' ? query.forUpdate() : query).executeTakeFirst();
};

/** Several conversations read and locked at once (see lockConversation), by id. */
export async function lockConversations(tx: Executor, dialect: Dialect, ids: string[]): Promise<Map<string, ConversationRow>> {
  if (ids.length === 0) return new Map();
  // In id order, so that two transactions locking overlapping sets cannot deadlock.
  const query = tx.selectFrom('conversations').selectAll().where('id', 'in', ids).orderBy('id');
  const rows = await (dialect === 'postgres' ? query.forUpdate() : query).execute();
  return new Map(rows.map((row) => [row.id, row]));
}

/** What the queue's order reads of a conversation. */
const QUEUE_COLUMNS = ['id', 'priority', 'queue_key', 'queued_at', 'created_at'] as const;
type QueueColumns = Pick<ConversationRow, (typeof QUEUE_COLUMNS)[number]>;

/** A queued conversation as the queue orders it: priority, then its queue key. */
export const queueEntryOf = <T extends QueueColumns>(row: T) => ({ ...row, queuedAt: row.queue_key ?? row.queued_at ?? row.created_at });

/**
 * An inbox's queue, unsorted, with no more columns than its order needs: a queue of a thousand read
 * with every column took 6 ms on SQLite, and a queued visitor's place was read at every queue join.
 */
export const queueEntriesOf = async (db: Executor, inboxId: string) =>
  (await db.selectFrom('conversations').select(QUEUE_COLUMNS).where('status', '=', 'queued').where('inbox_id', '=', inboxId).execute()).map(queueEntryOf);

export async function updateConversationRow(db: Executor, id: string, set: Partial<ConversationRow>): Promise<ConversationRow> {
  return db
    .updateTable('conversations')
    .set({ ...set, updated_at: set.updated_at ?? nowIso() })
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirstOrThrow();
}

/** The visitor's unresolved conversation, else the most recent one: one query, the unresolved ones first. */
export const currentConversationOf = (db: Executor, visitorId: string): Promise<ConversationRow | undefined> =>
  db
    .selectFrom('conversations')
    .selectAll()
    .where('visitor_id', '=', visitorId)
    .orderBy(sql`case when ${sql.ref('status')} = 'resolved' then 1 else 0 end`)
    .orderBy('created_at', 'desc')
    .orderBy('number', 'desc')
    .limit(1)
    .executeTakeFirst();

export const conversationsOfVisitor = (db: Executor, visitorId: string): Promise<ConversationRow[]> =>
  db.selectFrom('conversations').selectAll().where('visitor_id', '=', visitorId).orderBy('created_at', 'desc').limit(50).execute();

export const queuedConversations = (db: Executor, inboxId?: string): Promise<ConversationRow[]> => {
  let query = db.selectFrom('conversations').selectAll().where('status', '=', 'queued');
  if (inboxId) query = query.where('inbox_id', '=', inboxId);
  return query.execute();
};

export type ListFilter = { view: ConversationView; agentId: string; inboxIds: string[] | 'all'; cursor?: string; limit: number };

const encodeCursor = (row: ConversationRow): string => Buffer.from(JSON.stringify([row.updated_at, row.id])).toString('base64url');
function decodeCursor(cursor: string): [string, string] | null {
  try {
    const value: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString());
    // A forged cursor is still client input: PostgreSQL refuses a NUL character even in a comparison.
    const valid = Array.isArray(value) && value.length === 2 && value.every((v) => typeof v === 'string' && !v.includes('\u0000'));
    return valid ? (value as [string, string]) : null;
  } catch {
    return null;
  }
}

/**
 * The unresolved conversations a list shows (a few per inbox however old the desk), through their
 * inbox's index (every inbox named when the caller sees them all); the page sorts them.
 */
function unresolved(db: Kysely<DB>, filter: ListFilter) {
  const inboxIds = filter.inboxIds === 'all' ? db.selectFrom('inboxes').select('id') : filter.inboxIds;
  const rows = db.selectFrom('conversations').selectAll().where('inbox_id', 'in', inboxIds).where('status', 'in', statusesIn(filter.view));
  if (filter.view === 'mine') return rows.where('assignee_id', '=', filter.agentId);
  if (filter.view === 'unassigned') return rows.where('assignee_id', 'is', null);
  return rows;
}

type Activity = 'updated_at' | 'updated_at_if_resolved';

/** Newest activity first, after `after`: a page and one more (whether a next page exists). */
function pageOf<O>(query: SelectQueryBuilder<DB, 'conversations', O>, activity: Activity, after: [string, string] | undefined, limit: number) {
  // As a row value, which both stores look up in the index (SQLite sorted an OR's two lookups).
  const from = after ? query.where((eb) => eb(eb.refTuple(activity, 'id'), '<', eb.tuple(...after))) : query;
  return from.orderBy(activity, 'desc').orderBy('id', 'desc').limit(limit + 1);
}

/**
 * Up to this many inboxes, a resolved list reads a page of each and merges them (the work grows with
 * their number: 200 inboxes took PostgreSQL 123 ms to plan and run); beyond, the desk's index, which
 * stops soon when those inboxes hold a good share of the desk's recent conversations (and walks far
 * when all of them are old).
 */
const MERGED_INBOXES = 10;

/**
 * The resolved conversations, which grow without end, read in order through an index and stopped at
 * the page: every inbox's through the desk's index of `updated_at_if_resolved` (migration 011), one
 * inbox's through its own (migration 012), and several inboxes' as a page of each through its own,
 * merged (up to MERGED_INBOXES; more, through the desk's index, testing each row's inbox, as `inboxColumn`
 * says). Through the desk's index, the first page of a few inboxes whose conversations were the desk's
 * oldest had walked most of the desk.
 */
function resolvedPage({ db, dialect }: Pick<Database, 'db' | 'dialect'>, inboxIds: string[] | 'all', after: [string, string] | undefined, limit: number) {
  const resolved = db.selectFrom('conversations').selectAll().where('updated_at_if_resolved', 'is not', null);
  const page = <O>(rows: SelectQueryBuilder<DB, 'conversations', O>) => pageOf(rows, 'updated_at_if_resolved', after, limit);
  if (inboxIds === 'all') return page(resolved);
  if (inboxIds.length === 1) return page(resolved.where('inbox_id', '=', inboxIds[0]!));
  if (inboxIds.length > MERGED_INBOXES) return page(resolved.where(inboxColumn(dialect, 'inbox_id', inboxIds), 'in', inboxIds));
  const [first, ...rest] = inboxIds.map((inboxId, i) => db.selectFrom(page(resolved.where('inbox_id', '=', inboxId)).as(`inbox${i}`)).selectAll());
  if (!first) throw new Error('a list needs at least one inbox');
  const merged = rest.reduce((union, inboxPage) => union.unionAll(inboxPage), first);
  return db.selectFrom(merged.as('pages')).selectAll().orderBy('updated_at_if_resolved', 'desc').orderBy('id', 'desc').limit(limit + 1);
}

/**
 * Newest activity first, keyset-paginated by (updated_at, id). Returns null for a malformed cursor.
 * The resolved list orders by `updated_at_if_resolved`, the same time, for its index.
 */
export async function listConversations(db: Pick<Database, 'db' | 'dialect'>, filter: ListFilter) {
  if (filter.inboxIds !== 'all' && filter.inboxIds.length === 0) return { rows: [], nextCursor: null };
  const after = filter.cursor ? decodeCursor(filter.cursor) : undefined;
  if (after === null) return null;
  const rows = await listPageQuery(db, filter, after).execute();
  const page = rows.slice(0, filter.limit);
  const last = page[page.length - 1];
  return { rows: page, nextCursor: rows.length > filter.limit && last ? encodeCursor(last) : null };
}

/** One page of a list, one row more than `limit` to tell whether there are more; `after`: the cursor's (activity, id). */
export function listPageQuery(database: Pick<Database, 'db' | 'dialect'>, filter: ListFilter, after?: [string, string]) {
  return filter.view === 'resolved'
    ? resolvedPage(database, filter.inboxIds, after, filter.limit)
    : pageOf(unresolved(database.db, filter), 'updated_at', after, filter.limit);
}

/** `known`: visitors the caller has read already (a sender), so that a message costs no visitors query. */
export async function toAgentConversations(db: Executor, rows: ConversationRow[], known: AgentConversation['visitor'][] = []): Promise<AgentConversation[]> {
  const byId = new Map(known.map((v) => [v.id, v]));
  const visitorIds = [...new Set(rows.map((r) => r.visitor_id))].filter((id) => !byId.has(id));
  const visitors = visitorIds.length
    ? await db.selectFrom('visitors').select(['id', 'name', 'email']).where('id', 'in', visitorIds).execute()
    : [];
  visitors.forEach((v) => byId.set(v.id, v));
  return rows.map((row) => toAgentConversation(row, byId.get(row.visitor_id) ?? { id: row.visitor_id, name: null, email: null }));
}

/** The conversation's last message preview, its body cut to `maxBody` characters. */
function lastMessageOf(row: ConversationRow, maxBody = Infinity): AgentConversation['lastMessage'] {
  return row.last_message_body !== null && row.last_message_author_type && row.last_message_at
    ? { body: row.last_message_body.slice(0, maxBody), authorType: row.last_message_author_type, createdAt: row.last_message_at }
    : null;
}

export function toAgentConversation(row: ConversationRow, visitor: AgentConversation['visitor']): AgentConversation {
  const lastMessage = lastMessageOf(row);
  return {
    id: row.id,
    number: row.number,
    inboxId: row.inbox_id,
    status: row.status,
    assigneeId: row.assignee_id,
    visitor,
    lastSeq: row.last_seq,
    lastMessage,
    unread: row.unread,
    queuedAt: row.queued_at,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    snoozeUntil: row.snooze_until,
    priority: row.priority,
  };
}

/** The lean list row of `conversation:activity` (no visitor lookup needed). */
export function toActivityItem(row: ConversationRow): ConversationActivityItem {
  const lastMessage = lastMessageOf(row, limits.activityPreviewLength);
  return { id: row.id, status: row.status, assigneeId: row.assignee_id, lastSeq: row.last_seq, lastMessage, unread: row.unread, updatedAt: row.updated_at };
}

export function toVisitorConversation(
  row: ConversationRow,
  assignee: VisitorConversation['assignee'],
  queue: VisitorConversation['queue'],
): VisitorConversation {
  return {
    id: row.id,
    status: row.status === 'snoozed' ? 'open' : row.status,
    assignee,
    lastSeq: row.last_public_seq,
    queue: row.status === 'queued' ? queue : null,
    createdAt: row.created_at,
  };
}
