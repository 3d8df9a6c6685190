import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../context.js';

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

    app.get('/metrics', async (_request, reply) =>
      reply.header('Content-Type', ctx.metrics.registry.contentType).send(await ctx.metrics.registry.metrics()),
    );
  };
}
