import { createHmac } from 'node:crypto';
import { expect } from '@jest/globals';
import type { AgentClient, VisitorClient } from '@kefu/client';
import {
  InboxSchema,
  type AgentServerToClientEvents,
  type ErrorCode,
  type Inbox,
  type InboxCreate,
  type Result,
  type VisitorServerToClientEvents,
} from '@kefu/protocol';
import type { Socket } from 'socket.io-client';
import type { TestServer } from './harness.js';

/** Helpers shared by the visitor-namespace suites (visitor-*.test.ts). */

const DEFAULT_WAIT_MS = 5_000;

type Listener = (...args: never[]) => unknown;
type PayloadOf<Events, E extends keyof Events> = Events[E] extends (payload: infer P) => unknown ? P : never;

type Recorded = { event: string; payload: unknown };

/**
 * Records every event a socket receives, in arrival order, from before it connects. `wait` resolves
 * with the first recorded event (at or after `from`) that matches, so an event that arrives before the
 * test starts waiting is not missed; it rejects after a bounded time.
 */
export class EventLog<Events extends { [K in keyof Events]: Listener }> {
  readonly events: Recorded[] = [];
  private readonly waiters = new Set<() => void>();

  constructor(socket: Socket) {
    socket.onAny((event: string, payload: unknown) => {
      this.events.push({ event, payload });
      for (const waiter of [...this.waiters]) waiter();
    });
  }

  /** The index the next recorded event will get; pass it as `from` to ignore what came before. */
  mark(): number {
    return this.events.length;
  }

  /** Payloads of one event recorded in [from, to). */
  all<E extends keyof Events & string>(event: E, from = 0, to = this.events.length): PayloadOf<Events, E>[] {
    return this.events
      .slice(from, to)
      .filter((e) => e.event === event)
      .map((e) => e.payload as PayloadOf<Events, E>);
  }

  /** Index of the first matching event at or after `from`, or -1. */
  indexOf<E extends keyof Events & string>(event: E, predicate: (payload: PayloadOf<Events, E>) => boolean = () => true, from = 0): number {
    for (let i = from; i < this.events.length; i++) {
      const e = this.events[i]!;
      if (e.event === event && predicate(e.payload as PayloadOf<Events, E>)) return i;
    }
    return -1;
  }

  wait<E extends keyof Events & string>(
    event: E,
    predicate: (payload: PayloadOf<Events, E>) => boolean = () => true,
    options: { from?: number; timeoutMs?: number } = {},
  ): Promise<PayloadOf<Events, E>> {
    return this.waitIndex(event, predicate, options).then((i) => this.events[i]!.payload as PayloadOf<Events, E>);
  }

  /** Like wait, but resolves with the index of the event in `events`. */
  waitIndex<E extends keyof Events & string>(
    event: E,
    predicate: (payload: PayloadOf<Events, E>) => boolean = () => true,
    options: { from?: number; timeoutMs?: number } = {},
  ): Promise<number> {
    const from = options.from ?? 0;
    const found = this.indexOf(event, predicate, from);
    if (found >= 0) return Promise.resolve(found);
    return new Promise((resolve, reject) => {
      const check = () => {
        const index = this.indexOf(event, predicate, from);
        if (index < 0) return;
        clearTimeout(timer);
        this.waiters.delete(check);
        resolve(index);
      };
      const timer = setTimeout(() => {
        this.waiters.delete(check);
        reject(new Error(`no matching "${event}" within ${options.timeoutMs ?? DEFAULT_WAIT_MS} ms; got: ${this.events.map((e) => e.event).join(', ')}`));
      }, options.timeoutMs ?? DEFAULT_WAIT_MS);
      this.waiters.add(check);
    });
  }
}

export type VisitorLog = EventLog<VisitorServerToClientEvents>;
export type AgentLog = EventLog<AgentServerToClientEvents>;

export const logOf = (client: VisitorClient): VisitorLog => new EventLog<VisitorServerToClientEvents>(client.socket as unknown as Socket);
export const agentLogOf = (client: AgentClient): AgentLog => new EventLog<AgentServerToClientEvents>(client.socket as unknown as Socket);

/** One command with any payload, straight on the socket, as a hand-written client would send it. */
export async function raw(client: VisitorClient | AgentClient, command: string, payload?: unknown): Promise<Result<unknown>> {
  const socket = client.socket as unknown as Socket;
  return (await socket.timeout(DEFAULT_WAIT_MS).emitWithAck(command, payload)) as Result<unknown>;
}

/** Asserts a failed Result with that code, and that no internal detail leaked into the message. */
export function expectFailure(result: Result<unknown>, code: ErrorCode): void {
  expect(result).toEqual({ ok: false, error: { code, message: expect.any(String) } });
}

/** Asserts success and returns the data. */
export function expectOk<T>(result: Result<T>): T {
  if (!result.ok) throw new Error(`expected ok, got ${result.error.code}: ${result.error.message}`);
  return result.data;
}

const adminTokens = new WeakMap<TestServer, Promise<string>>();

export function adminToken(server: TestServer): Promise<string> {
  let token = adminTokens.get(server);
  if (!token) {
    token = server.login().then((r) => r.token);
    adminTokens.set(server, token);
  }
  return token;
}

let inboxSequence = 0;

/** A fresh inbox, so each test controls who is online and how the inbox is set up. */
export async function createInbox(server: TestServer, settings: Partial<InboxCreate> = {}): Promise<Inbox> {
  const res = await server.api<{ inbox: Inbox }>('POST', '/api/admin/inboxes', { name: `Shop ${++inboxSequence}`, ...settings }, await adminToken(server));
  if (res.status !== 201) throw new Error(`create inbox failed: ${res.status} ${JSON.stringify(res.body)}`);
  return InboxSchema.parse(res.body.inbox);
}

export async function patchInbox(server: TestServer, inboxId: string, settings: Partial<InboxCreate>): Promise<Inbox> {
  const res = await server.api<{ inbox: Inbox }>('PATCH', `/api/admin/inboxes/${inboxId}`, settings, await adminToken(server));
  if (res.status !== 200) throw new Error(`patch inbox failed: ${res.status} ${JSON.stringify(res.body)}`);
  return InboxSchema.parse(res.body.inbox);
}

export type ConnectedAgent = { id: string; name: string; token: string; client: AgentClient; log: AgentLog };

/** Creates an agent who belongs to `inboxId` and connects them (a new agent starts online). */
export async function connectedAgent(server: TestServer, inboxId: string, name: string): Promise<ConnectedAgent> {
  const agent = await server.createAgent({ name, inboxIds: [inboxId] });
  const client = server.agent(agent.token);
  const log = agentLogOf(client);
  await client.ready();
  return { id: agent.id, name, token: agent.token, client, log };
}

/** A visitor of `inboxKey` whose events are recorded from the start. */
export function visitorOf(server: TestServer, inboxKey: string, extra: Parameters<TestServer['visitor']>[0] = {}) {
  const client = server.visitor({ inboxKey, ...extra });
  return { client, log: logOf(client) };
}

export const identityHash = (secret: string, externalId: string): string => createHmac('sha256', secret).update(externalId).digest('hex');

/** A valid 1×1 PNG (a real image, so the server's type and size detection run on it). */
export const TINY_PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==',
  'base64',
);

/** POST /api/uploads as multipart `file`, authorized with a visitor or agent token. */
export async function upload(server: TestServer, token: string, bytes: Buffer = TINY_PNG, name = 'pixel.png') {
  const form = new FormData();
  form.append('file', new Blob([new Uint8Array(bytes)], { type: 'image/png' }), name);
  const response = await fetch(`${server.url}/api/uploads`, { method: 'POST', headers: { authorization: `Bearer ${token}` }, body: form });
  return { status: response.status, body: (await response.json()) as unknown };
}
