import {
  anyAdminConnected,
  inboxIdsOfAgent,
  inboxIdsOfAgents,
  listAgentRows,
  mergeQueueMoves,
  movedInQueue,
  profileOf,
  profilesOf,
  queueInfoOf,
  queueSnapshot,
  toActivityItem,
  toAgentConversations,
  toMessages,
  type ConversationRow,
  type Database,
  type DeskChanges,
  type MessageRow,
  type QueueMove,
} from '@kefu/store';
import type { AgentConversation, AgentProfile, Message, VisitorConversation } from '@kefu/protocol';
import type { Logger } from '../logger.js';
import type { AgentNamespace, VisitorNamespace } from './namespaces.js';
import { createActivityFeed, createBatchFeed } from './activity-feed.js';
import { conversationFollowers, inboxAudience, rooms, whisperAudience } from './rooms.js';
import { isInboxOnline, visitorConversationView } from './views.js';

export type Broadcaster = ReturnType<typeof createBroadcaster>;
/** The socket whose command produced `messageId` already has that message in its ack. */
export type Origin = { socketId: string; messageId: string };
export type PublishOptions = {
  origin?: Origin | undefined;
  createdConversationId?: string | undefined;
  /** Visitors the caller has read already (the sender): their agent views need no visitors query. */
  visitors?: AgentConversation['visitor'][] | undefined;
};
/** What each visitor was sent as its conversation, by conversation id: the sender's ack reuses it. */
export type VisitorViews = Map<string, VisitorConversation>;
type Typing = { conversationId: string; typing: boolean; name: string | null; draft?: string; agentId?: string };

/**
 * Decides who hears about what; with rooms.ts, the one place for audiences. The followers of a
 * conversation (its assignee, agents and admins holding it open) get its messages and every update;
 * the other agents of the inbox (and admins) get it in full when it moves (created, status, assignee,
 * queue) and otherwise a coalesced `conversation:activity` row, so the cost of a message does not grow
 * with the number of agents. Visitors get their own conversation minus private notes; queued visitors
 * get their new position; admins get the queue. Publishing never fails the command that
 * caused it: the change is committed, and clients catch up with conversation:sync.
 */
export function createBroadcaster(db: Database, visitors: VisitorNamespace, agents: AgentNamespace, log: Logger) {
  const toAgents = (inboxId: string) => agents.to(inboxAudience(inboxId));
  const toVisitor = (visitorId: string) => visitors.to(rooms.visitor(visitorId));
  const toFollowers = (row: ConversationRow) => agents.to(conversationFollowers(row.id, row.assignee_id));
  const activity = createActivityFeed((inboxId, conversations) => toAgents(inboxId).emit('conversation:activity', { inboxId, conversations }));

  async function publishMessages(changes: DeskChanges, origin?: Origin) {
    const forAgents = await toMessages(db.db, changes.messages, 'agent');
    const forVisitors = await toMessages(db.db, changes.messages, 'visitor');
    changes.messages.forEach((row: MessageRow, i) => {
      const conversation = changes.conversations.get(row.conversation_id);
      if (!conversation) return;
      const skip = origin?.messageId === row.id ? origin.socketId : [];
      toFollowers(conversation).except(skip).emit('message:created', forAgents[i]!);
      if (row.kind !== 'note') toVisitor(conversation.visitor_id).except(skip).emit('message:created', forVisitors[i]!);
    });
  }

  /**
   * A conversation that moved goes in full to its inbox; one whose summary alone changed (a message)
   * goes to it as an activity row, followers included: their message:created carries the message itself.
   */
  async function publishConversations(changes: DeskChanges, known: PublishOptions['visitors'], sent: VisitorViews) {
    const all = [...changes.conversations.values()];
    for (const row of all) if (!changes.moved.has(row.id)) activity.add(row.inbox_id, toActivityItem(row));
    const moved = all.filter((row) => changes.moved.has(row.id));
    const views = await toAgentConversations(db.db, moved, known);
    moved.forEach((row, i) => toAgents(row.inbox_id).emit('conversation:updated', views[i]!));
    // A message alone moves only lastSeq of the visitor's view, and their message:created carries it.
    // One queued conversation's place is counted; an inbox where several were queued has its queue read
    // once (a shift going offline requeues hundreds of conversations at once).
    const queuedIn = new Map<string, number>();
    for (const row of moved) if (row.status === 'queued') queuedIn.set(row.inbox_id, (queuedIn.get(row.inbox_id) ?? 0) + 1);
    const queueOf = memoize((inboxId: string) => queueInfoOf(db.db, inboxId));
    for (const row of moved) {
      const assignee = row.assignee_id ? changes.assignees.get(row.assignee_id) : null;
      const queue = row.status === 'queued' && (queuedIn.get(row.inbox_id) ?? 0) > 1 ? await queueOf(row.inbox_id) : undefined;
      const view = await visitorConversationView(db.db, row, queue, assignee);
      sent.set(row.id, view);
      toVisitor(row.visitor_id).emit('conversation:updated', view);
    }
  }

  const emitProfile = (profile: AgentProfile, memberOf: string[]) =>
    agents.to([rooms.agent(profile.id), rooms.admins, ...memberOf.map(rooms.inbox)]).emit('agent:updated', profile);

  /**
   * An agent whose status may have moved is published at once (visitors learn whether someone
   * answers); one whose load alone moved goes through the agent feed, once per window.
   */
  async function publishAgents(changes: DeskChanges) {
    const inboxes = new Set<string>();
    for (const agentId of changes.agentIds) {
      if (!changes.presenceAgentIds.has(agentId)) {
        loads.add([[agentId, true]]);
        continue;
      }
      const profile = await profileOf(db.db, agentId);
      if (!profile) continue;
      const memberOf = await inboxIdsOfAgent(db.db, agentId);
      memberOf.forEach((id) => inboxes.add(id));
      emitProfile(profile, memberOf);
    }
    // Whether someone answers changes only with an agent's status, not with their load; so does every
    // queued visitor's estimated wait, which divides by the inbox's members online.
    for (const inboxId of inboxes) visitors.to(rooms.inboxVisitors(inboxId)).emit('inbox:presence', { online: await isInboxOnline(db.db, inboxId) });
    queues.add([...inboxes].map((inboxId) => [inboxId, 'whole'] as const));
  }

  async function publishLoads(agentIds: string[]) {
    const profiles = await profilesOf(db.db, await listAgentRows(db.db, agentIds));
    const memberships = await inboxIdsOfAgents(db.db, agentIds);
    for (const profile of profiles) emitProfile(profile, memberships.get(profile.id) ?? []);
  }
  const loads = createBatchFeed<true>((batch) => publishLoads([...batch.keys()]).catch((err: unknown) => log.error({ err }, 'agent publish failed')), () => true);

  /**
   * Queued visitors whose place may have moved learn it; admins get the new queue (once per window,
   * see createBatchFeed). The admins' view reads every inbox's queue, so it is read only while an admin
   * is connected; one who connects gets it after their session (startAgentSession), read after their
   * presence is, so no move between the two is missed.
   */
  async function publishQueues(moves: Map<string, QueueMove>) {
    for (const [inboxId, move] of moves) {
      const { rows, info } = await movedInQueue(db.db, inboxId, move);
      for (const row of rows) toVisitor(row.visitor_id).emit('conversation:updated', await visitorConversationView(db.db, row, info));
    }
    if (await anyAdminConnected(db.db)) agents.to(rooms.admins).emit('queue:updated', await queueSnapshot(db.db));
  }
  const queues = createBatchFeed((moves) => publishQueues(moves).catch((err: unknown) => log.error({ err }, 'queue publish failed')), mergeQueueMoves);

  async function publishChanges(changes: DeskChanges, options: PublishOptions, sent: VisitorViews) {
    const created = options.createdConversationId ? changes.conversations.get(options.createdConversationId) : undefined;
    const [view] = created ? await toAgentConversations(db.db, [created], options.visitors) : [];
    if (view) toAgents(view.inboxId).emit('conversation:created', view);
    await publishMessages(changes, options.origin);
    await publishConversations(changes, options.visitors, sent);
    await publishAgents(changes);
    queues.add(changes.queues);
  }

  return {
    /** Sends the list and queue updates gathered so far (on shutdown). */
    async flush(): Promise<void> {
      activity.flush();
      await loads.flush();
      await queues.flush();
    },

    async publish(changes: DeskChanges, options: PublishOptions = {}): Promise<VisitorViews> {
      const sent: VisitorViews = new Map();
      await publishChanges(changes, options, sent).catch((err: unknown) => log.error({ err }, 'publish failed'));
      return sent;
    },

    /** The inbox's visitors learn whether it answers now (its business hours changed). */
    async inboxPresence(inboxId: string): Promise<void> {
      visitors.to(rooms.inboxVisitors(inboxId)).emit('inbox:presence', { online: await isInboxOnline(db.db, inboxId) });
    },

    /** Typing goes to the other side: a visitor's to the agents viewing it, an agent's to the visitor and fellow viewers. */
    typing(row: ConversationRow, from: 'visitor' | 'agent', payload: Typing, originSocketId: string): void {
      const viewers = agents.to(rooms.conversation(row.id)).except(originSocketId);
      if (from === 'agent') toVisitor(row.visitor_id).emit('typing:changed', { conversationId: payload.conversationId, typing: payload.typing, name: payload.name });
      viewers.emit('typing:changed', payload);
    },

    /** A whisper pops up for the assignee wherever they are; as a note it already went to the followers (publish). */
    whisper(view: AgentConversation, message: Message): void {
      if (view.assigneeId) agents.to(whisperAudience(view.assigneeId)).emit('whisper:received', { conversation: view, message });
    },

    /**
     * A read mark: the conversation's followers; the visitor (their other tabs, when they read) up to
     * what they can see; an agent's read resets unread, which the inbox's list rows show.
     */
    read(row: ConversationRow, by: 'visitor' | 'agent', seq: number, originSocketId: string): void {
      toFollowers(row).except(originSocketId).emit('read:changed', { conversationId: row.id, seq, by });
      toVisitor(row.visitor_id).except(originSocketId).emit('read:changed', { conversationId: row.id, seq: Math.min(seq, row.last_public_seq), by });
      if (by === 'agent') activity.add(row.inbox_id, toActivityItem(row));
    },
  };
}

/** Calls `read` once per key; later calls share its promise. */
function memoize<T>(read: (key: string) => Promise<T>): (key: string) => Promise<T> {
  const known = new Map<string, Promise<T>>();
  return (key) => {
    let value = known.get(key);
    if (!value) known.set(key, (value = read(key)));
    return value;
  };
}
