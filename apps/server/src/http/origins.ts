import { KefuError } from '@kefu/protocol';
import type { FastifyRequest } from 'fastify';
import type { ServerConfig } from '../env.js';

/**
 * The dashboard's origins (KEFU_WEB_ORIGINS) are the only web pages that may speak for an agent:
 * the agent namespace, logins and the admin API refuse any other page, so a hostile site open in an
 * agent's browser cannot drive them. A request without Origin (an SDK, a server, curl) is no
 * browser page and passes; it still needs its token. The visitor namespace and uploads take any
 * origin: the widget runs on every shop's site.
 */
export function isDashboardOrigin(config: Pick<ServerConfig, 'webOrigins'>, origin: string | string[] | undefined): boolean {
  if (origin === undefined) return true;
  if (Array.isArray(origin)) return false;
  return config.webOrigins.includes(origin);
}

/** Fastify onRequest hook for the dashboard's routes. */
export function dashboardOnly(config: Pick<ServerConfig, 'webOrigins'>) {
  return async (request: FastifyRequest): Promise<void> => {
    if (!isDashboardOrigin(config, request.headers.origin)) throw new KefuError('forbidden', 'this origin may not use the agent API; see KEFU_WEB_ORIGINS');
  };
}
