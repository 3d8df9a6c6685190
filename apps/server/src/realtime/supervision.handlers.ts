import { checkBody, whisperAccess } from '@kefu/core';
import { KefuError, limits, type agentCommands } from '@kefu/protocol';
import { enforce, findAgent, findInbox, sendAgentMessage, toAgentConversations, toMessages } from '@kefu/store';
import type { AppContext } from '../context.js';
import { agentActor, visibleConversation } from '../access.js';
import type { CommandHandlers } from './commands.js';
import type { AgentSocket } from './namespaces.js';

type SupervisionCommands = Pick<CommandHandlers<typeof agentCommands>, 'conversation:whisper'>;

/**
 * Supervision: an admin whispers to the agent holding a conversation. The whisper is stored as a
 * private note naming that agent (so the history keeps it, and visitors never get it, like any note),
 * goes to the conversation's followers as a message, and pops up for the assignee wherever they are.
 */
export function supervisionHandlers(ctx: AppContext, socket: AgentSocket): SupervisionCommands {
  const { db, broadcaster } = ctx;
  const me = socket.data;
  return {
    'conversation:whisper': async (input) => {
      const row = await visibleConversation(db.db, await agentActor(db.db, me), input.conversationId);
      enforce(whisperAccess({ id: me.agentId, role: me.role }, { assigneeId: row.assignee_id, status: row.status }));
      const inbox = await findInbox(db.db, row.inbox_id);
      const body = checkBody(input.body, inbox?.max_message_length ?? limits.defaultMaxMessageLength, false);
      if (!body.ok) throw new KefuError(body.code, body.message);
      const admin = await findAgent(db.db, me.agentId);
      if (!admin) throw new KefuError('unauthorized', 'account no longer exists');
      const outcome = await sendAgentMessage(db, {
        agent: { id: admin.id, name: admin.name },
        conversation: row,
        clientMsgId: input.clientMsgId,
        body: body.body,
        isPrivate: true,
        whisperTo: row.assignee_id!,
      });
      const [message] = await toMessages(db.db, [outcome.message], 'agent');
      if (outcome.created) {
        ctx.metrics.messages.inc({ kind: 'whisper' });
        await broadcaster.publish(outcome.changes, { origin: { socketId: socket.id, messageId: outcome.message.id } });
        const [view] = await toAgentConversations(db.db, [outcome.conversation]);
        broadcaster.whisper(view!, message!);
      }
      return { message: message! };
    },
  };
}
