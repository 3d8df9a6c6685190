import { randomUUID } from 'node:crypto';
import { createShardedAdapter } from '@socket.io/redis-adapter';
import { limits } from '@kefu/protocol';
import { bootstrapStore, openDatabase } from '@kefu/store';
import cors from '@fastify/cors';
import Fastify from 'fastify';
import { Server } from 'socket.io';
import { createPasswords } from './auth/passwords.js';
import { createTokenService } from './auth/tokens.js';
import type { AppContext } from './context.js';
import type { ServerConfig } from './env.js';
import { adminRoutes } from './http/admin-routes.js';
import { authRoutes } from './http/auth-routes.js';
import { clientAddress, compileTrust } from './http/client-ip.js';
import { limitConnectionsPerAddress } from './http/connection-limit.js';
import { refuseWhileDraining } from './http/draining.js';
import { frameworkErrors, installErrorHandling } from './http/errors.js';
import { opsRoutes } from './http/ops-routes.js';
import { uploadRoutes } from './http/upload-routes.js';
import { startUploadSweeper } from './http/upload-sweeper.js';
import { createLifecycle } from './lifecycle.js';
import { createLogger, type Logger } from './logger.js';
import { createMetrics } from './metrics.js';
import { createRedisPresence } from './presence/redis-presence.js';
import { createMemoryPresence } from './presence/registry.js';
import { startSweeper } from './presence/sweeper.js';
import { createLimiter } from './rate-limit.js';
import { connectRedis, type RedisClients } from './redis.js';
import { createViewerRegistry } from './realtime/viewers.js';
import { agentHandshake } from './realtime/agent-handshake.js';
import { startAgentSession } from './realtime/agent-session.js';
import { createBroadcaster } from './realtime/broadcaster.js';
import { dropOwnEchoes } from './realtime/drop-own-echoes.js';
import { encodeOnDemand } from './realtime/encode-on-demand.js';
import type { AgentNamespace, VisitorNamespace } from './realtime/namespaces.js';
import { visitorHandshake } from './realtime/visitor-handshake.js';
import { startVisitorSession } from './realtime/visitor.handlers.js';

export type RunningServer = { port: number; url: string; ctx: AppContext; close(): Promise<void> };


/** Builds and starts one kefu node from its configuration; main.ts only adds signals around it. */
export async function startServer(config: ServerConfig, logger?: Logger): Promise<RunningServer> {
  const nodeId = config.nodeId ?? randomUUID().slice(0, 8);
  const log = logger ?? createLogger(config.logLevel, { node: nodeId });
  const passwords = createPasswords({ log2Cost: config.passwordCost, concurrency: config.passwordConcurrency, maxQueued: config.passwordQueue });
  const db = openDatabase(config.store);
  const boot = await bootstrapStore(db, { adminEmail: config.admin.email, adminPassword: config.admin.password, hashPassword: passwords.hash });
  if (boot.createdAdmin?.generatedPassword) {
    log.warn({ email: boot.createdAdmin.email, generatedPassword: boot.createdAdmin.generatedPassword }, 'first start: admin created with this generated password (shown once; change it)');
  }
  if (boot.adminPasswordIgnored) {
    log.warn('KEFU_ADMIN_PASSWORD is set but the store already has agents: it is used only on an empty store, so the existing admin keeps their password (delete the data directory to start over)');
  }
  const redis = config.redis ? await connectRedis(config.redis.url, log) : null;

  // X-Forwarded-For counts only from the proxies KEFU_TRUST_PROXY names (by default from nobody):
  // request.ip keys the login limiter, and a client must not choose its own.
  const trust = compileTrust(config.trustProxy);
  const http = Fastify({ bodyLimit: 64 * 1024, trustProxy: config.trustProxy === false ? false : trust, frameworkErrors, ...slowClientBounds(config.http) });
  const metrics = createMetrics();
  limitConnectionsPerAddress(http.server, config.http.maxConnectionsPerAddress, trust, () => metrics.connectionsRefused.inc());
  const io = new Server(http.server, { maxHttpBufferSize: limits.frameBytes, cors: { origin: true } });
  io.adapter(encodeOnDemand(redis ? dropOwnEchoes(createShardedAdapter(redis.pub, redis.sub, { subscriptionMode: 'dynamic', channelPrefix: `${config.redis!.prefix}sio` })) : io.adapter()!));
  const visitors = io.of('/visitor') as VisitorNamespace;
  const agents = io.of('/agent') as AgentNamespace;

  const ctx = buildContext(config, { log, db, redis, visitors, agents, passwords, metrics, nodeId, secret: config.secret ?? boot.secret, clientIp: (request) => clientAddress(request, trust) });
  visitors.use(visitorHandshake(ctx));
  agents.use(agentHandshake(ctx));
  visitors.on('connection', (socket) => onConnection(ctx, 'visitor', socket, () => startVisitorSession(ctx, socket)));
  agents.on('connection', (socket) => onConnection(ctx, 'agent', socket, () => startAgentSession(ctx, socket)));

  // The web app (dashboard, widget iframe) calls the HTTP API from its own origin; no one else's browser may.
  await http.register(cors, { origin: config.webOrigins, methods: ['GET', 'POST', 'PATCH', 'DELETE'], allowedHeaders: ['Authorization', 'Content-Type'], maxAge: 600 });
  installErrorHandling(http, log);
  refuseWhileDraining(http, ctx);
  // The route pattern, not the URL, so ids do not explode the label set.
  http.addHook('onResponse', async (request, reply) => {
    ctx.metrics.httpRequests.inc({ route: request.routeOptions.url ?? 'unmatched', status: String(reply.statusCode) });
  });
  await http.register(authRoutes(ctx));
  await http.register(adminRoutes(ctx));
  await http.register(uploadRoutes(ctx));
  await http.register(opsRoutes(ctx));
  await http.listen({ port: config.port, host: config.host });
  const address = http.server.address();
  const port = typeof address === 'object' && address ? address.port : config.port;
  const sweeper = startSweeper(ctx, config.sweepIntervalMs);
  const uploadSweeper = startUploadSweeper(ctx);
  log.info({ port, store: config.store.kind, redis: Boolean(redis) }, 'kefu server listening');

  const close = async () => {
    log.info('shutting down: finishing commands in flight');
    await ctx.lifecycle.drain(config.shutdownTimeoutMs);
    await sweeper.stop();
    await uploadSweeper.stop();
    await ctx.presence.close();
    await ctx.broadcaster.flush();
    ctx.viewers.close();
    visitors.local.disconnectSockets(true);
    agents.local.disconnectSockets(true);
    // io.close() resolves before the HTTP server has closed; its callback comes after.
    await new Promise<void>((resolve) => void io.close(() => resolve()));
    await http.close();
    await redis?.close();
    await db.close();
    log.info('shut down');
  };
  return { port, url: `http://127.0.0.1:${port}`, ctx, close };
}

type ContextParts = Pick<AppContext, 'log' | 'db' | 'visitors' | 'agents' | 'passwords' | 'metrics' | 'clientIp'> & { redis: RedisClients | null; nodeId: string; secret: string };

function buildContext(config: ServerConfig, parts: ContextParts): AppContext {
  const { redis, db, log } = parts;
  const limiterStore = redis ? { client: redis.pub, prefix: config.redis!.prefix } : null;
  return {
    ...parts,
    config,
    tokens: createTokenService(parts.secret),
    presence: redis
      ? createRedisPresence(redis.pub, { prefix: config.redis!.prefix, nodeId: parts.nodeId, heartbeatMs: config.heartbeatMs, keyTtlMs: config.offlineGraceMs * 10 })
      : createMemoryPresence(),
    commandLimiter: createLimiter('cmd', { points: config.rateLimit.points, durationSec: config.rateLimit.windowSec }, limiterStore),
    loginLimiter: createLimiter('login', { points: config.rateLimit.loginPerMinute, durationSec: 60 }, limiterStore),
    uploadLimiter: createLimiter('upload', { points: config.rateLimit.uploadsPerMinute, durationSec: 60 }, limiterStore),
    newVisitorLimiter: createLimiter('new-visitor', { points: config.rateLimit.newVisitorsPerMinute, durationSec: 60 }, limiterStore),
    lifecycle: createLifecycle(),
    broadcaster: createBroadcaster(db, parts.visitors, parts.agents, log),
    viewers: createViewerRegistry(parts.agents, log),
    checkHealth: async () => {
      await db.ping();
      if (redis) await redis.pub.ping();
    },
    log,
  };
}

/**
 * Node's HTTP server waits forever for a slow client by default: bound the headers, the whole
 * request (a body trickled byte by byte) and silent sockets, and check them often enough that a
 * stalled connection goes within seconds of its deadline rather than Node's default 30 s sweep.
 */
function slowClientBounds(bounds: ServerConfig['http']) {
  return {
    requestTimeout: bounds.requestTimeoutMs,
    connectionTimeout: bounds.idleTimeoutMs,
    keepAliveTimeout: bounds.keepAliveTimeoutMs,
    http: { headersTimeout: bounds.headersTimeoutMs, connectionsCheckingInterval: Math.max(50, Math.min(5_000, Math.floor(bounds.headersTimeoutMs / 4))) },
  };
}

/** Counts the socket, and drops it with a logged reason if its session cannot be set up. */
function onConnection(ctx: AppContext, namespace: 'visitor' | 'agent', socket: { disconnect(close?: boolean): unknown; on(event: 'disconnect', fn: () => void): unknown }, start: () => Promise<void>) {
  ctx.metrics.sockets.inc({ namespace });
  socket.on('disconnect', () => ctx.metrics.sockets.dec({ namespace }));
  start().catch((err: unknown) => {
    ctx.log.error({ err, namespace }, 'session setup failed');
    socket.disconnect(true);
  });
}
