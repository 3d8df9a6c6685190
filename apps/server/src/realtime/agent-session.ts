import { agentCommands, type AgentSession } from '@kefu/protocol';
import {
  findAgent,
  inboxIdsOfAgent,
  inboxIdsOfAgents,
  listAgentRows,
  listInboxRows,
  memberRowsOf,
  profilesOf,
  queueSnapshot,
  updateAgentPresence,
  type AgentRow,
} from '@kefu/store';
import type { AppContext } from '../context.js';
import { inboxesSeenBy } from '../access.js';
import { agentHandlers } from './agent.handlers.js';
import { bindCommands } from './commands.js';
import type { AgentSocket } from './namespaces.js';
import { rooms } from './rooms.js';

/** A connected agent: commands, rooms, presence (routing sees them at once), then the session event. */
export async function startAgentSession(ctx: AppContext, socket: AgentSocket): Promise<void> {
  const me = socket.data;
  bindCommands(socket, agentCommands, () => agentHandlers(ctx, socket), {
    namespace: 'agent',
    limiter: ctx.commandLimiter,
    limiterKey: `a:${me.agentId}`,
    lifecycle: ctx.lifecycle,
    metrics: ctx.metrics,
    log: ctx.log,
  });
  socket.on('disconnect', () => ctx.viewers.disconnected(socket));
  // Admins hear every inbox through the admins room (see inboxAudience); members through their inbox rooms.
  const memberOf = await inboxIdsOfAgent(ctx.db.db, me.agentId);
  await socket.join([rooms.agent(me.agentId), rooms.session(me.sessionId), ...memberOf.map(rooms.inbox), ...(me.role === 'admin' ? [rooms.admins] : [])]);
  await ctx.presence.connect(me.agentId);
  // Counted once connected, uncounted once gone, even when it left while we were setting it up.
  const leave = () => void ctx.presence.disconnect(me.agentId).catch((err: unknown) => ctx.log.warn({ err }, 'presence disconnect failed'));
  if (socket.disconnected) return leave();
  socket.on('disconnect', leave);
  await ctx.broadcaster.publish(await updateAgentPresence(ctx.db, me.agentId, { connected: true }));
  const agent = await findAgent(ctx.db.db, me.agentId);
  if (!agent) throw new Error('agent vanished during connect');
  const [session] = await sessionsOf(ctx, [agent], new Map([[agent.id, memberOf]]));
  socket.emit('session', session!);
  // While no admin is connected the queue feed skips the admins' view; this one is read after the
  // presence above, so a move the feed skipped is in it.
  if (me.role === 'admin') socket.emit('queue:updated', await queueSnapshot(ctx.db.db));
}

/**
 * The agent's sockets on every node get their session again, with the inboxes they see now: an admin
 * gave them another inbox while they were connected (the sockets joined its room in place), and the
 * dashboard's inbox list comes from the session.
 */
export async function resendAgentSession(ctx: AppContext, agentId: string): Promise<void> {
  const agent = await findAgent(ctx.db.db, agentId);
  if (agent) await resendSessions(ctx, [agent]);
}

/**
 * Everyone connected who sees the inbox (its members and every admin) gets their session again, as the
 * inbox's name is in it: it was created or renamed.
 */
export async function resendSessionsOfInbox(ctx: AppContext, inboxId: string): Promise<void> {
  const [members, agents] = await Promise.all([memberRowsOf(ctx.db.db, inboxId), listAgentRows(ctx.db.db)]);
  const seeing = [...members, ...agents.filter((agent) => agent.role === 'admin')].filter((agent) => agent.connected === 1);
  await resendSessions(ctx, [...new Map(seeing.map((agent) => [agent.id, agent])).values()]);
}

async function resendSessions(ctx: AppContext, agents: AgentRow[]): Promise<void> {
  const memberships = await inboxIdsOfAgents(ctx.db.db, agents.map((agent) => agent.id));
  for (const session of await sessionsOf(ctx, agents, memberships)) ctx.agents.to(rooms.agent(session.agent.id)).emit('session', session);
}

/** Several agents' sessions from one read of their loads and one of the inbox list, whatever their number. */
async function sessionsOf(ctx: AppContext, agents: AgentRow[], memberships: Map<string, string[]>): Promise<AgentSession[]> {
  const [profiles, inboxes] = await Promise.all([profilesOf(ctx.db.db, agents), listInboxRows(ctx.db.db)]);
  return profiles.map((agent) => ({
    agent,
    inboxes: inboxesSeenBy(agent.role, memberships.get(agent.id) ?? [], inboxes).map(({ id, name }) => ({ id, name })),
  }));
}
