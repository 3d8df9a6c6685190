import { pino, type Logger } from 'pino';

export type { Logger };

/**
 * Structured JSON logs; tokens, passwords and secrets are redacted wherever they appear.
 * Written synchronously to stdout (as Node writes to a pipe anyway): pino's default asynchronous
 * stream flushes at exit in a loop that retries EPIPE forever, so a process whose stdout reader had
 * gone could never finish a SIGTERM. A synchronous stream reports EPIPE once and logging stops.
 */
export function createLogger(level: string, base: Record<string, unknown> = {}): Logger {
  return pino(
    {
      level,
      base: { service: 'kefu', ...base },
      redact: {
        paths: ['*.password', '*.token', '*.visitorToken', '*.secret', '*.identitySecret', '*.hash', 'req.headers.authorization', 'headers.authorization'],
        censor: '[redacted]',
      },
    },
    pino.destination({ dest: 1, sync: true }),
  );
}
