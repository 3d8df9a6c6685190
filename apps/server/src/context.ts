import type { IncomingMessage } from 'node:http';
import type { Database } from '@kefu/store';
import type { Passwords } from './auth/passwords.js';
import type { TokenService } from './auth/tokens.js';
import type { ServerConfig } from './env.js';
import type { Lifecycle } from './lifecycle.js';
import type { Logger } from './logger.js';
import type { Metrics } from './metrics.js';
import type { PresenceRegistry } from './presence/registry.js';
import type { Limiter } from './rate-limit.js';
import type { Broadcaster } from './realtime/broadcaster.js';
import type { AgentNamespace, VisitorNamespace } from './realtime/namespaces.js';
import type { ViewerRegistry } from './realtime/viewers.js';

/** The parts of a running server, built once in app.ts and handed to every handler and route. */
export type AppContext = {
  config: ServerConfig;
  db: Database;
  tokens: TokenService;
  passwords: Passwords;
  presence: PresenceRegistry;
  commandLimiter: Limiter;
  loginLimiter: Limiter;
  /** Uploads per uploader (visitor or agent) per minute. */
  uploadLimiter: Limiter;
  /** New anonymous visitors per client address per minute. */
  newVisitorLimiter: Limiter;
  /** The client's address of a raw request (a socket handshake), by the same KEFU_TRUST_PROXY rule as request.ip. */
  clientIp: (request: IncomingMessage) => string;
  lifecycle: Lifecycle;
  metrics: Metrics;
  log: Logger;
  broadcaster: Broadcaster;
  /** Who has which conversation open, across nodes (the collision guard). */
  viewers: ViewerRegistry;
  visitors: VisitorNamespace;
  agents: AgentNamespace;
  /** Checks the store (and Redis when configured); throws when one does not answer. */
  checkHealth: () => Promise<void>;
};
