import { checkBody, startsNewConversation, transition } from '@kefu/core';
import { KefuError, type VisitorConversation } from '@kefu/protocol';
import type { Database, Executor } from '../database.js';
import { findAgent } from '../repos/agents.js';
import {
  currentConversationOf,
  findConversation,
  lockConversation,
  type ConversationRow,
} from '../repos/conversations.js';
import { findInbox } from '../repos/inboxes.js';
import { findMessageByClientId, type MessageRow } from '../repos/messages.js';
import { findSender, type Sender } from '../repos/visitors.js';
import { isUniqueViolation } from '../util.js';
import type { OneStatementSend } from './append-in-one-statement.js';
import { appendInTwoStatements } from './append-in-two-statements.js';
import { appendMessage, openOrStartConversation, startConversation, type NewMessage, type Started } from './append-message.js';
import { applyAssignment, manualReason } from './assignment.js';
import { emptyChanges, mergeChanges, noteConversation, type DeskChanges } from './changes.js';
import { drainQueues } from './drain.js';
import { createSendBatcher } from './send-batch.js';

export type SendOutcome = {
  message: MessageRow;
  conversation: ConversationRow;
  /** false when this was a repeat of an earlier send with the same clientMsgId. */
  created: boolean;
  createdConversation: boolean;
  changes: DeskChanges;
  /** What the send read anyway (the short path, sendPlainVisitorMessage): the sender as agents see them, the assignee as visitors do. */
  sender?: { id: string; name: string | null; email: string | null };
  assignee?: VisitorConversation['assignee'];
};

type Author = { type: 'visitor' | 'agent'; id: string };

/** A send that its own checks refuse, whatever was sent before under its clientMsgId (see idempotent). */
class Refused extends KefuError {}

/**
 * Replays the original message of a repeated clientMsgId; null when there is none. A clientMsgId
 * reused for another conversation is a client bug, answered `conflict` rather than a wrong message.
 */
async function replayOf(db: Executor, author: Author, clientMsgId: string, conversationId?: string): Promise<SendOutcome | null> {
  const message = await findMessageByClientId(db, author, clientMsgId);
  if (!message) return null;
  if (conversationId && message.conversation_id !== conversationId) {
    throw new KefuError('conflict', 'clientMsgId: already used for a message in another conversation');
  }
  const conversation = await findConversation(db, message.conversation_id);
  if (!conversation) return null;
  return { message, conversation, created: false, createdConversation: false, changes: emptyChanges() };
}

/**
 * A repeated clientMsgId answers with the original message. The unique index on (author, clientMsgId)
 * is the check: the common, first send costs no extra read. A repeat fails inside its transaction
 * (the unique violation, or an earlier rule: the conversation was resolved since, the attachments are
 * bound already), which rolls it back; then the original, if there is one, is the answer. A send
 * refused by its own checks (`Refused`: the sender, the body) is answered as refused, as it was when
 * the handler checked them before the transaction.
 */
async function idempotent<T extends SendOutcome | undefined>(
  db: Database,
  author: Author,
  key: { clientMsgId: string; conversationId?: string | undefined },
  send: () => Promise<T>,
): Promise<T | SendOutcome> {
  try {
    return await send();
  } catch (error) {
    if (error instanceof Refused) throw error;
    const replay = isUniqueViolation(error) || error instanceof KefuError ? await replayOf(db.db, author, key.clientMsgId, key.conversationId) : null;
    if (replay) return replay;
    throw error;
  }
}

export type VisitorSend = {
  visitorId: string;
  inboxId: string;
  clientMsgId: string;
  /** As the visitor sent it: checked against their inbox's limit (core checkBody) and normalised here. */
  body: string;
  conversationId?: string | undefined;
  attachmentIds?: string[] | undefined;
};

/**
 * A send that starts a conversation routes it in its own transaction: the conversation and its first
 * message are written, then the routing lock is taken and the inbox drained, and one commit makes both
 * durable (a new conversation used to wait for two commits in a row, its message's and its routing's).
 * The lock is taken only then, so what the send writes first holds up no routing elsewhere, and a send
 * into an open conversation never takes it. A routing failure stores nothing, the message included.
 */
export function sendVisitorMessage(db: Database, input: VisitorSend): Promise<SendOutcome> {
  const author: Author = { type: 'visitor', id: input.visitorId };
  const send = async (tx: Executor, takeLock: () => Promise<void>) => {
    const outcome = await appendVisitorMessage(db, tx, input);
    if (outcome.createdConversation) await routeStarted(db, tx, takeLock, outcome);
    return outcome;
  };
  return idempotent(db, author, input, () => db.transaction(send, 'routing', 'later'));
}

/** One instance per database, made on first use: a batcher's queue is shared by all the database's callers. */
function perDatabase<T>(create: (db: Database) => T): (db: Database) => T {
  const made = new WeakMap<Database, T>();
  return (db) => {
    let value = made.get(db);
    if (value === undefined) made.set(db, (value = create(db)));
    return value;
  };
}

/** Group-commits PostgreSQL's one-statement sends (send-batch.ts). */
const oneStatementSender = perDatabase(createSendBatcher);

/**
 * The short path for the common send: text into the visitor's conversation that leaves its status as
 * it is. On PostgreSQL one statement (appendInOneStatement; sends that arrive together are stored
 * together, send-batch.ts), on SQLite two by the writer (appendInTwoStatements); the sender and
 * the body's length are checked in SQL. undefined where it does not apply or a check fails: the
 * general path (sendVisitorMessage) then gives the right answer or error.
 */
export async function sendPlainVisitorMessage(db: Database, input: OneStatementSend): Promise<SendOutcome | undefined> {
  const author: Author = { type: 'visitor', id: input.visitorId };
  return idempotent(db, author, input, async () => {
    const appended = db.dialect === 'postgres' ? await oneStatementSender(db)(input) : await appendInTwoStatements(db, input);
    if (!appended) return undefined;
    const changes = emptyChanges();
    changes.messages.push(appended.message);
    // Status, assignee and queue are as they were: only the summary moved.
    noteConversation(changes, appended.conversation, appended.conversation);
    // Written out, not `{ ...appended, … }`: docs/benchmarks.md, change 85.
    const { message, conversation, sender, assignee } = appended;
    return { message, conversation, sender, assignee, created: true, createdConversation: false, changes };
  });
}

async function appendVisitorMessage(db: Database, tx: Executor, input: VisitorSend): Promise<SendOutcome> {
  const changes = emptyChanges();
  const { inbox, visitor: sender } = await senderOf(db, tx, input);
  const attachmentIds = input.attachmentIds ?? [];
  const body = checkBody(input.body, inbox.max_message_length, attachmentIds.length > 0);
  if (!body.ok) throw new Refused(body.code, body.message);
  const message: NewMessage = {
    kind: 'text',
    body: body.body,
    author: { type: 'visitor', id: input.visitorId, name: sender.name },
    clientMsgId: input.clientMsgId,
    attachmentIds,
  };
  const target = await targetConversation(db, tx, input, message);
  if ('started' in target) {
    changes.messages.push(target.started.message);
    noteConversation(changes, target.started.conversation);
    const { message: first, conversation } = target.started;
    return { message: first, conversation, created: true, createdConversation: true, changes, sender };
  }
  const { open } = target;
  const next = transition({ status: open.status, assigneeId: open.assignee_id }, 'visitor_message');
  if (!next.ok) throw new KefuError('conflict', 'this conversation is resolved; send without conversationId to start a new one');
  const set: Partial<ConversationRow> = next.status === open.status ? {} : { status: next.status, snooze_until: null };
  const appended = await appendMessage(tx, open.id, message, set, open);
  changes.messages.push(appended.message);
  noteConversation(changes, appended.conversation, open);
  return { message: appended.message, conversation: appended.conversation, created: true, createdConversation: false, changes, sender };
}

/**
 * The sender and their inbox, read in the send's transaction. On PostgreSQL a send that may start a
 * conversation locks the visitor's row with the same statement (targetConversation): one round trip
 * for both, where a new conversation's first message used to read its sender before its transaction.
 */
async function senderOf(db: Database, tx: Executor, input: VisitorSend): Promise<Sender> {
  const sender = await findSender(tx, input.visitorId, input.inboxId, db.dialect === 'postgres' && !input.conversationId);
  if (sender) return sender;
  if (!(await findInbox(tx, input.inboxId))) throw new Refused('not_found', 'this inbox no longer exists');
  throw new Refused('not_found', 'visitor not found');
}

/** The named conversation (it must be the visitor's), else the unresolved one, locked; else a new one, started with the message. */
async function targetConversation(db: Database, tx: Executor, input: VisitorSend, message: NewMessage): Promise<{ open: ConversationRow } | { started: Started }> {
  if (input.conversationId) {
    const named = await lockConversation(tx, db.dialect, input.conversationId);
    if (!named || named.visitor_id !== input.visitorId) throw new KefuError('not_found', 'no such conversation');
    return { open: named };
  }
  const conversation = { inboxId: input.inboxId, visitorId: input.visitorId };
  if (db.dialect === 'postgres') {
    // One visitor, two tabs, two first messages at once: the visitor row lock (taken by senderOf) makes them
    // share one conversation. NO KEY UPDATE, not UPDATE: it still excludes the other tab, but not the FOR KEY
    // SHARE that foreign-key checks take on this visitor row (a second update of a conversation row in one
    // transaction re-checks visitor_id). FOR UPDATE deadlocked with an agent replying to this visitor's
    // conversation meanwhile.
    return openOrStartConversation(tx, conversation, message);
  }
  // SQLite runs one transaction at a time: read, then start (no round trips to save).
  const current = await currentConversationOf(tx, input.visitorId);
  return current && !startsNewConversation(current.status) ? { open: current } : { started: await startConversation(tx, db.dialect, conversation, message) };
}

/**
 * Drains the inbox of the conversation the send started, under the routing lock (held from here to the
 * commit). While the send waited for the lock, no other drain could see its conversation: it is not
 * committed. The send answers and publishes it as the drain left it.
 */
async function routeStarted(db: Database, tx: Executor, takeLock: () => Promise<void>, outcome: SendOutcome): Promise<void> {
  await takeLock();
  const changes = emptyChanges();
  await drainQueues(tx, db.dialect, changes, [outcome.conversation.inbox_id], [outcome.conversation]);
  // mergeChanges puts the drain's row, if it moved the conversation, where the send's own was.
  mergeChanges(outcome.changes, changes);
  outcome.conversation = changes.conversations.get(outcome.conversation.id) ?? outcome.conversation;
}

export type AgentSend = {
  agent: { id: string; name: string };
  conversation: ConversationRow;
  clientMsgId: string;
  body: string;
  isPrivate: boolean;
  attachmentIds?: string[] | undefined;
  /** A whisper (supervision): a private note for this agent, the assignee. */
  whisperTo?: string | undefined;
};

/**
 * An agent's reply or private note. A public reply to an unassigned conversation assigns it to the
 * replying agent, so that path runs under the routing lock.
 */
export function sendAgentMessage(db: Database, input: AgentSend): Promise<SendOutcome> {
  const author: Author = { type: 'agent', id: input.agent.id };
  const claims = !input.isPrivate && input.conversation.assignee_id === null;
  return idempotent(db, author, { clientMsgId: input.clientMsgId, conversationId: input.conversation.id }, () =>
    db.transaction((tx) => appendAgentMessage(db, tx, input, claims), claims ? 'routing' : undefined),
  );
}

async function appendAgentMessage(db: Database, tx: Executor, input: AgentSend, claims: boolean): Promise<SendOutcome> {
  const changes = emptyChanges();
  let current = await lockConversation(tx, db.dialect, input.conversation.id);
  if (!current) throw new KefuError('not_found', 'no such conversation');
  if (!input.isPrivate && current.status === 'resolved') {
    throw new KefuError('conflict', 'this conversation is resolved; reopen it to reply');
  }
  // The handler picked the assignee before this lock; a transfer meanwhile would misdirect the whisper.
  if (input.whisperTo && current.assignee_id !== input.whisperTo) {
    throw new KefuError('conflict', 'the conversation changed hands meanwhile; whisper again');
  }
  if (claims && current.assignee_id === null) {
    const agent = await findAgent(tx, input.agent.id);
    const who = { id: input.agent.id, name: agent?.name ?? input.agent.name };
    const reason = manualReason('reply', who, `${who.name} replied to an unassigned conversation`);
    current = await applyAssignment(tx, db.dialect, { conversation: current, agent: who, reason, line: `${who.name} joined the conversation`, locked: true }, changes);
  }
  const { message, conversation } = await appendMessage(tx, current.id, {
    kind: input.isPrivate ? 'note' : 'text',
    body: input.body,
    author: { type: 'agent', id: input.agent.id, name: input.agent.name },
    clientMsgId: input.clientMsgId,
    attachmentIds: input.attachmentIds ?? [],
    whisperTo: input.whisperTo ?? null,
  }, {}, current);
  changes.messages.push(message);
  noteConversation(changes, conversation, current);
  return { message, conversation, created: true, createdConversation: false, changes };
}
