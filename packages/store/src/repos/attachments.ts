import type { Attachment } from '@kefu/protocol';
import { sql } from 'kysely';
import type { Executor } from '../database.js';
import type { AttachmentsTable } from '../schema.js';
import { nowIso, randomKey } from '../util.js';

export type AttachmentRow = AttachmentsTable;
export type NewAttachment = Omit<AttachmentRow, 'id' | 'message_id' | 'created_at' | 'position'>;

/** Uploads are served from /api/uploads/:id; the id is random, long and unguessable. */
export const attachmentUrl = (id: string): string => `/api/uploads/${id}`;

export function toAttachment(row: AttachmentRow): Attachment {
  const attachment: Attachment = { id: row.id, name: row.name, mime: row.mime, size: row.size, url: attachmentUrl(row.id) };
  if (row.width !== null) attachment.width = row.width;
  if (row.height !== null) attachment.height = row.height;
  return attachment;
}

/** Makes an upload id (random, URL-safe); a caller that stores the file first passes it to insertAttachment. */
export const newAttachmentId = (): string => randomKey(18);

export async function insertAttachment(db: Executor, attachment: NewAttachment & { id?: string }): Promise<AttachmentRow> {
  const { id = newAttachmentId(), ...fields } = attachment;
  const row: AttachmentRow = { ...fields, id, message_id: null, created_at: nowIso(), position: null };
  await db.insertInto('attachments').values(row).execute();
  return row;
}

export const findAttachment = (db: Executor, id: string): Promise<AttachmentRow | undefined> =>
  db.selectFrom('attachments').selectAll().where('id', '=', id).executeTakeFirst();

/**
 * Binds the sender's own, still unbound uploads to a message, in the order the sender listed them
 * (uploads made at once finish in any order). Returns false when any id is unknown, someone else's,
 * or already used, so the caller can refuse the whole message.
 */
export async function bindAttachments(
  db: Executor,
  ids: string[],
  owner: { type: 'visitor' | 'agent'; id: string },
  messageId: string,
): Promise<boolean> {
  if (ids.length === 0) return true;
  const unique = [...new Set(ids)];
  const result = await db
    .updateTable('attachments')
    .set({
      message_id: messageId,
      position: sql<number>`case ${sql.ref('id')} ${sql.join(
        unique.map((id, i) => sql`when ${id} then ${sql.lit(i)}`),
        sql` `,
      )} end`,
    })
    .where('id', 'in', unique)
    .where('owner_type', '=', owner.type)
    .where('owner_id', '=', owner.id)
    .where('message_id', 'is', null)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === unique.length;
}

/**
 * Deletes the uploads never bound to a message that were made before `createdBefore`, and returns
 * their ids (the caller removes the files). One statement: an upload bound meanwhile is kept, and
 * a message naming one deleted here is refused like any unknown id.
 */
export async function deleteUnboundAttachments(db: Executor, createdBefore: string): Promise<string[]> {
  const rows = await db.deleteFrom('attachments').where('message_id', 'is', null).where('created_at', '<', createdBefore).returning('id').execute();
  return rows.map((row) => row.id);
}

export async function attachmentsByMessage(db: Executor, messageIds: string[]): Promise<Map<string, Attachment[]>> {
  const byMessage = new Map<string, Attachment[]>();
  if (messageIds.length === 0) return byMessage;
  const rows = await db
    .selectFrom('attachments')
    .selectAll()
    .where('message_id', 'in', messageIds)
    .orderBy('position')
    .orderBy('created_at')
    .orderBy('id')
    .execute();
  for (const row of rows) {
    const list = byMessage.get(row.message_id ?? '') ?? [];
    list.push(toAttachment(row));
    byMessage.set(row.message_id ?? '', list);
  }
  return byMessage;
}
