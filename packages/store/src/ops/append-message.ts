import { KefuError } from '@kefu/protocol';
import type { Executor } from '../database.js';
import { bindAttachments } from '../repos/attachments.js';
import { updateConversationRow, type ConversationRow } from '../repos/conversations.js';
import { insertMessageRow, markWithoutAttachments, type MessageRow } from '../repos/messages.js';
import { newId, nowIso } from '../util.js';

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
 * Appends a message inside the caller's transaction. The seq comes from an UPDATE of the conversation
 * row, which holds that row's lock until commit: gapless and unique per conversation on every node.
 * `set` carries the caller's other conversation changes (status, assignee) into the same write.
 */
export async function appendMessage(
  tx: Executor,
  conversationId: string,
  message: NewMessage,
  set: Partial<ConversationRow> = {},
): Promise<{ message: MessageRow; conversation: ConversationRow }> {
  const bumped = await tx
    .updateTable('conversations')
    .set((eb) => ({
      last_seq: eb('last_seq', '+', 1),
      // Agents have not read what a visitor just wrote.
      unread: message.author.type === 'visitor' ? eb('unread', '+', 1) : eb.ref('unread'),
    }))
    .where('id', '=', conversationId)
    .returning(['last_seq', 'last_public_seq', 'first_response_at'])
    .executeTakeFirstOrThrow();
  const now = nowIso();
  const row: MessageRow = {
    id: newId(),
    conversation_id: conversationId,
    seq: bumped.last_seq,
    prev_public_seq: bumped.last_public_seq,
    client_msg_id: message.clientMsgId ?? null,
    author_type: message.author.type,
    author_id: message.author.id,
    author_name: message.author.name,
    kind: message.kind,
    body: message.body,
    created_at: now,
    whisper_to: message.whisperTo ?? null,
  };
  await insertMessageRow(tx, row);
  await bindOwnAttachments(tx, row, message.attachmentIds ?? []);
  const conversation = await updateConversationRow(tx, conversationId, {
    ...summaryOf(row, bumped.first_response_at),
    ...set,
    updated_at: now,
  });
  return { message: row, conversation };
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
