import { statusesKeptBy } from '@kefu/core';
import { sql } from 'kysely';
import type { Database } from '../database.js';
import type { VisitorConversation } from '@kefu/protocol';
import { toVisitorAssignee } from '../repos/agents.js';
import { conversationColumns, type ConversationRow } from '../repos/conversations.js';
import { markWithoutAttachments, type MessageRow } from '../repos/messages.js';
import { newMessageId, nowIso } from '../util.js';

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

/** A conversation as the short path returns it: with its new message's id and what the views need. */
export type Returned = ConversationRow & {
  message_id: string;
  message_prev_public_seq: number;
  sender_name: string | null;
  sender_email: string | null;
  assignee_name: string | null;
  assignee_avatar_url: string | null;
};

// The statuses a visitor's message leaves alone: for those it moves only the summary.
export const KEPT = statusesKeptBy('visitor_message');

/**
 * PostgreSQL: visitors' text messages, each into its own conversation (at most one per conversation),
 * when they do not move the conversation's status, as one statement: check each sender (the visitor
 * of this inbox, the body within the inbox's length limit), lock the rows (in id order, as a drain
 * does), insert each message with its conversation's next seq, update the summaries, and read what
 * the views need (the sender, the assignee's name). One round trip and one commit for all of them
 * instead of seven round trips each (sender, BEGIN, lock, insert, update, COMMIT, assignee); atomic:
 * the row locks order concurrent sends, the (conversation, seq) and (author, clientMsgId) unique keys
 * hold as in the general path (a repeat fails the statement, and the caller runs its sends alone:
 * see send-batch.ts).
 *
 * For each send, in order: what was stored, or undefined when one of its checks failed (not this
 * inbox's visitor, body too long, not their conversation, another status: snoozed, resolved): nothing
 * was written for it, and the general path gives the right answer or error.
 */
export async function appendInOneStatement(db: Database, sends: OneStatementSend[]): Promise<(OneStatementAppend | undefined)[]> {
  const ids = sends.map(() => newMessageId());
  const now = nowIso();
  const column = <T>(pick: (send: OneStatementSend) => T) => sends.map(pick);
  // `target` takes the locks and reads each conversation's seqs as the last committed send left them;
  // the outer UPDATE then finds each row's newest version (READ COMMITTED follows the update chain), so
  // `unread + 1` builds on it too. Each step reads the one before it and carries on what the later ones
  // need (the insert runs although nothing reads it), and the assignee is joined once: steps that looked
  // a send up in an earlier one (a subquery per row, a join of two CTEs, neither indexed) compared every
  // send with every other, 4 000 comparisons for a full batch (docs/benchmarks.md, change 90).
  const { rows } = await sql<Returned>`
    with input as (
      select * from unnest(
        ${column((s) => s.visitorId)}::text[], ${column((s) => s.inboxId)}::text[], ${column((s) => s.conversationId)}::text[],
        ${column((s) => s.bodyLength)}::int[], ${ids}::text[], ${column((s) => s.clientMsgId)}::text[], ${column((s) => s.body)}::text[]
      ) as input(visitor_id, inbox_id, conversation_id, body_length, message_id, client_msg_id, body)
    ), checked as (
      select input.*, visitors.name as sender_name, visitors.email as sender_email from input
      join visitors on visitors.id = input.visitor_id
      join inboxes on inboxes.id = visitors.inbox_id and inboxes.id = input.inbox_id
      where input.body_length <= inboxes.max_message_length
    ), target as (
      select conversations.id, conversations.last_seq + 1 as seq, conversations.last_public_seq as prev_public_seq, conversations.assignee_id, checked.*
      from conversations
      join checked on checked.conversation_id = conversations.id and checked.visitor_id = conversations.visitor_id
      where conversations.status = any(${KEPT})
      order by conversations.id
      for update of conversations
    ), message as (
      insert into messages (id, conversation_id, seq, prev_public_seq, client_msg_id, author_type, author_id, author_name, kind, body, created_at, whisper_to)
      select message_id, id, seq, prev_public_seq, client_msg_id, 'visitor', visitor_id, sender_name, 'text', body, ${now}, null from target
    )
    update conversations set
      last_seq = target.seq, last_public_seq = target.seq, unread = conversations.unread + 1,
      last_message_body = target.body, last_message_author_type = 'visitor', last_message_at = ${now}, updated_at = ${now}
    from target
    left join agents on agents.id = target.assignee_id
    where conversations.id = target.id
    returning conversations.*, target.message_id, target.prev_public_seq as message_prev_public_seq, target.sender_name, target.sender_email,
      agents.name as assignee_name, agents.avatar_url as assignee_avatar_url
  `.execute(db.db);
  const byMessage = new Map(rows.map((row) => [row.message_id, row]));
  return sends.map((send, i) => {
    const returned = byMessage.get(ids[i]!);
    return returned && appended(send, returned, now);
  });
}

/** The stored message and the views' parts, from what the statement returned. */
export function appended(send: OneStatementSend, returned: Returned, now: string): OneStatementAppend {
  const {
    message_id: id,
    message_prev_public_seq: prevPublicSeq,
    sender_name: senderName,
    sender_email: email,
    assignee_name: name,
    assignee_avatar_url: avatarUrl,
  } = returned;
  const conversation = conversationColumns(returned);
  const message: MessageRow = {
    id,
    conversation_id: conversation.id,
    seq: conversation.last_seq,
    prev_public_seq: prevPublicSeq,
    client_msg_id: send.clientMsgId,
    author_type: 'visitor',
    author_id: send.visitorId,
    author_name: senderName,
    kind: 'text',
    body: send.body,
    created_at: now,
    whisper_to: null,
  };
  markWithoutAttachments(message);
  const assignee = name === null ? null : toVisitorAssignee({ name, avatar_url: avatarUrl });
  return { message, conversation, sender: { id: send.visitorId, name: senderName, email }, assignee };
}
