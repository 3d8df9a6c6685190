import { statusesKeptBy } from '@kefu/core';
import { sql } from 'kysely';
import type { Database } from '../database.js';
import type { VisitorConversation } from '@kefu/protocol';
import type { ConversationRow } from '../repos/conversations.js';
import { markWithoutAttachments, type MessageRow } from '../repos/messages.js';
import { newId, nowIso } from '../util.js';

export type OneStatementSend = {
  visitorId: string;
  inboxId: string;
  conversationId: string;
  clientMsgId: string;
  /** Normalised (core normalizeBody), and its length as core counts it (countCharacters). */
  body: string;
  bodyLength: number;
};

/** The stored message and conversation, and what the same statement read: the sender, the assignee as visitors see it. */
export type OneStatementAppend = {
  message: MessageRow;
  conversation: ConversationRow;
  sender: { id: string; name: string | null; email: string | null };
  assignee: VisitorConversation['assignee'];
};

type Returned = ConversationRow & {
  message_prev_public_seq: number;
  sender_name: string | null;
  sender_email: string | null;
  assignee_name: string | null;
  assignee_avatar_url: string | null;
};

// The statuses a visitor's message leaves alone: for those it moves only the summary.
const KEPT = statusesKeptBy('visitor_message');

/**
 * PostgreSQL: a visitor's text message into their conversation, when it does not move the
 * conversation's status, as one statement: check the sender (the visitor of this inbox, the body within
 * the inbox's length limit), lock the row, insert the message with the next seq, update the summary,
 * and read what the views need (the sender, the assignee's name). One round trip instead of seven
 * (sender, BEGIN, lock, insert, update, COMMIT, assignee), and atomic on its own: the row lock orders
 * concurrent sends, the (conversation, seq) and (author, clientMsgId) unique keys hold as in the
 * general path (a repeat fails here and is answered by the caller's replay).
 *
 * undefined when any check fails (not this inbox's visitor, body too long, not their conversation,
 * another status: snoozed, resolved): nothing was written, and the general path gives the right answer
 * or error.
 */
export async function appendInOneStatement(db: Database, input: OneStatementSend): Promise<OneStatementAppend | undefined> {
  const id = newId();
  const now = nowIso();
  // The lock is taken in `target`; the outer UPDATE then finds the row's newest version (READ COMMITTED
  // follows the update chain), so `unread + 1` and the seqs build on the last committed send.
  const { rows } = await sql<Returned>`
    with sender as (
      select visitors.name, visitors.email from visitors join inboxes on inboxes.id = visitors.inbox_id
      where visitors.id = ${input.visitorId} and inboxes.id = ${input.inboxId} and ${input.bodyLength}::int <= inboxes.max_message_length
    ), target as (
      select id, last_seq, last_public_seq from conversations
      where id = ${input.conversationId} and visitor_id = ${input.visitorId} and status = any(${KEPT}) and exists (select 1 from sender)
      for update
    ), message as (
      insert into messages (id, conversation_id, seq, prev_public_seq, client_msg_id, author_type, author_id, author_name, kind, body, created_at, whisper_to)
      select ${id}, target.id, target.last_seq + 1, target.last_public_seq, ${input.clientMsgId}, 'visitor', ${input.visitorId}, sender.name, 'text', ${input.body}, ${now}, null
      from target, sender
      returning seq, prev_public_seq
    )
    update conversations set
      last_seq = message.seq, last_public_seq = message.seq, unread = conversations.unread + 1,
      last_message_body = ${input.body}, last_message_author_type = 'visitor', last_message_at = ${now}, updated_at = ${now}
    from message
    where conversations.id = ${input.conversationId}
    returning conversations.*, message.prev_public_seq as message_prev_public_seq,
      (select name from sender) as sender_name, (select email from sender) as sender_email,
      (select name from agents where id = conversations.assignee_id) as assignee_name,
      (select avatar_url from agents where id = conversations.assignee_id) as assignee_avatar_url
  `.execute(db.db);
  const returned = rows[0];
  if (!returned) return undefined;
  const { message_prev_public_seq: prevPublicSeq, sender_name: senderName, sender_email: email, assignee_name: name, assignee_avatar_url: avatarUrl, ...conversation } =
    returned;
  const message: MessageRow = {
    id,
    conversation_id: conversation.id,
    seq: conversation.last_seq,
    prev_public_seq: prevPublicSeq,
    client_msg_id: input.clientMsgId,
    author_type: 'visitor',
    author_id: input.visitorId,
    author_name: senderName,
    kind: 'text',
    body: input.body,
    created_at: now,
    whisper_to: null,
  };
  markWithoutAttachments(message);
  const assignee = name === null ? null : { name, ...(avatarUrl ? { avatarUrl } : {}) };
  return { message, conversation, sender: { id: input.visitorId, name: senderName, email }, assignee };
}
