import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { AppContext } from '../context.js';
import { sendError } from './errors.js';

const digest = (text: string) => createHash('sha256').update(text).digest();

/**
 * True when the request carries `Authorization: Bearer <token>`. Both sides are hashed first, so
 * the comparison takes the same time whatever the length or content of the guess.
 */
export function hasBearer(request: FastifyRequest, token: string): boolean {
  const match = /^Bearer\s+(\S+)$/i.exec(request.headers.authorization ?? '');
  return timingSafeEqual(digest(match?.[1] ?? ''), digest(token)) && match !== null;
}

export function opsRoutes(ctx: AppContext) {
  return async (app: FastifyInstance) => {
    app.get('/healthz', async (_request, reply) => {
      try {
        await ctx.checkHealth();
        return reply.send({ ok: true });
      } catch (error) {
        ctx.log.warn({ err: error }, 'health check failed');
        return reply.status(503).send({ ok: false, error: { code: 'unavailable', message: 'a dependency does not answer' } });
      }
    });

    app.get('/metrics', async (request, reply) => {
      const token = ctx.config.metricsToken;
      if (token !== null && !hasBearer(request, token)) {
        return sendError(reply.header('WWW-Authenticate', 'Bearer realm="metrics"'), 'unauthorized', 'missing or wrong Authorization: Bearer <KEFU_METRICS_TOKEN>');
      }
      return reply.header('Content-Type', ctx.metrics.registry.contentType).send(await ctx.metrics.registry.metrics());
    });
  };
}
