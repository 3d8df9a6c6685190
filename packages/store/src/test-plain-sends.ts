import { beforeAll } from '@jest/globals';
import type { Database } from './database.js';
import { sendPlainVisitorMessage, sendVisitorMessage } from './ops/send-message.js';
import { insertInbox } from './repos/inboxes.js';
import { messagesAfter } from './repos/messages.js';
import { insertVisitor } from './repos/visitors.js';
import { migratedStore } from './test-store.js';

export type Recipient = { visitorId: string; conversationId: string };
type VisitorDetails = { name?: string | null; email?: string | null };

/**
 * For the short path's tests: a migrated store of its own with an inbox, visitors with a conversation,
 * plain sends into them (through the store `through` gives, the store itself by default), and what
 * each conversation holds.
 */
export function plainSends(kind: 'sqlite' | 'postgres', through: (db: Database) => Database = (db) => db) {
  const store = migratedStore(kind);
  let inboxId: string;
  let counter = 0;
  const uid = (prefix: string) => `${prefix}-${++counter}`;

  beforeAll(async () => {
    inboxId = (await insertInbox(store.db.db, { name: 'Plain sends' })).id;
  });

  const newVisitor = (details: VisitorDetails = {}) => insertVisitor(store.db.db, { inboxId, ...details });
  /** A visitor with a conversation (its first message, seq 1). */
  async function conversationOfNewVisitor(details: VisitorDetails = {}): Promise<Recipient> {
    const visitor = await newVisitor(details);
    const first = await sendVisitorMessage(store.db, { visitorId: visitor.id, inboxId, clientMsgId: uid('c'), body: 'first' });
    return { visitorId: visitor.id, conversationId: first.conversation.id };
  }
  const send = (to: Recipient, body: string, clientMsgId = uid('c')) =>
    sendPlainVisitorMessage(through(store.db), { ...to, inboxId, clientMsgId, body, bodyLength: body.length });
  const bodiesOf = async (conversationId: string) => (await messagesAfter(store.db.db, conversationId, 0, 100, 'agent')).rows.map((m) => [m.seq, m.body]);

  return { store, uid, newVisitor, conversationOfNewVisitor, send, bodiesOf };
}
