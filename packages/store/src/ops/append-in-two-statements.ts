import type { Database } from '../database.js';
import type { Row, TwoStatements } from '../sqlite-writer.js';
import { newMessageId, nowIso } from '../util.js';
import { appended, KEPT, type OneStatementAppend, type OneStatementSend, type Returned } from './append-in-one-statement.js';

/**
 * SQLite: the short path of appendInOneStatement, in two statements (SQLite has no data-modifying
 * CTEs), run by the writer (sqlite-writer.ts). The insert reads the conversation, checks the
 * sender (the visitor of this inbox, the body within the inbox's length limit) and the status, and
 * takes the next seq; the update moves the summary and returns what the views need (the sender's
 * email, the assignee as visitors see them). Five statements before (sender, lock, insert, update, and
 * the assignee for the ack's view). Nothing comes between the two: SQLite's writes take turns.
 *
 * The statuses are the domain's own words (core), written into the text.
 */
const APPEND_TEXT: TwoStatements = {
  first: `
    insert into messages (id, conversation_id, seq, prev_public_seq, client_msg_id, author_type, author_id, author_name, kind, body, created_at, whisper_to)
    select @id, conversations.id, conversations.last_seq + 1, conversations.last_public_seq, @clientMsgId, 'visitor', visitors.id, visitors.name, 'text', @body, @now, null
    from conversations
    join visitors on visitors.id = conversations.visitor_id
    join inboxes on inboxes.id = visitors.inbox_id
    where conversations.id = @conversationId and visitors.id = @visitorId and inboxes.id = @inboxId
      and conversations.status in (${KEPT.map((status) => `'${status}'`).join(', ')}) and @bodyLength <= inboxes.max_message_length
    returning seq, prev_public_seq`,
  second: `
    update conversations set
      last_public_seq = @seq, last_seq = @seq, unread = unread + 1,
      last_message_body = @body, last_message_author_type = 'visitor', last_message_at = @now, updated_at = @now
    where id = @conversationId
    returning *, @id as message_id, @prev_public_seq as message_prev_public_seq,
      (select name from visitors where id = conversations.visitor_id) as sender_name,
      (select email from visitors where id = conversations.visitor_id) as sender_email,
      (select name from agents where id = conversations.assignee_id) as assignee_name,
      (select avatar_url from agents where id = conversations.assignee_id) as assignee_avatar_url`,
};

/**
 * The send stored by the writer; undefined when a check failed or there is no writer (PostgreSQL;
 * nothing was written): the general path then gives the right answer or error.
 */
export async function appendInTwoStatements(db: Database, send: OneStatementSend): Promise<OneStatementAppend | undefined> {
  const write = db.writeInTurn?.(APPEND_TEXT);
  if (!write) return undefined;
  const now = nowIso();
  const { visitorId, inboxId, conversationId, clientMsgId, body, bodyLength } = send;
  // Written out, not `{ ...send, id, now }`: docs/benchmarks.md, change 85.
  const row = await write({ visitorId, inboxId, conversationId, clientMsgId, body, bodyLength, id: newMessageId(), now } satisfies Row);
  return row && appended(send, row as Returned, now);
}
