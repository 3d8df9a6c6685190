import { fail, ok, parseOrThrow, type Result } from '@kefu/protocol';
import type { Socket } from 'socket.io';
import type { z } from 'zod';
import { errorBodyOf } from '../error-body.js';
import type { Lifecycle } from '../lifecycle.js';
import type { Logger } from '../logger.js';
import type { Metrics } from '../metrics.js';
import type { Limiter } from '../rate-limit.js';

type CommandSchemas = Record<string, { input: z.ZodType; output: z.ZodType }>;
export type CommandHandlers<S extends CommandSchemas> = {
  [C in keyof S]: (input: z.output<S[C]['input']>) => Promise<z.infer<S[C]['output']>>;
};

export type CommandDeps = {
  namespace: 'visitor' | 'agent';
  limiter: Limiter;
  /** Who the rate limit counts against: the visitor or agent, not the socket, so new tabs do not reset it. */
  limiterKey: string;
  lifecycle: Lifecycle;
  metrics: Metrics;
  log: Logger;
};

/** A command's failed ack (errorBodyOf). */
export const toFailure = (error: unknown, log: Logger, context: Record<string, unknown>): Result<never> => ({ ok: false, error: errorBodyOf(error, log, 'command', context) });

/** A refused handshake's connect_error, whose message is the code a command would have answered. */
export const handshakeError = (error: unknown, log: Logger, namespace: CommandDeps['namespace']): Error =>
  new Error(errorBodyOf(error, log, 'handshake', { namespace, command: 'handshake' }).code);

/**
 * Binds every command of a namespace to the socket: validate → rate-limit → handle → ack.
 * Whatever a client sends (no payload, a function as payload, no ack, an unknown event) gets an
 * answer when it gave an ack callback, and never reaches a handler unvalidated. One listener per
 * socket, and its handlers made at its first command: most shoppers' sockets (a tab with the widget
 * loaded) never send one, and a node holds thousands of them.
 */
export function bindCommands<S extends CommandSchemas>(socket: Socket, schemas: S, makeHandlers: () => CommandHandlers<S>, deps: CommandDeps): void {
  let handlers: CommandHandlers<S> | undefined;
  socket.onAny((event: string, ...args: unknown[]) => {
    const ack = typeof args[args.length - 1] === 'function' ? (args.pop() as (result: Result<unknown>) => void) : null;
    // Own keys only: `toString`, `constructor` and `__proto__` are not commands and get their answer too.
    if (!Object.hasOwn(schemas, event)) return ack?.(fail('bad_request', `unknown command: ${String(event).slice(0, 50)}`));
    handlers ??= makeHandlers();
    void run(event, args[0], schemas, handlers, deps).then((result) => ack?.(result));
  });
}

async function run<S extends CommandSchemas>(command: string, payload: unknown, schemas: S, handlers: CommandHandlers<S>, deps: CommandDeps): Promise<Result<unknown>> {
  const { metrics, namespace } = deps;
  const stopTimer = metrics.commandSeconds.startTimer({ namespace, command });
  const result = await execute(command, payload, schemas, handlers, deps);
  stopTimer();
  metrics.commands.inc({ namespace, command, result: result.ok ? 'ok' : result.error.code });
  return result;
}

async function execute<S extends CommandSchemas>(command: string, payload: unknown, schemas: S, handlers: CommandHandlers<S>, deps: CommandDeps): Promise<Result<unknown>> {
  if (deps.lifecycle.isDraining()) return fail('unavailable', 'this node is shutting down; retry after reconnecting');
  try {
    // Tracked from here, not from the handler: a command accepted before the drain began but still
    // waiting on the rate limiter must hold the shutdown too, or it runs against a closed store.
    return await deps.lifecycle.track(async () => {
      if (!(await deps.limiter.consume(deps.limiterKey))) return fail('rate_limited', 'too many commands; slow down');
      const schema = schemas[command] as S[keyof S];
      const input = parseOrThrow(schema.input, payload ?? {});
      const handler = handlers[command as keyof S] as (input: unknown) => Promise<unknown>;
      return ok(await handler(input));
    });
  } catch (error) {
    return toFailure(error, deps.log, { namespace: deps.namespace, command });
  }
}
