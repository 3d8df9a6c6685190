import { sql, type RawBuilder } from 'kysely';
import type { Database, Executor } from '../database.js';
import { findConversations, type ConversationRow } from '../repos/conversations.js';
import type { MessageRow } from '../repos/messages.js';
import { inboxColumn } from '../util.js';
import { ftsMatchOf, matchesPhrases, searchGroups, snippetOf, tsQueryOf } from '../search-text.js';

export type SearchInput = {
  query: string;
  /** Only conversations of these inboxes (the policy's choice: see searchScope in @kefu/core). */
  inboxIds: string[];
  cursor?: string | undefined;
  limit: number;
  snippetLength: number;
};

export type SearchRow = {
  conversation: ConversationRow;
  field: 'name' | 'email' | 'message';
  text: string;
  messageId: string | null;
  seq: number | null;
  createdAt: string;
};

export type SearchPage = { rows: SearchRow[]; nextCursor: string | null };

/**
 * Shopper names and emails (substring, any case) and message bodies (the full-text index) of the
 * given inboxes. The first page starts with up to `limit` shopper matches, newest conversation first;
 * every page then holds up to `limit` message matches, newest first, keyset-paginated. Returns null
 * for a cursor this function did not give out.
 */
export async function searchConversations(db: Pick<Database, 'db' | 'dialect' | 'searchIndex'>, input: SearchInput): Promise<SearchPage | null> {
  const groups = searchGroups(input.query);
  if (input.inboxIds.length === 0 || groups.length === 0) return { rows: [], nextCursor: null };
  const after = input.cursor === undefined ? undefined : decodeCursor(input.cursor);
  if (after === null) return null;
  await db.searchIndex?.catchUp();
  const people = after === undefined ? await visitorMatches(db, input) : [];
  const page = await messageMatches(db, input, groups, after);
  const conversations = await findConversations(db.db, [...people.map((p) => p.conversation_id), ...page.rows.map((m) => m.conversation_id)]);
  const rows: SearchRow[] = [];
  for (const p of people) {
    const conversation = conversations.get(p.conversation_id);
    if (conversation) rows.push({ conversation, field: p.field, text: p.text, messageId: null, seq: null, createdAt: conversation.created_at });
  }
  for (const m of page.rows) {
    const conversation = conversations.get(m.conversation_id);
    if (!conversation) continue;
    rows.push({ conversation, field: 'message', text: snippetOf(m.body, groups, input.snippetLength), messageId: m.id, seq: m.seq, createdAt: m.created_at });
  }
  return { rows, nextCursor: page.nextCursor };
}

type PersonMatch = { conversation_id: string; field: 'name' | 'email'; text: string };

/** `%`, `_` and the escape character itself match literally. */
const likePattern = (query: string): string => `%${query.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;

async function visitorMatches(db: Pick<Database, 'db' | 'dialect'>, input: SearchInput): Promise<PersonMatch[]> {
  const pattern = likePattern(input.query.trim());
  // Both sides lower-cased: SQLite's LIKE ignores case of ASCII letters only.
  const like = (column: RawBuilder<unknown>) => sql<boolean>`lower(${column}) like ${pattern} escape '\\'`;
  const rows = await db.db
    .selectFrom('conversations as c')
    .innerJoin('visitors as v', 'v.id', 'c.visitor_id')
    .select(['c.id as conversation_id', 'v.name', 'v.email'])
    // One inbox: its index on (inbox_id, created_at) comes in order.
    .where(inboxColumn(db.dialect, 'c.inbox_id', input.inboxIds), 'in', input.inboxIds)
    .where((eb) => eb.or([like(sql.ref('v.name')), like(sql.ref('v.email'))]))
    // Newest conversation first, through the index on created_at: no index keeps updated_at, which every message moves (migration 011).
    .orderBy('c.created_at', 'desc')
    .orderBy('c.id', 'desc')
    .limit(input.limit)
    .execute();
  const needle = input.query.trim().toLowerCase();
  return rows.map((r) =>
    r.name !== null && r.name.toLowerCase().includes(needle)
      ? { conversation_id: r.conversation_id, field: 'name', text: r.name }
      : { conversation_id: r.conversation_id, field: 'email', text: r.email ?? '' },
  );
}

/** SQLite pages by the index's own rowid (insertion order); PostgreSQL by (created_at, id). */
type Cursor = { rowid: number } | { createdAt: string; id: string };

function decodeCursor(cursor: string): Cursor | null {
  try {
    const value: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString());
    if (typeof value === 'number' && Number.isSafeInteger(value) && value > 0) return { rowid: value };
    const pair = Array.isArray(value) && value.length === 2 && value.every((v) => typeof v === 'string' && !v.includes('\u0000'));
    return pair ? { createdAt: (value as string[])[0]!, id: (value as string[])[1]! } : null;
  } catch {
    return null;
  }
}
const encodeCursor = (value: number | [string, string]): string => Buffer.from(JSON.stringify(value)).toString('base64url');

type MessagePage = { rows: MessageRow[]; nextCursor: string | null };

async function messageMatches(db: Pick<Database, 'db' | 'dialect' | 'searchIndex'>, input: SearchInput, groups: string[][], after: Cursor | undefined): Promise<MessagePage> {
  const inboxes = sql.join(input.inboxIds);
  const take = input.limit + 1;
  if (db.dialect === 'sqlite') {
    if (!db.searchIndex) throw new Error('search on SQLite needs a store file: an in-memory store keeps no search index');
    if (after && !('rowid' in after)) return { rows: [], nextCursor: null };
    const before = after ? sql`and f.rowid < ${after.rowid}` : sql``;
    // The index's file is attached as `search` to the connection searchIndex.read uses (search-index.ts).
    const rows = db.searchIndex.read<MessageRow & { fts_rowid: number }>(
      sql`
      select m.*, f.rowid as fts_rowid from search.messages_fts f
      join messages m on m.id = f.message_id
      join conversations c on c.id = m.conversation_id
      where f.messages_fts match ${ftsMatchOf(groups)} and c.inbox_id in (${inboxes}) ${before}
      order by f.rowid desc limit ${take}`.compile(db.db),
    );
    const last = rows[input.limit - 1];
    return { rows: rows.slice(0, input.limit), nextCursor: rows.length > input.limit && last ? encodeCursor(last.fts_rowid) : null };
  }
  if (after && 'rowid' in after) return { rows: [], nextCursor: null };
  return postgresMessageMatches(db.db, input, groups, after);
}

/**
 * The GIN index answers "has all these words" without reading a row, but "these words next to each
 * other" (a CJK phrase, `abc-123`) makes PostgreSQL recompute the indexed expression of every
 * candidate row. So the index finds the candidates, newest first, and the phrase is checked here on
 * the few rows a page needs (`matchesPhrases`, the same rule as FTS5's phrases on SQLite).
 */
async function postgresMessageMatches(db: Executor, input: SearchInput, groups: string[][], after: { createdAt: string; id: string } | undefined): Promise<MessagePage> {
  const inboxes = sql.join(input.inboxIds);
  const batch = (input.limit + 1) * 4;
  const hits: MessageRow[] = [];
  let position = after;
  for (let round = 0; round < MAX_ROUNDS; round++) {
    const before = position ? sql`and (m.created_at, m.id) < (${position.createdAt}, ${position.id})` : sql``;
    // The expression and the kind filter are the index's own (migration 004), or the index is not used.
    const { rows } = await sql<MessageRow>`
      select m.* from messages m
      join conversations c on c.id = m.conversation_id
      where to_tsvector('simple', kefu_search_text(m.body)) @@ to_tsquery('simple', ${tsQueryOf(groups)})
        and m.kind <> 'event' and c.inbox_id in (${inboxes}) ${before}
      order by m.created_at desc, m.id desc limit ${batch}`.execute(db);
    for (const row of rows) {
      if (matchesPhrases(row.body, groups)) hits.push(row);
      position = { createdAt: row.created_at, id: row.id };
      if (hits.length > input.limit) break;
    }
    if (hits.length > input.limit) {
      const last = hits[input.limit - 1]!;
      return { rows: hits.slice(0, input.limit), nextCursor: encodeCursor([last.created_at, last.id]) };
    }
    if (rows.length < batch) return { rows: hits, nextCursor: null };
  }
  // Many candidates and few phrase matches: a short page, and the next one goes on from here.
  return { rows: hits, nextCursor: position ? encodeCursor([position.createdAt, position.id]) : null };
}

/** Candidate batches one PostgreSQL page reads at most before it answers with what it has. */
const MAX_ROUNDS = 5;

