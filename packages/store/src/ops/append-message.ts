import { STARTING_NEW } from '@kefu/core';
import { KefuError } from '@kefu/protocol';
import { sql, type Compilable, type QueryCreator } from 'kysely';
import type { Dialect, Executor } from '../database.js';
import type { DB } from '../schema.js';
import { bindAttachments } from '../repos/attachments.js';
import { insertConversation, newConversationRow, NEXT_NUMBER, type ConversationRow } from '../repos/conversations.js';
import { insertMessageRow, markWithoutAttachments, type MessageRow } from '../repos/messages.js';
import { newId, newMessageId, nowIso } from '../util.js';

export type NewMessage = {
  kind: MessageRow['kind'];
  body: string;
  author: { type: MessageRow['author_type']; id: string | null; name: string | null };
  clientMsgId?: string | null;
  attachmentIds?: string[];
  /** A whisper: the agent it is for (kind `note`). */
  whisperTo?: string | null;
};

/**
 * Appends a message inside the caller's transaction. The seq comes from the conversation row under
 * its lock, held until commit: gapless and unique per conversation on every node. `set` carries the
 * caller's other conversation changes (status, assignee) into the same write.
 *
 * `locked`: the conversation as this transaction read it under its row lock (FOR UPDATE on
 * PostgreSQL; SQLite runs one transaction at a time), or wrote it. Its seqs are current, so the
 * message needs no separate increment: one statement fewer per message. Without it the seq comes
 * from an UPDATE … RETURNING, which takes the lock.
 */
export async function appendMessage(
  tx: Executor,
  conversationId: string,
  message: NewMessage,
  set: Partial<ConversationRow> = {},
  locked?: ConversationRow,
): Promise<{ message: MessageRow; conversation: ConversationRow }> {
  const next = locked?.id === conversationId ? nextOfLocked(locked, message) : await bumpSeq(tx, conversationId, message);
  const now = nowIso();
  const row = messageRowOf(conversationId, next, message, now);
  await insertMessageRow(tx, row);
  await bindOwnAttachments(tx, row, message.attachmentIds ?? []);
  // Object.assign, not spreads, for objects that gain keys: docs/benchmarks.md, change 85.
  const fields = Object.assign({}, next.set, summaryOf(row, next.firstResponseAt), set);
  fields.updated_at = now;
  const conversation = await tx
    .updateTable('conversations')
    // unread stays relative: on SQLite a read mark (outside this transaction's job) may reset it meanwhile.
    .set((eb) => (next.unreadGrows ? Object.assign({}, fields, { unread: eb('unread', '+', 1) }) : fields))
    .where('id', '=', conversationId)
    .returningAll()
    .executeTakeFirstOrThrow();
  return { message: row, conversation };
}

/** A conversation started with its first message. */
export type Started = { message: MessageRow; conversation: ConversationRow };

/**
 * A new conversation with its first message. The conversation is inserted with the message's
 * summary already (seq 1, preview, unread), so no update follows: one statement fewer than a message
 * into an existing conversation.
 */
export async function startConversation(
  tx: Executor,
  dialect: Dialect,
  conversation: { inboxId: string; visitorId: string },
  message: NewMessage,
): Promise<Started> {
  const { row, summary } = firstMessageOf(message);
  const inserted = await insertConversation(tx, dialect, { ...conversation, id: row.conversation_id, summary });
  await insertMessageRow(tx, row);
  await bindOwnAttachments(tx, row, message.attachmentIds ?? []);
  return { message: row, conversation: inserted };
}

/**
 * PostgreSQL, for a visitor's message under their row lock: their open conversation (the newest one
 * not in a status after which a message starts anew: resolved), locked, or, when there is none, a
 * new one started with this message. One statement where the general way takes three (the current
 * conversation, the conversation, the message): a new conversation's first message is half of what
 * its routing waits for. The row lock taken before this statement began is what keeps a second tab
 * from starting a second conversation: this statement's snapshot sees whatever the first tab
 * committed.
 */
export async function openOrStartConversation(
  tx: Executor,
  conversation: { inboxId: string; visitorId: string },
  message: NewMessage,
): Promise<{ open: ConversationRow } | { started: Started }> {
  const { row, summary } = firstMessageOf(message);
  const started = newConversationRow({ ...conversation, id: row.conversation_id, summary }, NEXT_NUMBER);
  // One that an agent resolves meanwhile is skipped once its lock is granted (the row no longer
  // matches; LIMIT applies after the lock): the next older unresolved one (a reopened one) is taken,
  // else a new one starts. That is what the message would have found had the resolve come a moment
  // before it; the general way's read then lock started a new one even beside a reopened one.
  const { rows } = await sql<ConversationRow & { is_new: boolean }>`
    with current_open as (
      select * from conversations
      where visitor_id = ${conversation.visitorId} and status <> all(${STARTING_NEW})
      order by created_at desc, number desc
      limit 1
      for update
    ), started as (
      ${insertSelect('conversations', started)} where not exists (select 1 from current_open) returning *
    ), message as (
      ${insertSelect('messages', row)} where exists (select 1 from started)
    )
    select true as is_new, * from started
    union all
    select false as is_new, * from current_open
  `.execute(tx);
  const { is_new: isNew, ...found } = rows[0]!;
  if (!isNew) return { open: found };
  await bindOwnAttachments(tx, row, message.attachmentIds ?? []);
  return { started: { message: row, conversation: found } };
}

/** `insert into table (its columns) select (the row's values)`, for a WHERE to follow. */
const insertSelect = (table: 'conversations' | 'messages', row: object) =>
  sql`insert into ${sql.table(table)} (${sql.join(Object.keys(row).map((column) => sql.ref(column)))}) select ${sql.join(Object.values(row))}`;

/** A new conversation's first message (seq 1), and the summary the conversation is inserted with. */
function firstMessageOf(message: NewMessage): { row: MessageRow; summary: Partial<ConversationRow> } {
  const row = messageRowOf(newId(), { seq: 1, prevPublicSeq: 0 }, message, nowIso());
  return { row, summary: { ...summaryOf(row, null), last_seq: 1, unread: unreadGrows(message) ? 1 : 0 } };
}

function messageRowOf(conversationId: string, next: { seq: number; prevPublicSeq: number }, message: NewMessage, now: string): MessageRow {
  return {
    id: newMessageId(),
    conversation_id: conversationId,
    seq: next.seq,
    prev_public_seq: next.prevPublicSeq,
    client_msg_id: message.clientMsgId ?? null,
    author_type: message.author.type,
    author_id: message.author.id,
    author_name: message.author.name,
    kind: message.kind,
    body: message.body,
    created_at: now,
    whisper_to: message.whisperTo ?? null,
  };
}

export const SYSTEM: NewMessage['author'] = { type: 'system', id: null, name: null };

/** A system line for a conversation read under its row lock, with the caller's other changes to it. */
export type LockedLine = { locked: ConversationRow; body: string; set: Partial<ConversationRow> };

/** A write that goes with the lines (an assignment's record, the agents' marks): see appendLockedLines. */
export type AlongsideWrite = (db: QueryCreator<DB>) => Compilable & { execute(): Promise<unknown> };

/**
 * System lines for several locked conversations (a drain's "X joined the conversation"): one insert
 * for the messages and one update for the conversations, whatever their number. A column whose new
 * value differs between the conversations (the assignee) is set by a CASE on the id; the values of
 * `set` are strings or null (status, assignee, queue columns). On PostgreSQL the insert and the
 * `alongside` writes are data-modifying CTEs of the update, so all of it is one round trip while the
 * routing lock is held; on SQLite (in-process, no round trips) they run one after the other. Without
 * lines, the `alongside` writes run alone.
 */
export async function appendLockedLines(
  tx: Executor,
  dialect: Dialect,
  lines: LockedLine[],
  alongside: AlongsideWrite[] = [],
): Promise<{ messages: MessageRow[]; conversations: Map<string, ConversationRow> }> {
  if (lines.length === 0) {
    for (const write of alongside) await write(tx).execute();
    return { messages: [], conversations: new Map() };
  }
  const now = nowIso();
  const messages = lines.map(({ locked, body }) =>
    messageRowOf(locked.id, { seq: locked.last_seq + 1, prevPublicSeq: locked.last_public_seq }, { kind: 'event', body, author: SYSTEM }, now),
  );
  const writes: AlongsideWrite[] = [...alongside, (db) => db.insertInto('messages').values(messages)];
  let creator: QueryCreator<DB> = tx;
  // Kysely adds each CTE's rows to the types; these are only run, never read, hence the casts.
  if (dialect === 'postgres') writes.forEach((write, i) => (creator = creator.with(`write_${i}`, write as never) as unknown as QueryCreator<DB>));
  else for (const write of writes) await write(tx).execute();
  messages.forEach(markWithoutAttachments);
  const rows = await creator
    .updateTable('conversations')
    .set({
      ...setPerConversation(lines),
      // An event is public and moves no preview: the new seq is also the last public one.
      last_seq: sql<number>`${sql.ref('last_seq')} + 1`,
      last_public_seq: sql<number>`${sql.ref('last_seq')} + 1`,
      updated_at: now,
    })
    .where('id', 'in', lines.map((line) => line.locked.id))
    .returningAll()
    .execute();
  return { messages, conversations: new Map(rows.map((row) => [row.id, row])) };
}

/** Each column of the lines' `set`: its value when all agree, else a CASE on the conversation id. */
function setPerConversation(lines: LockedLine[]): Record<string, unknown> {
  const columns = new Set(lines.flatMap((line) => Object.keys(line.set))) as Set<keyof ConversationRow>;
  const set: Record<string, unknown> = {};
  for (const column of columns) {
    // A line without the column keeps its current value.
    const values = lines.map((line) => (column in line.set ? line.set[column] : sql.ref(column)));
    set[column] = values.every((value) => value === values[0])
      ? values[0]
      : sql`case ${sql.ref('id')} ${sql.join(lines.map((line, i) => sql`when ${line.locked.id} then ${values[i]}`), sql` `)} end`;
  }
  return set;
}

type NextSeq = { seq: number; prevPublicSeq: number; firstResponseAt: string | null; set: Partial<ConversationRow>; unreadGrows: boolean };

/** Agents have not read what a visitor just wrote. */
const unreadGrows = (message: NewMessage) => message.author.type === 'visitor';

/** From the locked row: the counters move with the summary, in its one UPDATE. */
function nextOfLocked(row: ConversationRow, message: NewMessage): NextSeq {
  const seq = row.last_seq + 1;
  return { seq, prevPublicSeq: row.last_public_seq, firstResponseAt: row.first_response_at, set: { last_seq: seq }, unreadGrows: unreadGrows(message) };
}

/** Takes the next seq (and the row lock) with an UPDATE of its own. */
async function bumpSeq(tx: Executor, conversationId: string, message: NewMessage): Promise<NextSeq> {
  const bumped = await tx
    .updateTable('conversations')
    .set((eb) => ({
      last_seq: eb('last_seq', '+', 1),
      unread: unreadGrows(message) ? eb('unread', '+', 1) : eb.ref('unread'),
    }))
    .where('id', '=', conversationId)
    .returning(['last_seq', 'last_public_seq', 'first_response_at'])
    .executeTakeFirstOrThrow();
  return { seq: bumped.last_seq, prevPublicSeq: bumped.last_public_seq, firstResponseAt: bumped.first_response_at, set: {}, unreadGrows: false };
}

async function bindOwnAttachments(tx: Executor, row: MessageRow, ids: string[]): Promise<void> {
  if (ids.length === 0) return markWithoutAttachments(row);
  const owner = row.author_type === 'system' || !row.author_id ? null : { type: row.author_type, id: row.author_id };
  if (!owner || !(await bindAttachments(tx, ids, owner, row.id))) {
    throw new KefuError('bad_request', 'attachmentIds: unknown, already used, or not your upload');
  }
}

/** The conversation columns a new message moves: last public seq, preview, unread, first response. */
function summaryOf(row: MessageRow, firstResponseAt: string | null): Partial<ConversationRow> {
  const set: Partial<ConversationRow> = {};
  if (row.kind !== 'note') set.last_public_seq = row.seq;
  if (row.kind !== 'event') {
    set.last_message_body = row.body;
    set.last_message_author_type = row.author_type;
    set.last_message_at = row.created_at;
  }
  if (row.author_type === 'agent' && row.kind === 'text' && !firstResponseAt) set.first_response_at = row.created_at;
  return set;
}
