import type { VisitorInfo } from '@kefu/protocol';
import type { Executor } from '../database.js';
import type { VisitorsTable } from '../schema.js';
import type { InboxRow } from './inboxes.js';
import { newId, nowIso } from '../util.js';

export type VisitorRow = VisitorsTable;
export type VisitorChanges = Partial<{
  name: string | null;
  email: string | null;
  page: { url: string; title?: string | undefined; referrer?: string | undefined };
  userAgent: string | null;
}>;

export const toVisitorInfo = (row: VisitorRow): VisitorInfo => ({ id: row.id, name: row.name, email: row.email });

export async function insertVisitor(
  db: Executor,
  visitor: { inboxId: string; externalId?: string | null; name?: string | null; email?: string | null; userAgent?: string | null },
): Promise<VisitorRow> {
  const row: VisitorRow = {
    id: newId(),
    inbox_id: visitor.inboxId,
    external_id: visitor.externalId ?? null,
    name: visitor.name ?? null,
    email: visitor.email ?? null,
    page_url: null,
    page_title: null,
    page_referrer: null,
    user_agent: visitor.userAgent ?? null,
    created_at: nowIso(),
  };
  await db.insertInto('visitors').values(row).execute();
  return row;
}

export const findVisitor = (db: Executor, id: string): Promise<VisitorRow | undefined> =>
  db.selectFrom('visitors').selectAll().where('id', '=', id).executeTakeFirst();

export const findVisitorByExternalId = (db: Executor, inboxId: string, externalId: string): Promise<VisitorRow | undefined> =>
  db
    .selectFrom('visitors')
    .selectAll()
    .where('inbox_id', '=', inboxId)
    .where('external_id', '=', externalId)
    .executeTakeFirst();

export async function updateVisitorRow(db: Executor, id: string, changes: VisitorChanges): Promise<void> {
  const set: Partial<VisitorRow> = {};
  if (changes.name !== undefined) set.name = changes.name;
  if (changes.email !== undefined) set.email = changes.email;
  if (changes.userAgent !== undefined) set.user_agent = changes.userAgent;
  if (changes.page) {
    set.page_url = changes.page.url;
    set.page_title = changes.page.title ?? null;
    set.page_referrer = changes.page.referrer ?? null;
  }
  if (Object.keys(set).length > 0) await db.updateTable('visitors').set(set).where('id', '=', id).execute();
}

/** findSender's query (its plan is tested: store.contract.test.ts). */
export const senderQuery = (db: Executor, visitorId: string, inboxId: string) =>
  db
    .selectFrom('visitors')
    .innerJoin('inboxes', 'inboxes.id', 'visitors.inbox_id')
    .selectAll('inboxes')
    .select(['visitors.id as visitor_id', 'visitors.name as visitor_name', 'visitors.email as visitor_email'])
    .where('visitors.id', '=', visitorId)
    .where('inboxes.id', '=', inboxId);

export type Sender = { inbox: InboxRow; visitor: Pick<VisitorRow, 'id' | 'name' | 'email'> };

/**
 * A visitor and their inbox in one query: what every visitor message needs first (the inbox's rules,
 * the author's name). undefined when either is gone. One round trip instead of two per message.
 * `lock` (PostgreSQL, in a transaction) also locks the visitor's row until it ends, FOR NO KEY UPDATE:
 * see targetConversation (ops/send-message.ts).
 */
export async function findSender(db: Executor, visitorId: string, inboxId: string, lock = false): Promise<Sender | undefined> {
  const query = senderQuery(db, visitorId, inboxId);
  const row = await (lock ? query.forNoKeyUpdate('visitors') : query).executeTakeFirst();
  if (!row) return undefined;
  const { visitor_id: id, visitor_name: name, visitor_email: email, ...inbox } = row;
  return { inbox, visitor: { id, name, email } };
}
