import { adminAccess, checkBody, inboxAccess, statusChangeAccess } from '@kefu/core';
import { KefuError, limits, type agentCommands } from '@kefu/protocol';
import {
  assignConversation,
  enforce,
  findAgent,
  findInbox,
  listCanned,
  listConversations,
  messagesAfter,
  messagesBefore,
  profileOf,
  queueSnapshot,
  sendAgentMessage,
  setConversationStatus,
  toAgentConversations,
  toMessages,
  updateAgentPresence,
  markRead,
  visitorDetailsOf,
  type ConversationRow,
} from '@kefu/store';
import type { AppContext } from '../context.js';
import { agentActor, visibleConversation, visibleInboxIds } from '../access.js';
import type { CommandHandlers } from './commands.js';
import { deskToolHandlers } from './desk-tools.handlers.js';
import type { AgentSocket } from './namespaces.js';
import { rooms } from './rooms.js';
import { supervisionHandlers } from './supervision.handlers.js';

export function agentHandlers(ctx: AppContext, socket: AgentSocket): CommandHandlers<typeof agentCommands> {
  const { db, broadcaster } = ctx;
  const me = socket.data;
  const visible = async (id: string) => visibleConversation(db.db, await agentActor(db.db, me), id);
  const visitorDetails = async (visitorId: string) => {
    const details = await visitorDetailsOf(db.db, visitorId);
    if (!details) throw new KefuError('not_found', 'visitor not found');
    return details;
  };
  const agentView = async (row: ConversationRow) => (await toAgentConversations(db.db, [row]))[0]!;
  const actor = async () => {
    const agent = await findAgent(db.db, me.agentId);
    if (!agent) throw new KefuError('unauthorized', 'account no longer exists');
    return { id: agent.id, name: agent.name, role: agent.role };
  };

  return {
    'agent:set-status': async ({ status }) => {
      await broadcaster.publish(await updateAgentPresence(db, me.agentId, { status }));
      const agent = await profileOf(db.db, me.agentId);
      if (!agent) throw new KefuError('unauthorized', 'account no longer exists');
      return { agent };
    },

    'conversation:list': async ({ view, inboxId, cursor, limit }) => {
      if (inboxId) enforce(inboxAccess(await agentActor(db.db, me), inboxId));
      const visibleIds = await visibleInboxIds(db.db, me);
      const page = await listConversations(db, {
        view,
        agentId: me.agentId,
        inboxIds: inboxId ? [inboxId] : visibleIds,
        cursor,
        limit: limit ?? limits.listDefaultLimit,
      });
      if (!page) throw new KefuError('bad_request', 'cursor: not a cursor this server gave out');
      return { conversations: await toAgentConversations(db.db, page.rows), nextCursor: page.nextCursor };
    },

    'conversation:open': async ({ conversationId }) => {
      const row = await visible(conversationId);
      await socket.join(rooms.conversation(row.id));
      ctx.viewers.open(socket, row.id);
      const page = await messagesBefore(db.db, row.id, undefined, limits.historyDefaultLimit, 'agent');
      return {
        conversation: await agentView(row),
        visitor: await visitorDetails(row.visitor_id),
        messages: await toMessages(db.db, page.rows, 'agent'),
        hasMore: page.hasMore,
      };
    },

    'conversation:leave': async ({ conversationId }) => {
      await socket.leave(rooms.conversation(conversationId));
      ctx.viewers.leave(socket, conversationId);
      return {};
    },

    'message:send': async (input) => {
      const row = await visible(input.conversationId);
      const inbox = await findInbox(db.db, row.inbox_id);
      const body = checkBody(input.body, inbox?.max_message_length ?? limits.defaultMaxMessageLength, (input.attachmentIds ?? []).length > 0);
      if (!body.ok) throw new KefuError(body.code, body.message);
      const { id, name } = await actor();
      const outcome = await sendAgentMessage(db, {
        agent: { id, name },
        conversation: row,
        clientMsgId: input.clientMsgId,
        body: body.body,
        isPrivate: input.private ?? false,
        attachmentIds: input.attachmentIds,
      });
      if (outcome.created) {
        ctx.metrics.messages.inc({ kind: outcome.message.kind });
        await broadcaster.publish(outcome.changes, { origin: { socketId: socket.id, messageId: outcome.message.id } });
      }
      const [message] = await toMessages(db.db, [outcome.message], 'agent');
      return { message: message! };
    },

    'conversation:sync': async ({ conversationId, afterSeq }) => {
      const row = await visible(conversationId);
      const page = await messagesAfter(db.db, row.id, afterSeq, limits.syncPageSize, 'agent');
      return { messages: await toMessages(db.db, page.rows, 'agent'), lastSeq: row.last_seq, hasMore: page.hasMore };
    },

    'conversation:history': async ({ conversationId, beforeSeq, limit }) => {
      const row = await visible(conversationId);
      const page = await messagesBefore(db.db, row.id, beforeSeq, limit ?? limits.historyDefaultLimit, 'agent');
      return { messages: await toMessages(db.db, page.rows, 'agent'), hasMore: page.hasMore };
    },

    'conversation:assign': async ({ conversationId, agentId }) => {
      const row = await visible(conversationId);
      const outcome = await assignConversation(db, await actor(), row.id, agentId);
      await broadcaster.publish(outcome.changes);
      return { conversation: await agentView(outcome.conversation) };
    },

    'conversation:set-status': async ({ conversationId, status, snoozeUntil }) => {
      const row = await visible(conversationId);
      enforce(statusChangeAccess({ id: me.agentId, role: me.role }, { assigneeId: row.assignee_id }));
      if (snoozeUntil && status !== 'snoozed') throw new KefuError('bad_request', 'snoozeUntil: only with status snoozed');
      if (snoozeUntil && Date.parse(snoozeUntil) <= Date.now()) throw new KefuError('bad_request', 'snoozeUntil: must be in the future');
      const until = snoozeUntil ? new Date(snoozeUntil).toISOString() : undefined;
      const outcome = await setConversationStatus(db, row.id, status, until);
      await broadcaster.publish(outcome.changes);
      return { conversation: await agentView(outcome.conversation) };
    },

    'typing:set': async ({ conversationId, typing }) => {
      const row = await visible(conversationId);
      const { name } = await actor();
      broadcaster.typing(row, 'agent', { conversationId, typing, name, agentId: me.agentId }, socket.id);
      ctx.viewers.typing(socket, conversationId, typing);
      return {};
    },

    'read:set': async ({ conversationId, seq }) => {
      await visible(conversationId);
      const mark = await db.inTurn((tx) => markRead(tx, conversationId, 'agent', seq));
      if (mark) broadcaster.read(mark.conversation, 'agent', mark.seq, socket.id);
      return {};
    },

    'canned:list': async () => ({ responses: await listCanned(db.db) }),

    'queue:snapshot': async ({ inboxId }) => {
      enforce(adminAccess(await agentActor(db.db, me)));
      return queueSnapshot(db.db, inboxId);
    },

    ...supervisionHandlers(ctx, socket),
    ...deskToolHandlers(ctx, socket),
  };
}
