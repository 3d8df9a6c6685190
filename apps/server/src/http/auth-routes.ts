import { randomBytes } from 'node:crypto';
import { KefuError, LoginInputSchema, parseOrThrow } from '@kefu/protocol';
import { findAgentByEmail, insertSession, profileOf, revokeSession } from '@kefu/store';
import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../context.js';
import { rooms } from '../realtime/rooms.js';
import { recordAudit } from './audit.js';
import { requireAgent } from './guards.js';
import { dashboardOnly } from './origins.js';

export function authRoutes(ctx: AppContext) {
  // A hash to verify against when the email is unknown, made once with this node's KEFU_PASSWORD_COST
  // so that an unknown email costs as much as a known one and timing does not tell which emails exist.
  const decoyHash = ctx.passwords.hash(randomBytes(24).toString('base64url'));
  decoyHash.catch(() => undefined); // a failure surfaces in the first login that needs the decoy
  return async (app: FastifyInstance) => {
    app.addHook('onRequest', dashboardOnly(ctx.config));
    app.post('/api/auth/login', async (request, reply) => {
      const input = parseOrThrow(LoginInputSchema, request.body);
      if (!(await ctx.loginLimiter.consume(`${request.ip}`))) throw new KefuError('rate_limited', 'too many login attempts; wait a minute');
      const agent = await findAgentByEmail(ctx.db.db, input.email);
      const valid = await ctx.passwords.verify(input.password, agent?.password_hash ?? (await decoyHash));
      const failed = (reason: string) => recordAudit(ctx, { action: 'login_failed', subjectId: agent?.id ?? null, email: input.email, ip: request.ip, detail: { reason } });
      if (!agent || !valid) {
        await failed(agent ? 'wrong_password' : 'unknown_email');
        throw new KefuError('unauthorized', 'wrong email or password');
      }
      if (agent.active !== 1) {
        await failed('deactivated');
        throw new KefuError('forbidden', 'this account is deactivated');
      }
      const session = await ctx.db.inTurn((tx) => insertSession(tx, agent.id, ctx.config.sessionTtlMs));
      const token = await ctx.tokens.signAgent({ agentId: agent.id, sessionId: session.id }, new Date(session.expires_at));
      await recordAudit(ctx, { action: 'login_succeeded', actorId: agent.id, subjectId: agent.id, email: agent.email, ip: request.ip });
      return reply.status(200).send({ token, agent: await profileOf(ctx.db.db, agent.id) });
    });

    app.post('/api/auth/logout', async (request, reply) => {
      const { agent, sessionId } = await requireAgent(ctx, request);
      await ctx.db.inTurn((tx) => revokeSession(tx, sessionId));
      // Through the adapter this reaches the session's sockets on every node.
      ctx.agents.in(rooms.session(sessionId)).disconnectSockets(true);
      ctx.log.info({ agentId: agent.id }, 'agent logged out');
      return reply.status(204).send();
    });
  };
}
