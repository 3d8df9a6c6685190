import { countCharacters, normalizeBody } from '@kefu/core';
import { KefuError, limits, visitorCommands, type VisitorParsed, type VisitorSession } from '@kefu/protocol';
import {
  currentConversationOf,
  findInbox,
  findVisitor,
  messagesAfter,
  messagesBefore,
  sendVisitorMessage,
  sendPlainVisitorMessage,
  toMessages,
  toVisitorInfo,
  markRead,
  updateConversationRow,
  updateVisitorRow,
  type ConversationRow,
  type InboxRow,
} from '@kefu/store';
import { visibleConversation, visitorActor } from '../access.js';
import type { AppContext } from '../context.js';
import { bindCommands, type CommandHandlers } from './commands.js';
import type { VisitorSocket } from './namespaces.js';
import type { VisitorViews } from './broadcaster.js';
import { rooms } from './rooms.js';
import { takeHandshake, type Handshake } from './visitor-handshake.js';
import { isInboxRowOnline, visitorConversationView } from './views.js';

/** Thin handlers: parse (done by bindCommands) → authorize → store → broadcast → ack. */
export function visitorHandlers(ctx: AppContext, socket: VisitorSocket): CommandHandlers<typeof visitorCommands> {
  const { db, broadcaster } = ctx;
  const { visitorId, inboxId } = socket.data;

  const inbox = async (): Promise<InboxRow> => {
    const row = await findInbox(db.db, inboxId);
    if (!row) throw new KefuError('not_found', 'this inbox no longer exists');
    return row;
  };
  /** The visitor's own conversation; anyone else's looks exactly like one that does not exist. */
  const ownConversation = (id: string): Promise<ConversationRow> => visibleConversation(db.db, visitorActor(socket.data), id);

  type Send = VisitorParsed<'message:send'>;
  /**
   * The common send (text into the visitor's conversation): the store checks the sender and the
   * inbox's length limit in the statements that store it. undefined where it does not apply.
   */
  const sendPlain = async (input: Send) => {
    const body = normalizeBody(input.body);
    if (!input.conversationId || body === '' || (input.attachmentIds ?? []).length > 0) return undefined;
    return sendPlainVisitorMessage(db, { visitorId, inboxId, conversationId: input.conversationId, clientMsgId: input.clientMsgId, body, bodyLength: countCharacters(body) });
  };
  /** Every other send, and every refusal: the store checks the sender and the body in its transaction. */
  const sendChecked = (input: Send) =>
    sendVisitorMessage(db, { visitorId, inboxId, clientMsgId: input.clientMsgId, body: input.body, conversationId: input.conversationId, attachmentIds: input.attachmentIds });

  return {
    'message:send': async (input) => {
      const outcome = (await sendPlain(input)) ?? (await sendChecked(input));
      let sent: VisitorViews = new Map();
      if (outcome.created) {
        ctx.metrics.messages.inc({ kind: outcome.message.kind });
        sent = await broadcaster.publish(outcome.changes, {
          origin: { socketId: socket.id, messageId: outcome.message.id },
          createdConversationId: outcome.createdConversation ? outcome.conversation.id : undefined,
          visitors: outcome.sender ? [outcome.sender] : undefined,
        });
      }
      const [message] = await toMessages(db.db, [outcome.message], 'visitor');
      // The view the visitor's tabs were just sent, when it was made of this very row (not an older one).
      const fresh = outcome.changes.conversations.get(outcome.conversation.id) === outcome.conversation;
      const view = fresh ? sent.get(outcome.conversation.id) : undefined;
      return { message: message!, conversation: view ?? (await visitorConversationView(db.db, outcome.conversation, undefined, outcome.assignee)) };
    },

    'conversation:sync': async ({ conversationId, afterSeq }) => {
      const conversation = await ownConversation(conversationId);
      const page = await messagesAfter(db.db, conversationId, afterSeq, limits.syncPageSize, 'visitor');
      return { messages: await toMessages(db.db, page.rows, 'visitor'), lastSeq: conversation.last_public_seq, hasMore: page.hasMore };
    },

    'conversation:history': async ({ conversationId, beforeSeq, limit }) => {
      await ownConversation(conversationId);
      const page = await messagesBefore(db.db, conversationId, beforeSeq, limit ?? limits.historyDefaultLimit, 'visitor');
      return { messages: await toMessages(db.db, page.rows, 'visitor'), hasMore: page.hasMore };
    },

    'typing:set': async ({ conversationId, typing, draft }) => {
      const conversation = await ownConversation(conversationId);
      const visitor = await findVisitor(db.db, visitorId);
      const preview = (await inbox()).live_preview === 1 && typing && draft !== undefined ? { draft } : {};
      broadcaster.typing(conversation, 'visitor', { conversationId, typing, name: visitor?.name ?? null, ...preview }, socket.id);
      return {};
    },

    'read:set': async ({ conversationId, seq }) => {
      await ownConversation(conversationId);
      const mark = await db.inTurn((tx) => markRead(tx, conversationId, 'visitor', seq));
      if (mark) broadcaster.read(mark.conversation, 'visitor', mark.seq, socket.id);
      return {};
    },

    'visitor:update': async ({ name, email, page }) => {
      await db.inTurn((tx) => updateVisitorRow(tx, visitorId, { ...(name ? { name } : {}), ...(email ? { email } : {}), ...(page ? { page } : {}) }));
      const visitor = await findVisitor(db.db, visitorId);
      if (!visitor) throw new KefuError('not_found', 'visitor not found');
      return { visitor: toVisitorInfo(visitor) };
    },

    'csat:submit': async ({ conversationId, rating, comment }) => {
      const conversation = await ownConversation(conversationId);
      if (!(await inbox()).csat_enabled) throw new KefuError('forbidden', 'ratings are turned off for this inbox');
      if (conversation.status !== 'resolved') throw new KefuError('conflict', 'rate a conversation once it is resolved');
      await db.inTurn((tx) => updateConversationRow(tx, conversationId, { csat_rating: rating, csat_comment: comment ?? null }));
      return {};
    },
  };
}

export async function startVisitorSession(ctx: AppContext, socket: VisitorSocket): Promise<void> {
  const { visitorId, inboxId } = socket.data;
  bindCommands(socket, visitorCommands, () => visitorHandlers(ctx, socket), {
    namespace: 'visitor',
    limiter: ctx.commandLimiter,
    limiterKey: `v:${visitorId}`,
    lifecycle: ctx.lifecycle,
    metrics: ctx.metrics,
    log: ctx.log,
  });
  // Commands are bound before the first await: a client may send one the moment it is connected.
  await socket.join([rooms.visitor(visitorId), rooms.inboxVisitors(inboxId)]);
  socket.emit('session', await visitorSession(ctx, visitorId, inboxId, takeHandshake(socket)));
}

async function visitorSession(ctx: AppContext, visitorId: string, inboxId: string, known?: Handshake): Promise<VisitorSession> {
  const db = ctx.db.db;
  const created = known?.createdVisitor;
  const [visitorToken, visitor, inbox, current] = await Promise.all([
    known?.visitorToken ?? ctx.tokens.signVisitor({ visitorId, inboxId }),
    created ?? findVisitor(db, visitorId),
    known?.inbox ?? findInbox(db, inboxId),
    created ? undefined : currentConversationOf(db, visitorId),
  ]);
  if (!visitor || !inbox) throw new KefuError('not_found', 'visitor or inbox vanished');
  return {
    visitorToken,
    visitor: toVisitorInfo(visitor),
    inbox: {
      id: inbox.id,
      name: inbox.name,
      greeting: inbox.greeting,
      online: await isInboxRowOnline(db, inbox),
      maxMessageLength: inbox.max_message_length,
      csatEnabled: inbox.csat_enabled === 1,
      livePreview: inbox.live_preview === 1,
      widgetColor: inbox.widget_color,
      language: inbox.language,
    },
    conversation: current ? await visitorConversationView(db, current) : null,
  };
}
