import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../context.js';

/**
 * While the node drains for a shutdown, every new HTTP request gets 503 `unavailable` (and the
 * connection is closed), /healthz included, so the balancer stops sending traffic here and
 * retries elsewhere. Requests already running finish: http.close() waits for them.
 */
export function refuseWhileDraining(app: FastifyInstance, ctx: AppContext): void {
  app.addHook('onRequest', async (request, reply) => {
    if (!ctx.lifecycle.isDraining()) return;
    const error = { code: 'unavailable', message: 'this node is shutting down; retry on another one' } as const;
    const body = request.url.split('?')[0] === '/healthz' ? { ok: false, error } : { error };
    return reply.status(503).header('Connection', 'close').header('Retry-After', '1').send(body);
  });
}
