import {
  AgentCreateSchema,
  AgentPatchSchema,
  CannedCreateSchema,
  IdSchema,
  InboxCreateSchema,
  InboxPatchSchema,
  KefuError,
  parseOrThrow,
  ReportQuerySchema,
  type AgentPatch,
  type AgentProfile,
} from '@kefu/protocol';
import {
  assignmentsOf,
  conversationReport,
  deleteCanned,
  drainAutoInboxes,
  findAgent,
  findConversation,
  findInbox,
  inboxIdsOfAgents,
  insertAgent,
  insertCanned,
  insertInbox,
  isUniqueViolation,
  listAgentRows,
  listCanned,
  listInboxRows,
  profilesOf,
  revokeSessionsOfAgent,
  setAgentInboxes,
  setMemberships,
  toInbox,
  updateAgentPresence,
  updateAgentRow,
  updateInboxRow,
  type AgentChanges,
  type AgentRow,
} from '@kefu/store';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { AppContext } from '../context.js';
import { resendAgentSession, resendSessionsOfInbox } from '../realtime/agent-session.js';
import { rooms } from '../realtime/rooms.js';
import { auditPage, recordAudit } from './audit.js';
import { requireAdmin } from './guards.js';
import { dashboardOnly } from './origins.js';

const ParamsSchema = z.object({ id: IdSchema });
const idOf = (request: FastifyRequest) => parseOrThrow(ParamsSchema, request.params).id;

/** A taken email or shortcut is a conflict, not a crash. */
async function unique<T>(what: string, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (isUniqueViolation(error)) throw new KefuError('conflict', `${what} is already taken`);
    throw error;
  }
}

export function adminRoutes(ctx: AppContext) {
  const db = ctx.db;
  /** Profiles with their inboxes: three queries whatever the number of agents (it was three per agent). */
  const agentsWithInboxes = async (rows: AgentRow[]): Promise<(AgentProfile & { inboxIds: string[] })[]> => {
    const [profiles, memberships] = await Promise.all([profilesOf(db.db, rows), inboxIdsOfAgents(db.db, rows.map((row) => row.id))]);
    return profiles.map((profile) => ({ ...profile, inboxIds: memberships.get(profile.id) ?? [] }));
  };
  const agentWithInboxes = async (id: string): Promise<AgentProfile & { inboxIds: string[] }> => {
    const row = await findAgent(db.db, id);
    if (!row) throw new KefuError('not_found', 'no such agent');
    return (await agentsWithInboxes([row]))[0]!;
  };
  const checkInboxes = async (ids: string[] | undefined) => {
    for (const id of ids ?? []) if (!(await findInbox(db.db, id))) throw new KefuError('bad_request', `inboxIds: no inbox ${id}`);
  };

  /**
   * Membership changes reach live sockets on every node at once: new inboxes are joined in place, and
   * the agent gets their session again with them; a removal disconnects the agent's sockets, because
   * they may sit in rooms of that inbox's open conversations too; the SDK reconnects them with exactly
   * the rooms they may have now (and a new session). What they held in an inbox they left goes back to
   * its queue (setAgentInboxes): messages of a conversation go to its assignee's room too, so keeping
   * it would keep them reading it.
   */
  async function moveMemberships(agentId: string, inboxIds: string[]) {
    const { left, joined, changes } = await setAgentInboxes(db, agentId, inboxIds);
    const sockets = ctx.agents.in(rooms.agent(agentId));
    if (left.length > 0) sockets.disconnectSockets(true);
    else if (joined.length > 0) {
      sockets.socketsJoin(inboxIds.map(rooms.inbox));
      await resendAgentSession(ctx, agentId);
    }
    await ctx.broadcaster.publish(changes);
  }

  /**
   * Applies the changes, refusing (409) to demote or deactivate the last active admin. On PostgreSQL
   * the active admins' rows are locked first, so two admins demoting each other at once cannot both pass.
   */
  const updateAgent = (before: AgentRow, changes: AgentChanges) =>
    unique('email', () =>
      db.transaction(async (tx) => {
        const losesAdmin = before.role === 'admin' && before.active === 1 && ((changes.role !== undefined && changes.role !== 'admin') || changes.active === false);
        if (losesAdmin) {
          const query = tx.selectFrom('agents').select(['id', 'role', 'active']).where('role', '=', 'admin').where('active', '=', 1).orderBy('id');
          const admins = await (db.dialect === 'postgres' ? query.forUpdate() : query).execute();
          if (!admins.some((admin) => admin.id !== before.id)) throw new KefuError('conflict', 'this is the last active admin; make another admin first');
        }
        await updateAgentRow(tx, before.id, changes);
      }),
    );

  /** The admin each request was authenticated as, by the preHandler below. */
  const admins = new WeakMap<FastifyRequest, AgentRow>();
  const adminOf = (request: FastifyRequest): AgentRow => admins.get(request)!;

  /** The changes of an agent's account that the audit log keeps (the new password itself never). */
  async function auditAgentChanges(actorId: string, ip: string, before: AgentRow, input: AgentPatch) {
    const common = { actorId, subjectId: before.id, email: before.email, ip };
    if (input.password !== undefined) await recordAudit(ctx, { ...common, action: 'password_changed' });
    if (input.role !== undefined && input.role !== before.role) await recordAudit(ctx, { ...common, action: 'role_changed', detail: { from: before.role, to: input.role } });
    if (input.active !== undefined && input.active !== (before.active === 1)) await recordAudit(ctx, { ...common, action: input.active ? 'agent_reactivated' : 'agent_deactivated' });
  }

  return async (app: FastifyInstance) => {
    app.addHook('onRequest', dashboardOnly(ctx.config));
    app.addHook('preHandler', async (request) => {
      admins.set(request, await requireAdmin(ctx, request));
    });

    app.get('/api/admin/agents', async () => ({
      agents: await agentsWithInboxes(await listAgentRows(db.db)),
    }));

    app.post('/api/admin/agents', async (request, reply) => {
      const input = parseOrThrow(AgentCreateSchema, request.body);
      await checkInboxes(input.inboxIds);
      const passwordHash = await ctx.passwords.hash(input.password);
      const row = await unique('email', () =>
        db.inTurn((tx) => insertAgent(tx, { email: input.email, name: input.name, passwordHash, role: input.role ?? 'agent', capacity: input.capacity ?? 3 })),
      );
      await db.inTurn((tx) => setMemberships(tx, row.id, input.inboxIds ?? []));
      return reply.status(201).send({ agent: await agentWithInboxes(row.id) });
    });

    app.patch('/api/admin/agents/:id', async (request) => {
      const id = idOf(request);
      const input = parseOrThrow(AgentPatchSchema, request.body);
      const before = await findAgent(db.db, id);
      if (!before) throw new KefuError('not_found', 'no such agent');
      await checkInboxes(input.inboxIds);
      const changes: AgentChanges = { ...input };
      if (input.password) changes.passwordHash = await ctx.passwords.hash(input.password);
      await updateAgent(before, changes);
      await auditAgentChanges(adminOf(request).id, request.ip, before, input);
      if (input.inboxIds) await moveMemberships(id, input.inboxIds);
      // A new password (or a deactivation) ends every session of the agent, on every node.
      if (input.active === false || input.password !== undefined) {
        for (const sessionId of await db.inTurn((tx) => revokeSessionsOfAgent(tx, id))) ctx.agents.in(rooms.session(sessionId)).disconnectSockets(true);
      } else if (input.role !== undefined && input.role !== before.role) {
        // A live socket keeps the role (and admin rooms) of its handshake: reconnecting picks up the new one.
        ctx.agents.in(rooms.agent(id)).disconnectSockets(true);
      }
      // Capacity, role, activity or inboxes may let the queue move.
      await ctx.broadcaster.publish(await updateAgentPresence(db, id, {}));
      return { agent: await agentWithInboxes(id) };
    });

    app.get('/api/admin/inboxes', async () => ({ inboxes: (await listInboxRows(db.db)).map(toInbox) }));

    app.post('/api/admin/inboxes', async (request, reply) => {
      const input = parseOrThrow(InboxCreateSchema, request.body);
      const row = await db.inTurn((tx) => insertInbox(tx, input));
      await resendSessionsOfInbox(ctx, row.id); // the admins' inbox filters list it at once
      return reply.status(201).send({ inbox: toInbox(row) });
    });

    app.patch('/api/admin/inboxes/:id', async (request) => {
      const id = idOf(request);
      const input = parseOrThrow(InboxPatchSchema, request.body);
      if (!(await findInbox(db.db, id))) throw new KefuError('not_found', 'no such inbox');
      await db.inTurn((tx) => updateInboxRow(tx, id, input));
      // Switched to auto routing: its queue drains into whatever capacity is free now.
      if (input.routing === 'auto') await ctx.broadcaster.publish(await drainAutoInboxes(db, [id]));
      if (input.businessHours !== undefined) await ctx.broadcaster.inboxPresence(id);
      if (input.name !== undefined) await resendSessionsOfInbox(ctx, id);
      const row = await findInbox(db.db, id);
      return { inbox: toInbox(row!) };
    });

    app.get('/api/admin/canned', async () => ({ responses: await listCanned(db.db) }));

    app.post('/api/admin/canned', async (request, reply) => {
      const input = parseOrThrow(CannedCreateSchema, request.body);
      return reply.status(201).send({ response: await unique('shortcut', () => db.inTurn((tx) => insertCanned(tx, input))) });
    });

    app.delete('/api/admin/canned/:id', async (request, reply) => {
      if (!(await db.inTurn((tx) => deleteCanned(tx, idOf(request))))) throw new KefuError('not_found', 'no such canned response');
      return reply.status(204).send();
    });

    app.get('/api/admin/audit', async (request) => auditPage(ctx, request.query));

    /** Conversation reports over local days in the admin's time zone (aggregated by the database). */
    app.get('/api/admin/reports', async (request) => {
      const query = parseOrThrow(ReportQuerySchema, request.query);
      if (query.inboxId && !(await findInbox(db.db, query.inboxId))) throw new KefuError('not_found', 'no such inbox');
      if (query.agentId && !(await findAgent(db.db, query.agentId))) throw new KefuError('not_found', 'no such agent');
      return conversationReport(db, { from: query.from, to: query.to, timeZone: query.tz ?? 'UTC', inboxId: query.inboxId, agentId: query.agentId });
    });

    /** Why did this conversation go to whom: every assignment decision with its recorded reason. */
    app.get('/api/admin/conversations/:id/assignments', async (request) => {
      const id = idOf(request);
      if (!(await findConversation(db.db, id))) throw new KefuError('not_found', 'no such conversation');
      return { assignments: await assignmentsOf(db.db, id) };
    });
  };
}
