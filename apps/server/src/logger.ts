import { pino, type Logger } from 'pino';

export type { Logger };

/** Structured JSON logs; tokens, passwords and secrets are redacted wherever they appear. */
export function createLogger(level: string, base: Record<string, unknown> = {}): Logger {
  return pino({
    level,
    base: { service: 'kefu', ...base },
    redact: {
      paths: ['*.password', '*.token', '*.visitorToken', '*.secret', '*.identitySecret', '*.hash', 'req.headers.authorization', 'headers.authorization'],
      censor: '[redacted]',
    },
  });
}
