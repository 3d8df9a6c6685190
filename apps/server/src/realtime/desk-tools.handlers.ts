import { inboxAccess, searchScope } from '@kefu/core';
import { KefuError, limits, type deskToolCommands } from '@kefu/protocol';
import { enforce, findInbox, inboxAgentProfiles, listInboxRows, searchConversations, toAgentConversations } from '@kefu/store';
import { agentActor } from '../access.js';
import type { AppContext } from '../context.js';
import type { CommandHandlers } from './commands.js';
import type { AgentSocket } from './namespaces.js';

/** The dashboard's tools: who a conversation can be transferred to, and search. Read-only. */
export function deskToolHandlers(ctx: AppContext, socket: AgentSocket): CommandHandlers<typeof deskToolCommands> {
  const { db } = ctx;
  const me = socket.data;

  return {
    'inbox:agents': async ({ inboxId }) => {
      enforce(inboxAccess(await agentActor(db.db, me), inboxId));
      // Admins pass the policy for any id; one that names no inbox is still not_found.
      if (!(await findInbox(db.db, inboxId))) throw new KefuError('not_found', 'no such inbox');
      return { agents: await inboxAgentProfiles(db.db, inboxId) };
    },

    'conversation:search': async ({ query, cursor, limit }) => {
      const inboxIds = searchScope(await agentActor(db.db, me), (await listInboxRows(db.db)).map((inbox) => inbox.id));
      const page = await searchConversations(db, {
        query,
        inboxIds,
        cursor,
        limit: limit ?? limits.searchDefaultLimit,
        snippetLength: limits.searchSnippetLength,
      });
      if (!page) throw new KefuError('bad_request', 'cursor: not a cursor this server gave out');
      const conversations = await toAgentConversations(db.db, page.rows.map((row) => row.conversation));
      return {
        results: page.rows.map((row, i) => ({
          conversation: conversations[i]!,
          match: { field: row.field, text: row.text, messageId: row.messageId, seq: row.seq, createdAt: row.createdAt },
        })),
        nextCursor: page.nextCursor,
      };
    },
  };
}
