import { resolve } from 'node:path';
import { z } from 'zod';
import { isTrustEntry, type TrustProxy } from './http/client-ip.js';

/** `true`, `false`, a hop count, or a comma-separated list of IPs / CIDR ranges (KEFU_TRUST_PROXY). */
const trustProxy = z.string().transform((value, check): TrustProxy => {
  const text = value.trim();
  if (text === 'true' || text === 'false') return text === 'true';
  if (/^\d+$/.test(text)) return Number(text) === 0 ? false : Number(text);
  const entries = text.split(',').map((entry) => entry.trim()).filter(Boolean);
  const bad = entries.filter((entry) => !isTrustEntry(entry));
  if (entries.length === 0 || bad.length > 0) {
    check.addIssue({ code: 'custom', message: `KEFU_TRUST_PROXY must be true, false, a hop count, or a comma-separated list of IPs/CIDR ranges; not ${bad.join(', ') || 'empty'}` });
    return z.NEVER;
  }
  return entries;
});

/** A comma-separated list of origins (scheme://host[:port]). */
const webOrigins = z.string().transform((value, check): string[] => {
  const entries = value.split(',').map((entry) => entry.trim()).filter(Boolean);
  const bad = entries.filter((entry) => !/^https?:\/\/[^/\s]+$/.test(entry));
  if (entries.length === 0 || bad.length > 0) {
    check.addIssue({ code: 'custom', message: `KEFU_WEB_ORIGINS must be comma-separated origins like https://desk.example.com; not ${bad.join(', ') || 'empty'}` });
    return z.NEVER;
  }
  return entries;
});

/** Every setting kefu reads, with its default. Nothing else in the server reads process.env. */
const EnvSchema = z
  .object({
    PORT: z.coerce.number().int().min(0).max(65_535).default(3001),
    HOST: z.string().default('0.0.0.0'),
    KEFU_DATA_DIR: z.string().default('./data'),
    KEFU_DATABASE_URL: z
      .string()
      .regex(/^postgres(ql)?:\/\//, 'KEFU_DATABASE_URL must be a postgres:// URL')
      .optional(),
    KEFU_REDIS_URL: z.string().regex(/^rediss?:\/\//, 'KEFU_REDIS_URL must be a redis:// URL').optional(),
    KEFU_REDIS_PREFIX: z.string().default('kefu:'),
    KEFU_SECRET: z.string().min(32, 'KEFU_SECRET must be at least 32 characters').optional(),
    KEFU_ADMIN_EMAIL: z.email().default('admin@kefu.local'),
    KEFU_ADMIN_PASSWORD: z.string().min(8, 'KEFU_ADMIN_PASSWORD must be at least 8 characters').optional(),
    KEFU_AGENT_OFFLINE_GRACE_MS: z.coerce.number().int().min(100).default(60_000),
    KEFU_SESSION_TTL_HOURS: z.coerce.number().positive().default(24 * 7),
    KEFU_UPLOAD_MAX_BYTES: z.coerce.number().int().positive().default(10 * 1024 * 1024),
    KEFU_RATE_LIMIT_POINTS: z.coerce.number().int().positive().default(200),
    KEFU_RATE_LIMIT_WINDOW_SEC: z.coerce.number().int().positive().default(10),
    KEFU_LOGIN_ATTEMPTS_PER_MINUTE: z.coerce.number().int().positive().default(30),
    KEFU_UPLOADS_PER_MINUTE: z.coerce.number().int().positive().default(30),
    KEFU_NEW_VISITORS_PER_MINUTE: z.coerce.number().int().positive().default(60),
    KEFU_TRUST_PROXY: trustProxy.optional(),
    KEFU_METRICS_TOKEN: z.string().min(16, 'KEFU_METRICS_TOKEN must be at least 16 characters').optional(),
    KEFU_SHUTDOWN_TIMEOUT_MS: z.coerce.number().int().positive().default(10_000),
    KEFU_NODE_ID: z.string().optional(),
    KEFU_WEB_ORIGINS: webOrigins.default(['http://localhost:3000', 'http://127.0.0.1:3000']),
    KEFU_PASSWORD_COST: z.coerce.number().int().min(10).max(20).default(17),
    KEFU_PASSWORD_CONCURRENCY: z.coerce.number().int().min(1).max(64).default(2),
    KEFU_PASSWORD_QUEUE: z.coerce.number().int().min(0).default(64),
    KEFU_HTTP_HEADERS_TIMEOUT_MS: z.coerce.number().int().min(100).default(10_000),
    KEFU_HTTP_REQUEST_TIMEOUT_MS: z.coerce.number().int().min(100).default(60_000),
    KEFU_HTTP_IDLE_TIMEOUT_MS: z.coerce.number().int().min(100).default(60_000),
    KEFU_HTTP_KEEP_ALIVE_TIMEOUT_MS: z.coerce.number().int().min(100).default(5_000),
    KEFU_MAX_CONNECTIONS_PER_ADDRESS: z.coerce.number().int().min(0).default(256),
    KEFU_UPLOAD_ORPHAN_TTL_MINUTES: z.coerce.number().positive().default(24 * 60),
    LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  })
  .refine((env) => env.KEFU_HTTP_HEADERS_TIMEOUT_MS <= env.KEFU_HTTP_REQUEST_TIMEOUT_MS, {
    message: 'KEFU_HTTP_HEADERS_TIMEOUT_MS must not exceed KEFU_HTTP_REQUEST_TIMEOUT_MS (the headers are part of the request)',
  })
  .refine((env) => !(env.KEFU_REDIS_URL && !env.KEFU_DATABASE_URL), {
    message:
      'KEFU_REDIS_URL is set but KEFU_DATABASE_URL is not: a cluster cannot share an embedded SQLite file. Set KEFU_DATABASE_URL=postgres://… or unset KEFU_REDIS_URL.',
  });

export type Env = z.infer<typeof EnvSchema>;

export type ServerConfig = {
  port: number;
  host: string;
  dataDir: string;
  store: { kind: 'sqlite'; file: string } | { kind: 'postgres'; url: string };
  redis: { url: string; prefix: string } | null;
  secret: string | null;
  admin: { email: string; password: string | undefined };
  offlineGraceMs: number;
  /** How often each node sweeps (offline agents, snoozes, stuck queues) and refreshes presence: a few times per grace period. */
  sweepIntervalMs: number;
  heartbeatMs: number;
  sessionTtlMs: number;
  uploadMaxBytes: number;
  rateLimit: { points: number; windowSec: number; loginPerMinute: number; uploadsPerMinute: number; newVisitorsPerMinute: number };
  /** Who may set X-Forwarded-For (Fastify's trustProxy); false: the socket's peer is the client. */
  trustProxy: TrustProxy;
  /** When set, GET /metrics wants `Authorization: Bearer <metricsToken>`. */
  metricsToken: string | null;
  shutdownTimeoutMs: number;
  nodeId: string | undefined;
  /** Origins of kefu's own web app (dashboard, widget iframe): the only ones (besides none) the agent namespace, admin API and logins accept. */
  webOrigins: string[];
  /** log2 of scrypt's N; lower only for tests. */
  passwordCost: number;
  /** scrypt runs at once / may wait (more waiting logins are refused), so hashing cannot take the thread pool file I/O needs. */
  passwordConcurrency: number;
  passwordQueue: number;
  /** Bounds on slow clients: whole headers, whole request (headers and body), silence on a socket, idle keep-alive. */
  http: { headersTimeoutMs: number; requestTimeoutMs: number; idleTimeoutMs: number; keepAliveTimeoutMs: number; maxConnectionsPerAddress: number };
  /** Uploads never bound to a message are deleted after this long. */
  uploadOrphanTtlMs: number;
  logLevel: Env['LOG_LEVEL'];
};

/** Parses the environment or throws one readable error listing every bad variable. */
export function loadConfig(source: Record<string, string | undefined> = process.env): ServerConfig {
  // An empty variable (FOO= or compose's ${FOO:-}) means "not set", so its default applies.
  const set = Object.fromEntries(Object.entries(source).filter(([, value]) => value !== undefined && value !== ''));
  const parsed = EnvSchema.safeParse(set);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  - ${i.path.join('.') || 'config'}: ${i.message}`);
    throw new Error(`kefu cannot start, the configuration is invalid:\n${lines.join('\n')}`);
  }
  return toConfig(parsed.data);
}

/** A period that fits `parts` times into the grace period, between 50 ms and 5 s. */
const fractionOf = (graceMs: number, parts: number): number => Math.max(50, Math.min(5_000, Math.floor(graceMs / parts)));

export function toConfig(env: Env): ServerConfig {
  const dataDir = resolve(env.KEFU_DATA_DIR);
  return {
    port: env.PORT,
    host: env.HOST,
    dataDir,
    store: env.KEFU_DATABASE_URL
      ? { kind: 'postgres', url: env.KEFU_DATABASE_URL }
      : { kind: 'sqlite', file: resolve(dataDir, 'kefu.db') },
    redis: env.KEFU_REDIS_URL ? { url: env.KEFU_REDIS_URL, prefix: env.KEFU_REDIS_PREFIX } : null,
    secret: env.KEFU_SECRET ?? null,
    admin: { email: env.KEFU_ADMIN_EMAIL, password: env.KEFU_ADMIN_PASSWORD },
    offlineGraceMs: env.KEFU_AGENT_OFFLINE_GRACE_MS,
    sweepIntervalMs: fractionOf(env.KEFU_AGENT_OFFLINE_GRACE_MS, 4),
    heartbeatMs: fractionOf(env.KEFU_AGENT_OFFLINE_GRACE_MS, 3),
    sessionTtlMs: env.KEFU_SESSION_TTL_HOURS * 3_600_000,
    uploadMaxBytes: env.KEFU_UPLOAD_MAX_BYTES,
    rateLimit: {
      points: env.KEFU_RATE_LIMIT_POINTS,
      windowSec: env.KEFU_RATE_LIMIT_WINDOW_SEC,
      loginPerMinute: env.KEFU_LOGIN_ATTEMPTS_PER_MINUTE,
      uploadsPerMinute: env.KEFU_UPLOADS_PER_MINUTE,
      newVisitorsPerMinute: env.KEFU_NEW_VISITORS_PER_MINUTE,
    },
    trustProxy: env.KEFU_TRUST_PROXY ?? false,
    metricsToken: env.KEFU_METRICS_TOKEN ?? null,
    shutdownTimeoutMs: env.KEFU_SHUTDOWN_TIMEOUT_MS,
    nodeId: env.KEFU_NODE_ID,
    webOrigins: env.KEFU_WEB_ORIGINS,
    passwordCost: env.KEFU_PASSWORD_COST,
    passwordConcurrency: env.KEFU_PASSWORD_CONCURRENCY,
    passwordQueue: env.KEFU_PASSWORD_QUEUE,
    http: {
      headersTimeoutMs: env.KEFU_HTTP_HEADERS_TIMEOUT_MS,
      requestTimeoutMs: env.KEFU_HTTP_REQUEST_TIMEOUT_MS,
      idleTimeoutMs: env.KEFU_HTTP_IDLE_TIMEOUT_MS,
      keepAliveTimeoutMs: env.KEFU_HTTP_KEEP_ALIVE_TIMEOUT_MS,
      maxConnectionsPerAddress: env.KEFU_MAX_CONNECTIONS_PER_ADDRESS,
    },
    uploadOrphanTtlMs: Math.round(env.KEFU_UPLOAD_ORPHAN_TTL_MINUTES * 60_000),
    logLevel: env.LOG_LEVEL,
  };
}
