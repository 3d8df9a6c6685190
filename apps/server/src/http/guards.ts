import { adminAccess } from '@kefu/core';
import { KefuError } from '@kefu/protocol';
import { enforce, type AgentRow } from '@kefu/store';
import type { FastifyRequest } from 'fastify';
import type { AppContext } from '../context.js';
import { authenticateAgentToken } from '../realtime/agent-handshake.js';

export function bearerOf(request: FastifyRequest): string {
  const header = request.headers.authorization ?? '';
  const match = /^Bearer\s+(\S+)$/i.exec(header);
  if (!match?.[1]) throw new KefuError('unauthorized', 'missing Authorization: Bearer <token>');
  return match[1];
}

export const requireAgent = (ctx: AppContext, request: FastifyRequest): Promise<{ agent: AgentRow; sessionId: string }> =>
  authenticateAgentToken(ctx, bearerOf(request));

export async function requireAdmin(ctx: AppContext, request: FastifyRequest): Promise<AgentRow> {
  const { agent } = await requireAgent(ctx, request);
  enforce(adminAccess({ type: 'agent', id: agent.id, role: agent.role, inboxIds: [] }));
  return agent;
}
