import { expect } from '@jest/globals';
import { AgentClient, type VisitorClient } from '@kefu/client';
import {
  AgentSessionSchema,
  InboxSchema,
  httpStatusOf,
  type AgentServerToClientEvents,
  type AgentSession,
  type ErrorCode,
  type Inbox,
  type Result,
  type VisitorConversation,
  type VisitorServerToClientEvents,
} from '@kefu/protocol';
import type { TestServer } from './harness.js';

/** Helpers shared by the agent-* and http-* suites: inboxes, agents online, visitors, event waits. */

/** SQLite unless KEFU_TEST_STORE=postgres, so every suite can also run against PostgreSQL. */
export const testStore = (): 'sqlite' | 'postgres' => (process.env.KEFU_TEST_STORE === 'postgres' ? 'postgres' : 'sqlite');

/** Upper bound for awaiting something: a failing test fails fast instead of hanging until Jest's timeout. */
export function within<T>(promise: Promise<T>, label: string, ms = 5_000): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out waiting for ${label}`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

type EventsOf<C> = C extends AgentClient ? AgentServerToClientEvents : VisitorServerToClientEvents;
type PayloadOf<C, E extends keyof EventsOf<C>> = EventsOf<C>[E] extends (payload: infer P) => void ? P : never;
type Listenable = { on(event: string, listener: (payload: unknown) => void): () => void };

/**
 * The first `event` whose payload passes `match`. Subscribe (call this) before acting, then await it.
 */
export function nextEvent<C extends AgentClient | VisitorClient, E extends keyof EventsOf<C> & string>(
  client: C,
  event: E,
  match: (payload: PayloadOf<C, E>) => boolean = () => true,
  ms = 5_000,
): Promise<PayloadOf<C, E>> {
  let off: () => void = () => undefined;
  const seen = new Promise<PayloadOf<C, E>>((resolve) => {
    off = (client as unknown as Listenable).on(event, (payload) => {
      if (match(payload as PayloadOf<C, E>)) resolve(payload as PayloadOf<C, E>);
    });
  });
  const result = within(seen, `${event} on ${client.constructor.name}`, ms).finally(() => off());
  // A test that fails before awaiting this must not also crash the run with an unhandled rejection.
  result.catch(() => undefined);
  return result;
}

/** Every event a client receives, to assert what did NOT arrive (after a round-trip barrier). */
export class EventLog {
  readonly events: { event: string; payload: unknown }[] = [];

  constructor(client: AgentClient | VisitorClient) {
    client.socket.onAny((event: string, payload: unknown) => this.events.push({ event, payload }));
  }

  /** Events whose payload mentions this id anywhere (conversationId, id, queued items…). */
  mentioning(id: string): { event: string; payload: unknown }[] {
    return this.events.filter((e) => JSON.stringify(e.payload ?? null).includes(id));
  }

  named(event: string): unknown[] {
    return this.events.filter((e) => e.event === event).map((e) => e.payload);
  }
}

/**
 * Everything the server emitted to this socket before the answer to a command emitted now has
 * arrived: one ordered connection, so a round-trip is a barrier for earlier broadcasts.
 */
export async function barrier(client: AgentClient | VisitorClient): Promise<void> {
  if (client instanceof AgentClient) await client.call('canned:list', {});
  else await client.call('visitor:update', {});
}

export function expectFailure(result: Result<unknown>, code: ErrorCode): void {
  expect(result).toMatchObject({ ok: false, error: { code } });
  if (!result.ok) expect(typeof result.error.message).toBe('string');
}

/** An HTTP error answer: the status that matches the code, and `{ error: { code, message } }`. */
export function expectHttpError(res: { status: number; body: unknown }, code: ErrorCode): void {
  expect({ status: res.status, body: res.body }).toMatchObject({ status: httpStatusOf[code], body: { error: { code } } });
  expect(typeof (res.body as { error: { message: unknown } }).error.message).toBe('string');
}

export async function adminToken(server: TestServer): Promise<string> {
  return (await server.login()).token;
}

let inboxCount = 0;

/** A fresh inbox with no members, so each test owns its routing and audiences. */
export async function createInbox(
  server: TestServer,
  fields: Partial<{ name: string; routing: 'auto' | 'manual'; livePreview: boolean; maxMessageLength: number }> = {},
): Promise<Inbox> {
  const res = await server.api<{ inbox: Inbox }>(
    'POST',
    '/api/admin/inboxes',
    { name: fields.name ?? `Inbox ${++inboxCount}`, routing: fields.routing ?? 'manual', ...fields },
    await adminToken(server),
  );
  if (res.status !== 201) throw new Error(`create inbox failed: ${res.status} ${JSON.stringify(res.body)}`);
  return InboxSchema.parse(res.body.inbox);
}

export type OnlineAgent = { id: string; token: string; email: string; password: string; client: AgentClient; session: AgentSession };

/** Creates an agent of these inboxes, connects it and waits for its session. */
export async function onlineAgent(
  server: TestServer,
  inboxIds: string[],
  fields: Partial<{ name: string; capacity: number; role: 'agent' | 'admin' }> = {},
): Promise<OnlineAgent> {
  const created = await server.createAgent({ ...fields, inboxIds });
  const client = server.agent(created.token);
  const session = AgentSessionSchema.parse(await within(client.ready(), 'agent session'));
  return { ...created, client, session };
}

/** The seeded admin, connected. */
export async function onlineAdmin(server: TestServer): Promise<{ id: string; token: string; client: AgentClient; session: AgentSession }> {
  const { token, agent } = await server.login();
  const client = server.agent(token);
  const session = AgentSessionSchema.parse(await within(client.ready(), 'admin session'));
  return { id: agent.id, token, client, session };
}

export type Shopper = { client: VisitorClient; conversation: VisitorConversation };

/** A new visitor of the inbox who sends a first message (which starts a conversation). */
export async function startConversation(server: TestServer, inbox: Pick<Inbox, 'key'>, body = 'Hello'): Promise<Shopper> {
  const client = server.visitor({ inboxKey: inbox.key });
  await within(client.ready(), 'visitor session');
  const sent = await client.send({ body });
  return { client, conversation: sent.conversation };
}
