import {
  inboxIdsOfAgent,
  profileOf,
  queueInfoOf,
  queueSnapshot,
  queuedConversations,
  toAgentConversations,
  toMessages,
  type Database,
  type DeskChanges,
  type MessageRow,
} from '@kefu/store';
import type { AgentNamespace, VisitorNamespace } from './namespaces.js';
import { inboxAudience, rooms } from './rooms.js';
import { isInboxOnline, visitorConversationView } from './views.js';

export type Broadcaster = ReturnType<typeof createBroadcaster>;
export type PublishOptions = { origin?: string | undefined; createdConversationId?: string | undefined };

/**
 * Tells every audience what a store operation changed. The audience rules live here and in rooms.ts:
 * agents of the inbox (and admins) get everything, visitors get their own conversation minus private
 * notes, queued visitors get their new position, admins get the queue.
 */
export function createBroadcaster(db: Database, visitors: VisitorNamespace, agents: AgentNamespace) {
  const toAgents = (inboxId: string, origin?: string) => (origin ? agents.to(inboxAudience(inboxId)).except(origin) : agents.to(inboxAudience(inboxId)));
  const toVisitor = (visitorId: string, origin?: string) => (origin ? visitors.to(rooms.visitor(visitorId)).except(origin) : visitors.to(rooms.visitor(visitorId)));

  async function publishMessages(changes: DeskChanges, messages: MessageRow[], origin?: string) {
    const forAgents = await toMessages(db.db, messages, 'agent');
    const forVisitors = await toMessages(db.db, messages, 'visitor');
    messages.forEach((row, i) => {
      const conversation = changes.conversations.get(row.conversation_id);
      if (!conversation) return;
      toAgents(conversation.inbox_id, origin).emit('message:created', forAgents[i]!);
      if (row.kind !== 'note') toVisitor(conversation.visitor_id, origin).emit('message:created', forVisitors[i]!);
    });
  }

  async function publishConversations(changes: DeskChanges) {
    const rows = [...changes.conversations.values()];
    const views = await toAgentConversations(db.db, rows);
    for (const view of views) agents.to(inboxAudience(view.inboxId)).emit('conversation:updated', view);
    for (const row of rows) visitors.to(rooms.visitor(row.visitor_id)).emit('conversation:updated', await visitorConversationView(db.db, row));
  }

  async function publishAgents(agentIds: Set<string>) {
    const inboxes = new Set<string>();
    for (const agentId of agentIds) {
      const profile = await profileOf(db.db, agentId);
      if (!profile) continue;
      const memberOf = await inboxIdsOfAgent(db.db, agentId);
      memberOf.forEach((id) => inboxes.add(id));
      agents.to([rooms.agent(agentId), rooms.admins, ...memberOf.map(rooms.inbox)]).emit('agent:updated', profile);
    }
    for (const inboxId of inboxes) visitors.to(rooms.inboxVisitors(inboxId)).emit('inbox:presence', { online: await isInboxOnline(db.db, inboxId) });
  }

  /** Queued visitors learn their new position; admins get the new queue. */
  async function publishQueues(changes: DeskChanges, inboxIds: Set<string>) {
    for (const inboxId of inboxIds) {
      const info = await queueInfoOf(db.db, inboxId);
      for (const row of await queuedConversations(db.db, inboxId)) {
        if (changes.conversations.has(row.id)) continue;
        visitors.to(rooms.visitor(row.visitor_id)).emit('conversation:updated', await visitorConversationView(db.db, row, info));
      }
    }
    if (inboxIds.size > 0) agents.to(rooms.admins).emit('queue:updated', await queueSnapshot(db.db));
  }

  return {
    async publish(changes: DeskChanges, options: PublishOptions = {}): Promise<void> {
      const created = options.createdConversationId ? changes.conversations.get(options.createdConversationId) : undefined;
      if (created) {
        const [view] = await toAgentConversations(db.db, [created]);
        if (view) agents.to(inboxAudience(view.inboxId)).emit('conversation:created', view);
      }
      await publishMessages(changes, changes.messages, options.origin);
      await publishConversations(changes);
      await publishAgents(changes.agentIds);
      await publishQueues(changes, changes.inboxIds);
    },
  };
}
