import { sql } from 'kysely';
import type { Executor } from '../database.js';
import { newMessageId, nowIso } from '../util.js';
import { appended, KEPT, type OneStatementAppend, type OneStatementSend, type Returned } from './append-in-one-statement.js';

/**
 * SQLite: the short path of appendInOneStatement, in two statements of the caller's transaction
 * (SQLite has no data-modifying CTEs). The insert reads the conversation, checks the sender (the
 * visitor of this inbox, the body within the inbox's length limit) and the status, and takes the next
 * seq; the update moves the summary and returns what the views need (the sender's email, the assignee
 * as visitors see them). Five statements before (sender, lock, insert, update, and the assignee for
 * the ack's view), inside the same savepoint pair of the group commit. SQLite runs one transaction at
 * a time, so nothing comes between the two.
 *
 * undefined when a check fails: nothing was written, and the general path gives the right answer or error.
 */
export async function appendInTwoStatements(tx: Executor, send: OneStatementSend): Promise<OneStatementAppend | undefined> {
  const id = newMessageId();
  const now = nowIso();
  const { rows: inserted } = await sql<{ seq: number; prev_public_seq: number }>`
    insert into messages (id, conversation_id, seq, prev_public_seq, client_msg_id, author_type, author_id, author_name, kind, body, created_at, whisper_to)
    select ${id}, conversations.id, conversations.last_seq + 1, conversations.last_public_seq, ${send.clientMsgId}, 'visitor', visitors.id, visitors.name, 'text', ${send.body}, ${now}, null
    from conversations
    join visitors on visitors.id = conversations.visitor_id
    join inboxes on inboxes.id = visitors.inbox_id
    where conversations.id = ${send.conversationId} and visitors.id = ${send.visitorId} and inboxes.id = ${send.inboxId}
      and conversations.status in (${sql.join(KEPT)}) and ${send.bodyLength} <= inboxes.max_message_length
    returning seq, prev_public_seq
  `.execute(tx);
  const message = inserted[0];
  if (!message) return undefined;
  const { seq } = message;
  const { rows } = await sql<Returned>`
    update conversations set
      last_public_seq = ${seq}, last_seq = ${seq}, unread = unread + 1,
      last_message_body = ${send.body}, last_message_author_type = 'visitor', last_message_at = ${now}, updated_at = ${now}
    where id = ${send.conversationId}
    returning *, ${id} as message_id, ${message.prev_public_seq} as message_prev_public_seq,
      (select name from visitors where id = conversations.visitor_id) as sender_name,
      (select email from visitors where id = conversations.visitor_id) as sender_email,
      (select name from agents where id = conversations.assignee_id) as assignee_name,
      (select avatar_url from agents where id = conversations.assignee_id) as assignee_avatar_url
  `.execute(tx);
  return appended(send, rows[0]!, now);
}
