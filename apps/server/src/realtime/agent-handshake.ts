import { AgentAuthSchema, KefuError } from '@kefu/protocol';
import { findAgent, findSession, type AgentRow } from '@kefu/store';
import type { AppContext } from '../context.js';
import { isDashboardOrigin } from '../http/origins.js';
import { handshakeError } from './commands.js';
import type { AgentSocket } from './namespaces.js';

/** A token is good while it verifies, its session is neither revoked nor expired, and its agent is active. */
export async function authenticateAgentToken(ctx: AppContext, token: string): Promise<{ agent: AgentRow; sessionId: string }> {
  const claims = await ctx.tokens.verifyAgent(token);
  if (!claims) throw new KefuError('unauthorized', 'invalid or expired token');
  const session = await findSession(ctx.db.db, claims.sessionId);
  const live = session && session.agent_id === claims.agentId && !session.revoked_at && Date.parse(session.expires_at) > Date.now();
  if (!live) throw new KefuError('unauthorized', 'session ended; log in again');
  const agent = await findAgent(ctx.db.db, claims.agentId);
  if (!agent || agent.active !== 1) throw new KefuError('unauthorized', 'account deactivated');
  return { agent, sessionId: claims.sessionId };
}

export function agentHandshake(ctx: AppContext) {
  return (socket: AgentSocket, next: (error?: Error) => void) => {
    // A node that is shutting down sends newcomers elsewhere.
    if (ctx.lifecycle.isDraining()) return next(new Error('unavailable'));
    // The handshake's headers are the first request's, whatever the transport (polling or websocket).
    if (!isDashboardOrigin(ctx.config, socket.handshake.headers.origin)) return next(new Error('forbidden'));
    const parsed = AgentAuthSchema.safeParse(socket.handshake.auth);
    if (!parsed.success) return next(new Error('unauthorized'));
    authenticateAgentToken(ctx, parsed.data.token)
      .then(({ agent, sessionId }) => {
        socket.data = { agentId: agent.id, sessionId, role: agent.role, name: agent.name };
        next();
      })
      .catch((error: unknown) => next(handshakeError(error, ctx.log, 'agent')));
  };
}
