import { AgentClient, type VisitorClient } from '@kefu/client';
import type { AgentServerToClientEvents, Result, VisitorServerToClientEvents } from '@kefu/protocol';
import type { Socket } from 'socket.io-client';

/**
 * Waiting on sockets with an upper bound: a promise with a deadline, the next matching event, an
 * event log that looks back, and round-trip barriers. Re-exported by kit.ts; the cluster harness
 * takes `waitFor` from here.
 */

export const DEFAULT_WAIT_MS = 5_000;

type Label = string | (() => string);
const text = (label: Label) => (typeof label === 'string' ? label : label());

/** Upper bound for awaiting something: a failing test fails fast instead of hanging until Jest's timeout. */
export function within<T>(promise: Promise<T>, label: Label, ms = DEFAULT_WAIT_MS): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms waiting for ${text(label)}`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/**
 * Resolves with the first value `subscribe` reports, or rejects after `ms` naming what was awaited.
 * `subscribe` returns its unsubscribe function, which runs either way.
 */
export function waitFor<T>(label: Label, ms: number, subscribe: (done: (value: T) => void) => () => void): Promise<T> {
  let unsubscribe: (() => void) | undefined;
  const seen = new Promise<T>((resolve) => {
    unsubscribe = subscribe(resolve);
  });
  const result = within(seen, label, ms).finally(() => unsubscribe?.());
  // A test that fails before awaiting this must not also crash the run with an unhandled rejection.
  result.catch(() => undefined);
  return result;
}

type AnyClient = AgentClient | VisitorClient;
export type EventsOf<C> = C extends AgentClient ? AgentServerToClientEvents : VisitorServerToClientEvents;
export type PayloadOf<C, E extends keyof EventsOf<C>> = EventsOf<C>[E] extends (payload: infer P) => unknown ? P : never;
type Listenable = { on(event: string, listener: (payload: unknown) => void): () => void };

/** The first `event` from now on whose payload passes `match`. Call this before acting, then await it. */
export function nextEvent<C extends AnyClient, E extends keyof EventsOf<C> & string>(
  client: C,
  event: E,
  match: (payload: PayloadOf<C, E>) => boolean = () => true,
  ms = DEFAULT_WAIT_MS,
): Promise<PayloadOf<C, E>> {
  return waitFor(`${event} on ${client.constructor.name}`, ms, (done) =>
    (client as unknown as Listenable).on(event, (payload) => {
      if (match(payload as PayloadOf<C, E>)) done(payload as PayloadOf<C, E>);
    }),
  );
}

type Recorded = { event: string; payload: unknown };

/**
 * Records every event a client receives, in arrival order, from when it is made (make it before the
 * client connects to see everything). `wait` resolves with the first recorded match at or after
 * `from`, so an event that arrived before the test started waiting is not missed. `all` and
 * `mentioning` assert what did NOT arrive, after a `barrier` or a later event of the same socket.
 */
export class EventLog<C extends AnyClient> {
  readonly events: Recorded[] = [];
  private readonly waiters = new Set<() => void>();

  constructor(client: C) {
    client.socket.onAny((event: string, payload: unknown) => {
      this.events.push({ event, payload });
      for (const waiter of [...this.waiters]) waiter();
    });
  }

  /** The index the next recorded event will get; pass it as `from` to ignore what came before. */
  mark(): number {
    return this.events.length;
  }

  /** Payloads of one event recorded in [from, to). */
  all<E extends keyof EventsOf<C> & string>(event: E, from = 0, to = this.events.length): PayloadOf<C, E>[] {
    return this.events
      .slice(from, to)
      .filter((e) => e.event === event)
      .map((e) => e.payload as PayloadOf<C, E>);
  }

  /** Events (at or after `from`) whose payload mentions this id anywhere (conversationId, id, queued items…). */
  mentioning(id: string, from = 0): Recorded[] {
    return this.events.slice(from).filter((e) => JSON.stringify(e.payload ?? null).includes(id));
  }

  /** Index of the first matching event at or after `from`, or -1. */
  indexOf<E extends keyof EventsOf<C> & string>(event: E, predicate: (payload: PayloadOf<C, E>) => boolean = () => true, from = 0): number {
    for (let i = from; i < this.events.length; i++) {
      const e = this.events[i]!;
      if (e.event === event && predicate(e.payload as PayloadOf<C, E>)) return i;
    }
    return -1;
  }

  wait<E extends keyof EventsOf<C> & string>(
    event: E,
    predicate: (payload: PayloadOf<C, E>) => boolean = () => true,
    options: { from?: number; timeoutMs?: number } = {},
  ): Promise<PayloadOf<C, E>> {
    return this.waitIndex(event, predicate, options).then((i) => this.events[i]!.payload as PayloadOf<C, E>);
  }

  /** Like wait, but resolves with the index of the event in `events`. */
  waitIndex<E extends keyof EventsOf<C> & string>(
    event: E,
    predicate: (payload: PayloadOf<C, E>) => boolean = () => true,
    options: { from?: number; timeoutMs?: number } = {},
  ): Promise<number> {
    const label = () => `a matching "${event}"; got: ${this.events.map((e) => e.event).join(', ')}`;
    return waitFor<number>(label, options.timeoutMs ?? DEFAULT_WAIT_MS, (done) => {
      const check = () => {
        const index = this.indexOf(event, predicate, options.from ?? 0);
        if (index >= 0) done(index);
      };
      this.waiters.add(check);
      check();
      return () => this.waiters.delete(check);
    });
  }
}

export type VisitorLog = EventLog<VisitorClient>;
export type AgentLog = EventLog<AgentClient>;

/**
 * Everything the server emitted to this socket before the answer to a command emitted now has
 * arrived: one ordered connection, so a round-trip is a barrier for earlier broadcasts.
 */
export async function barrier(client: AnyClient): Promise<void> {
  if (client instanceof AgentClient) await client.call('canned:list', {});
  else await client.call('visitor:update', {});
}

/** One command with any payload, straight on the socket, as a hand-written client would send it. */
export async function raw(client: AnyClient, command: string, payload?: unknown): Promise<Result<unknown>> {
  const socket = client.socket as unknown as Socket;
  return (await socket.timeout(DEFAULT_WAIT_MS).emitWithAck(command, payload)) as Result<unknown>;
}
