import { expect } from '@jest/globals';
import type { AgentClient, VisitorClient } from '@kefu/client';
import {
  AgentSessionSchema,
  InboxSchema,
  httpStatusOf,
  type AgentSession,
  type ErrorCode,
  type Inbox,
  type InboxCreate,
  type Result,
  type VisitorConversation,
} from '@kefu/protocol';
import type { TestServer } from './harness.js';
import { EventLog, within, type AgentLog, type VisitorLog } from './kit-events.js';

export * from './kit-events.js';

/** Helpers shared by the server suites: inboxes, agents and visitors online, result assertions. */

/** SQLite unless KEFU_TEST_STORE=postgres, so every suite can also run against PostgreSQL. */
export const testStore = (): 'sqlite' | 'postgres' => (process.env.KEFU_TEST_STORE === 'postgres' ? 'postgres' : 'sqlite');

/** A JSON request to `baseUrl`; the body is parsed when there is one, else null. */
export async function requestJson<T = unknown>(baseUrl: string, method: string, path: string, body?: unknown, token?: string): Promise<{ status: number; body: T }> {
  const headers: Record<string, string> = {};
  if (body !== undefined) headers['content-type'] = 'application/json';
  if (token) headers.authorization = `Bearer ${token}`;
  const response = await fetch(`${baseUrl}${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await response.text();
  return { status: response.status, body: (text ? JSON.parse(text) : null) as T };
}

/** Asserts a failed Result with exactly `{ code, message }`: that code, and a message with nothing else beside it. */
export function expectFailure(result: Result<unknown>, code: ErrorCode): void {
  expect(result).toEqual({ ok: false, error: { code, message: expect.any(String) } });
}

/** Asserts success and returns the data. */
export function expectOk<T>(result: Result<T>): T {
  if (!result.ok) throw new Error(`expected ok, got ${result.error.code}: ${result.error.message}`);
  return result.data;
}

/** An HTTP error answer: the status that matches the code, and `{ error: { code, message } }`. */
export function expectHttpError(res: { status: number; body: unknown }, code: ErrorCode): void {
  expect({ status: res.status, body: res.body }).toMatchObject({ status: httpStatusOf[code], body: { error: { code } } });
  expect(typeof (res.body as { error: { message: unknown } }).error.message).toBe('string');
}

const adminTokens = new WeakMap<TestServer, Promise<string>>();

/** A token of the seeded admin: one login per server, shared by the suite. */
export function adminToken(server: TestServer): Promise<string> {
  let token = adminTokens.get(server);
  if (!token) {
    token = server.login().then((r) => r.token);
    token.catch(() => adminTokens.delete(server));
    adminTokens.set(server, token);
  }
  return token;
}

let inboxCount = 0;

/**
 * A fresh inbox with no members, so each test owns its routing and audiences. Only the name is
 * filled in: the rest is the server's default (routing 'auto') unless `settings` says otherwise.
 */
export async function createInbox(server: TestServer, settings: Partial<InboxCreate> = {}): Promise<Inbox> {
  const res = await server.api<{ inbox: Inbox }>('POST', '/api/admin/inboxes', { name: `Inbox ${++inboxCount}`, ...settings }, await adminToken(server));
  if (res.status !== 201) throw new Error(`create inbox failed: ${res.status} ${JSON.stringify(res.body)}`);
  return InboxSchema.parse(res.body.inbox);
}

export async function patchInbox(server: TestServer, inboxId: string, settings: Partial<InboxCreate>): Promise<Inbox> {
  const res = await server.api<{ inbox: Inbox }>('PATCH', `/api/admin/inboxes/${inboxId}`, settings, await adminToken(server));
  if (res.status !== 200) throw new Error(`patch inbox failed: ${res.status} ${JSON.stringify(res.body)}`);
  return InboxSchema.parse(res.body.inbox);
}

type Connected = { client: AgentClient; log: AgentLog; session: AgentSession };

/** Connects an agent socket with its events recorded from the start, and waits for its session. */
async function connectAgentWith(server: TestServer, token: string, label: string): Promise<Connected> {
  const client = server.agent(token);
  const log = new EventLog(client);
  const session = AgentSessionSchema.parse(await within(client.ready(), label));
  return { client, log, session };
}

export type OnlineAgent = Connected & { id: string; token: string; email: string; password: string };

/** Creates an agent of these inboxes and connects it (a new agent starts online). */
export async function onlineAgent(
  server: TestServer,
  inboxIds: string[],
  fields: Partial<{ name: string; capacity: number; role: 'agent' | 'admin' }> = {},
): Promise<OnlineAgent> {
  const created = await server.createAgent({ ...fields, inboxIds });
  return { ...created, ...(await connectAgentWith(server, created.token, 'agent session')) };
}

/** The seeded admin, connected. */
export async function onlineAdmin(server: TestServer): Promise<Connected & { id: string; token: string }> {
  const { token, agent } = await server.login();
  return { id: agent.id, token, ...(await connectAgentWith(server, token, 'admin session')) };
}

/** A visitor of `inboxKey` whose events are recorded from the start. */
export function visitorOf(server: TestServer, inboxKey: string, extra: Parameters<TestServer['visitor']>[0] = {}): { client: VisitorClient; log: VisitorLog } {
  const client = server.visitor({ inboxKey, ...extra });
  return { client, log: new EventLog(client) };
}

export type Shopper = { client: VisitorClient; log: VisitorLog; conversation: VisitorConversation };

/** A new visitor of the inbox who sends a first message (which starts a conversation). */
export async function startConversation(server: TestServer, inbox: Pick<Inbox, 'key'>, body = 'Hello'): Promise<Shopper> {
  const { client, log } = visitorOf(server, inbox.key);
  await within(client.ready(), 'visitor session');
  const sent = await client.send({ body });
  return { client, log, conversation: sent.conversation };
}

/** A valid 1×1 PNG (a real image, so the server's type and size detection run on it). */
export const TINY_PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==',
  'base64',
);

/** POST /api/uploads as multipart, authorized with a visitor or agent token when there is one. */
export async function upload<T = unknown>(
  server: TestServer,
  token: string | undefined,
  file: { bytes?: Buffer; name?: string; field?: string; type?: string } = {},
): Promise<{ status: number; body: T }> {
  const { bytes = TINY_PNG, name = 'pixel.png', field = 'file', type = 'image/png' } = file;
  const form = new FormData();
  form.append(field, new Blob([new Uint8Array(bytes)], { type }), name);
  const response = await fetch(`${server.url}/api/uploads`, { method: 'POST', body: form, headers: token ? { authorization: `Bearer ${token}` } : {} });
  return { status: response.status, body: (await response.json()) as T };
}
