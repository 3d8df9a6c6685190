import type { Message } from '@kefu/protocol';
import type { Executor } from '../database.js';
import type { MessagesTable } from '../schema.js';
import { attachmentsByMessage } from './attachments.js';

export type MessageRow = MessagesTable;
export type Audience = 'visitor' | 'agent';

/** prevSeq depends on the audience: visitors never see notes, so theirs skips them. */
export function toMessage(row: MessageRow, audience: Audience, attachments: Message['attachments'] = []): Message {
  return {
    id: row.id,
    conversationId: row.conversation_id,
    seq: row.seq,
    prevSeq: audience === 'visitor' ? row.prev_public_seq : row.seq - 1,
    clientMsgId: row.client_msg_id,
    author: { type: row.author_type, id: row.author_id, name: row.author_name },
    kind: row.kind,
    body: row.body,
    attachments,
    createdAt: row.created_at,
    ...(row.whisper_to && audience === 'agent' ? { whisperTo: row.whisper_to } : {}),
  };
}

/** Rows this process created with no attachment: their views need no attachments query. */
const withoutAttachments = new WeakSet<MessageRow>();
export const markWithoutAttachments = (row: MessageRow): void => void withoutAttachments.add(row);

export async function toMessages(db: Executor, rows: MessageRow[], audience: Audience): Promise<Message[]> {
  const unknown = rows.filter((row) => !withoutAttachments.has(row)).map((row) => row.id);
  const attachments = unknown.length > 0 ? await attachmentsByMessage(db, unknown) : new Map<string, Message['attachments']>();
  return rows.map((row) => toMessage(row, audience, attachments.get(row.id)));
}

export const findMessageByClientId = (
  db: Executor,
  author: { type: 'visitor' | 'agent'; id: string },
  clientMsgId: string,
): Promise<MessageRow | undefined> =>
  db
    .selectFrom('messages')
    .selectAll()
    .where('author_type', '=', author.type)
    .where('author_id', '=', author.id)
    .where('client_msg_id', '=', clientMsgId)
    .executeTakeFirst();

export const insertMessageRow = (db: Executor, row: MessageRow): Promise<unknown> =>
  db.insertInto('messages').values(row).execute();

/**
 * seq columns are 32-bit integers; PostgreSQL refuses a larger number even in a comparison, so
 * client-given bounds (any safe integer on the wire) are clamped to it: no seq exceeds it anyway.
 */
const MAX_SEQ = 2_147_483_647;

/** Messages after `afterSeq` in ascending order, one more than `limit` to tell whether there are more. */
export async function messagesAfter(db: Executor, conversationId: string, afterSeq: number, limit: number, audience: Audience) {
  let query = db
    .selectFrom('messages')
    .selectAll()
    .where('conversation_id', '=', conversationId)
    .where('seq', '>', Math.min(afterSeq, MAX_SEQ))
    .orderBy('seq', 'asc')
    .limit(limit + 1);
  if (audience === 'visitor') query = query.where('kind', '!=', 'note');
  const rows = await query.execute();
  return { rows: rows.slice(0, limit), hasMore: rows.length > limit };
}

/** The `limit` messages before `beforeSeq` (or the latest), returned in ascending order. */
export async function messagesBefore(
  db: Executor,
  conversationId: string,
  beforeSeq: number | undefined,
  limit: number,
  audience: Audience,
) {
  let query = db
    .selectFrom('messages')
    .selectAll()
    .where('conversation_id', '=', conversationId)
    .orderBy('seq', 'desc')
    .limit(limit + 1);
  // Every seq is below a beforeSeq past the column's range, so that bound is no bound.
  if (beforeSeq !== undefined && beforeSeq <= MAX_SEQ) query = query.where('seq', '<', beforeSeq);
  if (audience === 'visitor') query = query.where('kind', '!=', 'note');
  const rows = await query.execute();
  return { rows: rows.slice(0, limit).reverse(), hasMore: rows.length > limit };
}

/** Visitor messages after `seq`: what agents have not read yet. */
export async function countVisitorMessagesAfter(db: Executor, conversationId: string, seq: number): Promise<number> {
  const row = await db
    .selectFrom('messages')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('conversation_id', '=', conversationId)
    .where('author_type', '=', 'visitor')
    .where('seq', '>', seq)
    .executeTakeFirst();
  return Number(row?.n ?? 0);
}
