import { sql } from 'kysely';
import type { Executor } from '../database.js';
import { findConversation, type ConversationRow } from '../repos/conversations.js';

export type ReadMark = { conversation: ConversationRow; seq: number };

/**
 * Moves a read position forward, never back, in one UPDATE, so concurrent marks cannot undo each
 * other. A visitor's is capped at the last message they can see (no hint of private notes after
 * it); an agent's resets `unread` to the visitor messages still after it. Null when nothing moved.
 */
export async function markRead(db: Executor, conversationId: string, by: 'visitor' | 'agent', seq: number): Promise<ReadMark | null> {
  const row = await findConversation(db, conversationId);
  if (!row) return null;
  const upTo = Math.min(seq, by === 'visitor' ? row.last_public_seq : row.last_seq);
  const column = by === 'visitor' ? 'visitor_read_seq' : 'agent_read_seq';
  let update = db.updateTable('conversations').set({ [column]: upTo }).where('id', '=', conversationId).where(column, '<', upTo);
  if (by === 'agent') {
    update = update.set({
      unread: sql<number>`(select count(*) from messages where conversation_id = ${conversationId} and author_type = 'visitor' and seq > ${upTo})`,
    });
  }
  const updated = await update.returningAll().executeTakeFirst();
  return updated ? { conversation: updated, seq: upTo } : null;
}
