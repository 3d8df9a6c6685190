// Protocol fuzzing: random and malformed payloads at every command of both namespaces, unknown
// events, raw broken frames, and random HTTP bodies. The server must answer every ack with a
// well-formed Result that is never `internal`, stay up, and keep its stored state consistent.
// The seed is printed; replay a failure with KEFU_FUZZ_SEED=<seed>. KEFU_FUZZ_CASES sets the
// number of socket payloads per store (default 2000).
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import {
  AgentAuthSchema,
  AgentCreateSchema,
  AgentPatchSchema,
  CannedCreateSchema,
  InboxCreateSchema,
  InboxPatchSchema,
  LoginInputSchema,
  MessageSchema,
  ResultSchema,
  SyncDataSchema,
  VisitorAuthSchema,
  agentCommands,
  errorCodes,
  httpStatusOf,
  limits,
  visitorCommands,
  type Message,
} from '@kefu/protocol';
import { io, type Socket } from 'socket.io-client';
import { z } from 'zod';
import {
  createRng,
  deeplyNested,
  describe as show,
  garbageString,
  inputJsonSchema,
  mutate,
  randomJson,
  setOwn,
  validExample,
  type Fixtures,
  type JsonSchema,
  type Rng,
} from './fuzz-values.js';
import { startTestServer, type TestServer } from './harness.js';
import { createInbox, waitFor } from './kit.js';

const SEED = process.env.KEFU_FUZZ_SEED ? Number(process.env.KEFU_FUZZ_SEED) >>> 0 : Math.floor(Math.random() * 2 ** 32);
const CASES = Number(process.env.KEFU_FUZZ_CASES ?? 2_000);
const ACK_TIMEOUT_MS = 5_000;
/** The server's Socket.IO frame cap. */
const FRAME_CAP = limits.frameBytes;

// Printed up front so a crash or a timeout still tells which run it was.
console.log(`protocol fuzz seed ${SEED} (replay: KEFU_FUZZ_SEED=${SEED})`);

type Namespace = 'visitor' | 'agent';
type Commands = Record<string, { input: z.ZodType; output: z.ZodType }>;
const namespaces: Record<Namespace, Commands> = { visitor: visitorCommands, agent: agentCommands };
const AnyResult = ResultSchema(z.unknown());
const LEAK = /SQLITE_|sqlite3|pg_|relation "|duplicate key|syntax error at|\n\s+at /i;

type Failure = { where: string; payload: string; problem: string };
const report = (store: string, failures: Failure[]) =>
  `seed ${SEED} (KEFU_FUZZ_SEED=${SEED}), ${store}: ${failures.length} failure(s)\n` +
  failures.slice(0, 25).map((f) => `- ${f.where}\n    sent: ${f.payload}\n    got:  ${f.problem}`).join('\n');

/** One socket of a namespace, connected with its session received (reconnection off: a drop is final). */
function connect(url: string, namespace: Namespace, auth: Record<string, unknown>): Promise<Socket> {
  const socket = io(`${url}/${namespace}`, { transports: ['websocket'], forceNew: true, reconnection: false, auth });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${namespace} socket: no session within 5 s`)), 5_000);
    socket.once('session', () => {
      clearTimeout(timer);
      resolve(socket);
    });
    socket.once('connect_error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
  });
}

const TIMEOUT = Symbol('timeout');
function emitWithAck(socket: Socket, event: string, args: unknown[], timeoutMs = ACK_TIMEOUT_MS): Promise<unknown> {
  return new Promise((resolve) => {
    socket.timeout(timeoutMs).emit(event, ...args, (error: Error | null, result: unknown) => resolve(error ? TIMEOUT : result));
  });
}

/** Resolves with the arguments of the next `event` of a raw socket, rejects after the timeout. */
function nextEvent(socket: Socket, event: string, timeoutMs = 5_000): Promise<unknown[]> {
  return waitFor(event, timeoutMs, (done) => {
    const listener = (...args: unknown[]) => done(args);
    socket.once(event, listener);
    return () => socket.off(event, listener);
  });
}

async function pool<T>(items: T[], width: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(Array.from({ length: width }, async () => {
    while (next < items.length) await work(items[next++]!);
  }));
}

async function call<T>(socket: Socket, event: string, payload: unknown, schema: z.ZodType<T>): Promise<T> {
  const result = AnyResult.parse(await emitWithAck(socket, event, [payload]));
  if (!result.ok) throw new Error(`${event} ${show(payload)}: ${result.error.code} ${result.error.message}`);
  return schema.parse(result.data);
}

/** The server state the fuzz cases point at, so mutations of valid payloads reach deep into the handlers. */
type World = {
  adminToken: string;
  member: { id: string; token: string };
  outsider: { id: string; token: string };
  inboxId: string;
  scratchInboxId: string;
  scratchAgentId: string;
  visitorToken: string;
  visitorId: string;
  conversationIds: string[];
};

async function buildWorld(server: TestServer): Promise<World> {
  const { token: adminToken } = await server.login();
  const inboxId = await server.demoInboxId();
  const member = await server.createAgent({ name: 'Fuzz Member', capacity: 50 });
  const outsider = await server.createAgent({ name: 'Fuzz Outsider', inboxIds: [] });
  const scratchAgent = await server.createAgent({ name: 'Fuzz Scratch', inboxIds: [] });
  const scratchInbox = await createInbox(server, { name: 'Fuzz scratch' });

  // One visitor with a resolved conversation (with a private note in it) and an open one.
  const visitor = server.visitor();
  const session = await visitor.ready();
  const first = await visitor.send({ body: 'first conversation' });
  const agent = server.agent(member.token);
  await agent.ready();
  await agent.send({ conversationId: first.conversation.id, body: 'a private note', private: true });
  await agent.send({ conversationId: first.conversation.id, body: 'a public reply' });
  await agent.call('conversation:set-status', { conversationId: first.conversation.id, status: 'resolved' });
  const second = await visitor.send({ body: 'second conversation' });
  expect(second.conversation.id).not.toBe(first.conversation.id);
  visitor.close();
  agent.close();
  return {
    adminToken,
    member: { id: member.id, token: member.token },
    outsider: { id: outsider.id, token: outsider.token },
    inboxId,
    scratchInboxId: scratchInbox.id,
    scratchAgentId: scratchAgent.id,
    visitorToken: session.visitorToken,
    visitorId: session.visitor.id,
    conversationIds: [first.conversation.id, second.conversation.id],
  };
}

function socketFixtures(world: World): Fixtures {
  let msg = 0;
  // Cursors are opaque base64url JSON: forge well-encoded ones with hostile insides too.
  const encode = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
  const cursor = (rng: Rng) =>
    rng.pick<() => string>([
      () => encode([new Date().toISOString(), 'zzzz']),
      () => encode([garbageString(rng, 3), garbageString(rng, 3)]),
      () => encode([`${new Date().toISOString()}\u0000`, 'zzzz']),
      () => encode(randomJson(rng, 2)),
    ])();
  return {
    conversationId: (rng) => (rng.chance(0.85) ? rng.pick(world.conversationIds) : rng.pick(['nope', garbageString(rng, 2), 'x'.repeat(100)])),
    agentId: (rng) => rng.pick([world.member.id, world.outsider.id, world.scratchAgentId, null, 'nope']),
    inboxId: (rng) => rng.pick([world.inboxId, world.inboxId, world.scratchInboxId, 'nope']),
    clientMsgId: (rng) => (rng.chance(0.1) ? 'fz-duplicate' : `fz-${SEED}-${++msg}`),
    body: (rng) => (rng.chance(0.8) ? `fuzz message ${rng.int(0, 1e6)}` : garbageString(rng, rng.int(1, 30))),
    cursor: (rng) => (rng.chance(0.7) ? cursor(rng) : garbageString(rng, 3)),
    'attachmentIds[]': (rng) => rng.pick(['nope', garbageString(rng, 2)]),
  };
}

type Case = { n: number; socket: string; ns: Namespace; kind: string; event: string; args: unknown[]; ack: boolean; how: string };

const UNKNOWN_EVENTS = ['', ' ', 'MESSAGE:SEND', 'message:send ', 'message', 'toString', 'constructor', '__proto__', 'hasOwnProperty', 'valueOf', 'session', 'error', 'ping', 'message:created'];

/** Every case is drawn up front from the seed: the same seed sends the same payloads in the same order. */
function drawCases(rng: Rng, count: number, sockets: { name: string; ns: Namespace }[], fixtures: Fixtures): Case[] {
  const schemas = Object.fromEntries(
    (Object.keys(namespaces) as Namespace[]).map((ns) => [ns, Object.fromEntries(Object.entries(namespaces[ns]).map(([c, s]) => [c, inputJsonSchema(s.input)]))]),
  ) as Record<Namespace, Record<string, JsonSchema>>;
  const cases: Case[] = [];
  let huge = 0;
  for (let n = 0; n < count; n++) {
    const { name, ns } = sockets[n % sockets.length]!;
    const commands = Object.keys(namespaces[ns]);
    // Round-robin over commands first, so every command of every namespace gets its share.
    const event = commands[Math.floor(n / sockets.length) % commands.length]!;
    const schema = schemas[ns][event]!;
    const valid = () => validExample(schema, rng, fixtures);
    const base = { n, socket: name, ns, event, ack: true };
    const roll = rng.next();
    if (roll < 0.25) {
      const payload = randomJson(rng, 3);
      cases.push({ ...base, kind: 'random', args: [payload], how: show(payload) });
    } else if (roll < 0.6) {
      const { payload, how } = mutate(valid(), schema, rng);
      cases.push({ ...base, kind: 'mutation', args: [payload], how });
    } else if (roll < 0.72) {
      cases.push({ ...base, kind: 'valid', args: [valid()], how: 'valid payload' });
    } else if (roll < 0.76) {
      cases.push({ ...base, kind: 'no payload', args: [], how: 'no payload' });
    } else if (roll < 0.8) {
      cases.push({ ...base, kind: 'extra args', args: [valid(), randomJson(rng, 1), randomJson(rng, 1)], how: 'valid payload + 2 extra args' });
    } else if (roll < 0.84) {
      cases.push({ ...base, kind: 'no ack', ack: false, args: [rng.chance(0.5) ? valid() : randomJson(rng, 2)], how: 'no ack callback' });
    } else if (roll < 0.87) {
      cases.push({ ...base, kind: 'function payload', args: [() => 'not data'], how: 'a function as payload' });
    } else if (roll < 0.95) {
      const other = Object.keys(namespaces[ns === 'visitor' ? 'agent' : 'visitor']).filter((c) => !(c in namespaces[ns]));
      const unknown = rng.pick([...UNKNOWN_EVENTS, ...other, garbageString(rng, 3), `${event}:x`]);
      cases.push({ ...base, kind: 'unknown event', event: unknown, args: [randomJson(rng, 2)], how: `event ${JSON.stringify(unknown)}` });
    } else if (roll < 0.97) {
      const depth = rng.int(100, 2_000);
      cases.push({ ...base, kind: 'deep', args: [deeplyNested(depth, rng.chance(0.5))], how: `nested ${depth} deep` });
    } else if (roll < 0.985 && huge < 12) {
      huge++;
      // Below the frame cap, in bytes: 3-byte characters count three times.
      const text = rng.chance(0.5) ? 'h'.repeat(200_000) : '中'.repeat(60_000);
      const payload = validExample(schema, rng, fixtures) as Record<string, unknown>;
      const field = rng.pick(Object.keys(schema.properties ?? { body: {} }));
      setOwn(payload ?? {}, field, text);
      cases.push({ ...base, kind: 'huge', args: [payload], how: `${field} = ${text.length} chars` });
    } else {
      const bytes = Buffer.from(garbageString(rng, 8));
      cases.push({ ...base, kind: 'binary', args: [rng.chance(0.5) ? bytes : { conversationId: bytes, body: bytes }], how: `binary ${bytes.length} bytes` });
    }
  }
  return cases;
}

function checkAck(c: Case, result: unknown): string | null {
  if (result === TIMEOUT) return `no ack within ${ACK_TIMEOUT_MS} ms`;
  const parsed = AnyResult.safeParse(result);
  if (!parsed.success) return `malformed ack ${show(result)}`;
  const ack = parsed.data;
  if (!ack.ok) {
    if (ack.error.code === 'internal') return `internal: ${ack.error.message}`;
    if (LEAK.test(ack.error.message)) return `leaks internals: ${ack.error.message}`;
  }
  const command = Object.hasOwn(namespaces[c.ns], c.event) ? namespaces[c.ns][c.event] : undefined;
  if (!command) return ack.ok || ack.error.code !== 'bad_request' ? `unknown event answered ${show(ack)}` : null;
  if (ack.ok) {
    const data = command.output.safeParse(ack.data);
    if (!data.success) return `ok data does not match the ${c.event} ack schema: ${data.error.issues[0]?.message} in ${show(ack.data, 300)}`;
  }
  return null;
}

/** All messages of a conversation through conversation:sync, page by page. */
async function syncAll(socket: Socket, conversationId: string): Promise<{ messages: Message[]; lastSeq: number }> {
  const messages: Message[] = [];
  let lastSeq = 0;
  for (let afterSeq = 0, page = 0; page < 100; page++) {
    const data = await call(socket, 'conversation:sync', { conversationId, afterSeq }, SyncDataSchema);
    messages.push(...data.messages);
    lastSeq = data.lastSeq;
    if (!data.hasMore) break;
    afterSeq = data.messages.at(-1)!.seq;
  }
  return { messages, lastSeq };
}

async function listAll(socket: Socket, view: 'all' | 'resolved'): Promise<{ id: string; lastSeq: number; visitor: { id: string } }[]> {
  const out: { id: string; lastSeq: number; visitor: { id: string } }[] = [];
  let cursor: string | undefined;
  for (let page = 0; page < 100; page++) {
    const data = await call(socket, 'conversation:list', { view, limit: 200, ...(cursor ? { cursor } : {}) }, agentCommands['conversation:list'].output);
    out.push(...data.conversations);
    if (!data.nextCursor) break;
    cursor = data.nextCursor;
  }
  return out;
}

/** Percent-encodes a path segment; a lone surrogate cannot be encoded, so it goes out as a malformed escape. */
function uriSegment(text: string): string {
  try {
    return encodeURIComponent(text);
  } catch {
    return `bad%ZZ${encodeURIComponent(text.replace(/[\ud800-\udfff]/g, ''))}`;
  }
}

/** fetch accepts only visible Latin-1 in headers: keep what garbage fits. */
const headerSafe = (text: string) => text.replace(/[^\x21-\x7e]/g, '') || 'x';

type Http = { status: number; text: string };
async function request(url: string, method: string, path: string, init: { body?: string; type?: string; token?: string }): Promise<Http> {
  const headers: Record<string, string> = {};
  if (init.type) headers['content-type'] = init.type;
  if (init.token !== undefined) headers.authorization = init.token;
  const response = await fetch(`${url}${path}`, { method, headers, body: init.body });
  return { status: response.status, text: await response.text() };
}

function checkHttp(response: Http): string | null {
  if (response.status >= 500) return `HTTP ${response.status} ${response.text.slice(0, 300)}`;
  if (response.status < 400) return null;
  let body: unknown;
  try {
    body = JSON.parse(response.text);
  } catch {
    return `HTTP ${response.status} with a non-JSON body: ${response.text.slice(0, 200)}`;
  }
  const shape = z.object({ error: z.object({ code: z.enum(errorCodes), message: z.string() }) }).safeParse(body);
  if (!shape.success) return `HTTP ${response.status} without the error shape: ${response.text.slice(0, 200)}`;
  if (httpStatusOf[shape.data.error.code] !== response.status) return `HTTP ${response.status} carries code ${shape.data.error.code}`;
  if (LEAK.test(shape.data.error.message)) return `leaks internals: ${shape.data.error.message}`;
  return null;
}

/** Each store gets its own server and the same kind of run; PostgreSQL is stricter about what it stores. */
describe.each([['sqlite' as const], ['postgres' as const]])('protocol fuzz (%s)', (store) => {
  let server: TestServer;
  let world: World;
  const rng = createRng(SEED ^ (store === 'postgres' ? 0x9e3779b9 : 0));

  beforeAll(async () => {
    server = await startTestServer({ store, env: { KEFU_RATE_LIMIT_POINTS: '1000000' } });
    world = await buildWorld(server);
  });
  afterAll(() => server?.stop());

  it('answers every command of both namespaces with a well-formed, never internal Result', async () => {
    const sockets: Record<string, Socket> = {
      visitor: await connect(server.url, 'visitor', { inboxKey: 'demo', visitorToken: world.visitorToken }),
      stranger: await connect(server.url, 'visitor', { inboxKey: 'demo' }),
      admin: await connect(server.url, 'agent', { token: world.adminToken }),
      member: await connect(server.url, 'agent', { token: world.member.token }),
      outsider: await connect(server.url, 'agent', { token: world.outsider.token }),
    };
    const namespaceOf = (name: string): Namespace => (name === 'visitor' || name === 'stranger' ? 'visitor' : 'agent');
    const roles = Object.keys(sockets).map((name) => ({ name, ns: namespaceOf(name) }));
    const cases = drawCases(rng, CASES, roles, socketFixtures(world));
    const failures: Failure[] = [];
    const seen = new Set<string>();
    await pool(cases, 24, async (c) => {
      const socket = sockets[c.socket]!;
      seen.add(`${c.ns} ${c.event}`);
      if (!c.ack) {
        socket.emit(c.event, ...c.args);
        return;
      }
      const problem = checkAck(c, await emitWithAck(socket, c.event, c.args));
      if (problem) failures.push({ where: `#${c.n} ${c.kind} ${c.ns} ${JSON.stringify(c.event)} as ${c.socket}`, payload: c.how, problem });
    });
    if (failures.length) throw new Error(report(store, failures));

    // Every command of both namespaces was fuzzed, however many the protocol grows to.
    for (const ns of Object.keys(namespaces) as Namespace[]) {
      for (const command of Object.keys(namespaces[ns])) expect(seen.has(`${ns} ${command}`)).toBe(true);
    }
    // Sockets that sent payloads without an ack, garbage and all, still answer.
    for (const [name, socket] of Object.entries(sockets)) {
      expect(socket.connected).toBe(true);
      const probe = name === 'visitor' || name === 'stranger' ? ['visitor:update', {}] : ['canned:list', {}];
      expect(AnyResult.parse(await emitWithAck(socket, probe[0] as string, [probe[1]]))).toMatchObject({ ok: true });
      socket.disconnect();
    }
    // `__proto__` and `constructor` keys polluted nothing (the server runs in this process).
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.prototype.hasOwnProperty.call(Object.prototype, 'polluted')).toBe(false);
  });

  it('survives raw broken frames and frames above the size cap', async () => {
    const frames: [string, string][] = [
      ['invalid JSON', '2/visitor,["message:send",{'],
      ['unknown packet type', '9/visitor,["message:send",{}]'],
      ['nested 100 000 deep', `2/visitor,["message:send",${'['.repeat(100_000)}${']'.repeat(100_000)}]`],
      ['binary event without its attachment', '51-/visitor,["message:send",{"_placeholder":true,"num":0}]'],
      ['absurd attachment count', '59999999999-/visitor,["message:send",{"_placeholder":true,"num":0}]'],
      ['event name is a number', '2/visitor,[42,{}]'],
      ['event name is an object', '2/visitor,[{"a":1},{}]'],
      ['reserved event name', '2/visitor,["disconnect","io server disconnect"]'],
      ['ack for nothing', '3/visitor,77[{"ok":true}]'],
      ['connect to a namespace that does not exist', '0/nope,'],
      ['connect to /agent with a forged token', '0/agent,{"token":"forged"}'],
      ['not a packet at all', '\u0000\uffff garbage'],
      ['empty frame', ''],
    ];
    const problems: string[] = [];
    await pool(frames, 4, async ([label, frame]) => {
      const socket = await connect(server.url, 'visitor', { inboxKey: 'demo' });
      // Frames on one connection are handled in order: the probe right behind the broken frame is
      // answered if the server kept the connection, or lost with it if the parser dropped it (its right,
      // also when it still waits for a binary attachment and gets text instead).
      const dropped = nextEvent(socket, 'disconnect', ACK_TIMEOUT_MS).then(() => 'dropped' as const, () => null);
      socket.io.engine.write(frame);
      const answer = await Promise.race([emitWithAck(socket, 'visitor:update', [{}]), dropped]);
      if (answer !== 'dropped' && socket.connected && !AnyResult.safeParse(answer).data?.ok) problems.push(`${label}: socket stayed connected but answered ${show(answer)}`);
      socket.disconnect();
    });
    expect(problems).toEqual([]);

    // Above the frame cap Socket.IO drops the socket; nothing else may go down with it.
    const bystander = await connect(server.url, 'visitor', { inboxKey: 'demo' });
    for (const [label, payload] of [
      ['ascii', { clientMsgId: 'huge', body: 'x'.repeat(FRAME_CAP + 10_000) }],
      ['3-byte characters', { clientMsgId: 'huge', body: '中'.repeat(Math.ceil(FRAME_CAP / 3) + 1_000) }],
    ] as const) {
      const victim = await connect(server.url, 'visitor', { inboxKey: 'demo' });
      const dropped = nextEvent(victim, 'disconnect');
      victim.emit('message:send', payload, () => problems.push(`${label}: an over-cap frame was acked`));
      await dropped;
      expect(victim.connected).toBe(false);
    }
    expect(bystander.connected).toBe(true);
    expect(AnyResult.parse(await emitWithAck(bystander, 'visitor:update', [{}]))).toMatchObject({ ok: true });
    bystander.disconnect();
    expect(problems).toEqual([]);
    expect((await server.api('GET', '/healthz')).status).toBe(200);
  });

  it('answers random handshakes with a session or a connect_error code, never internal', async () => {
    const hs = createRng(SEED ^ 0x27d4eb2d ^ (store === 'postgres' ? 1 : 0));
    const shapes: Record<Namespace, JsonSchema> = { visitor: inputJsonSchema(VisitorAuthSchema), agent: inputJsonSchema(AgentAuthSchema) };
    const fixtures: Fixtures = {
      inboxKey: (r) => r.pick(['demo', 'demo', 'nope', garbageString(r, 2)]),
      visitorToken: (r) => r.pick([world.visitorToken, `${world.visitorToken}x`, world.member.token]),
      token: (r) => r.pick([world.member.token, world.visitorToken, `${world.member.token.slice(0, -2)}xx`, 'a.b.c']),
    };
    const attempts = Array.from({ length: 60 }, (_, i) => {
      const ns: Namespace = i % 2 ? 'agent' : 'visitor';
      const drawn = hs.chance(0.7) ? mutate(validExample(shapes[ns], hs, fixtures), shapes[ns], hs).payload : randomJson(hs, 2);
      // Socket.IO itself drops a CONNECT whose auth is not an object; wrap those so they reach the server's check.
      const auth = typeof drawn === 'object' && drawn !== null && !Array.isArray(drawn) ? (drawn as Record<string, unknown>) : { inboxKey: drawn, token: drawn };
      return { ns, auth };
    });
    const failures: Failure[] = [];
    await pool(attempts, 6, async ({ ns, auth }) => {
      const socket = io(`${server.url}/${ns}`, { transports: ['websocket'], forceNew: true, reconnection: false, auth });
      const outcome = await new Promise<string>((resolve) => {
        const timer = setTimeout(() => resolve('neither a session nor a connect_error within 5 s'), 5_000);
        const done = (result: string) => {
          clearTimeout(timer);
          resolve(result);
        };
        socket.once('session', () => done('session'));
        socket.once('connect_error', (error) =>
          done((errorCodes as readonly string[]).includes(error.message) && error.message !== 'internal' ? 'refused' : `connect_error ${JSON.stringify(error.message)}`),
        );
      });
      socket.disconnect();
      if (outcome !== 'session' && outcome !== 'refused') failures.push({ where: `${ns} handshake`, payload: show(auth), problem: outcome });
    });
    if (failures.length) throw new Error(report(store, failures));
  });

  it('answers random HTTP bodies to login and admin routes with 4xx and the error shape, never 5xx', async () => {
    const { token: throwaway } = await server.login();
    const visitorToken = world.visitorToken;
    const http = createRng(SEED ^ 0x5bd1e995 ^ (store === 'postgres' ? 1 : 0));
    let n = 0;
    const fixtures: Fixtures = {
      'inboxIds[]': (r) => r.pick([world.inboxId, world.scratchInboxId, 'nope']),
      'allowedOrigins[]': (r) => r.pick(['https://shop.example', 'http://localhost:3000']),
      identitySecret: (r) => r.pick([null, 'a-long-enough-identity-secret']),
      shortcut: () => `fz-${++n}`,
      email: (r) => `fuzz${r.int(0, 50)}@example.com`,
    };
    const bodies: Record<string, JsonSchema> = {
      login: inputJsonSchema(LoginInputSchema),
      agentCreate: inputJsonSchema(AgentCreateSchema),
      agentPatch: inputJsonSchema(AgentPatchSchema),
      inboxCreate: inputJsonSchema(InboxCreateSchema),
      inboxPatch: inputJsonSchema(InboxPatchSchema),
      canned: inputJsonSchema(CannedCreateSchema),
    };
    // The admin's own account and the demo inbox stay out of reach: patching them could lock the test out.
    const id = () => http.pick([world.scratchAgentId, world.scratchInboxId, 'nope', uriSegment(garbageString(http, 3)), 'x'.repeat(300)]);
    const routes: [string, () => string, string | null][] = [
      ['POST', () => '/api/auth/login', 'login'],
      ['POST', () => '/api/auth/logout', null],
      ['POST', () => '/api/admin/agents', 'agentCreate'],
      ['GET', () => '/api/admin/agents', null],
      ['PATCH', () => `/api/admin/agents/${http.chance(0.7) ? world.scratchAgentId : id()}`, 'agentPatch'],
      ['POST', () => '/api/admin/inboxes', 'inboxCreate'],
      ['PATCH', () => `/api/admin/inboxes/${http.chance(0.7) ? world.scratchInboxId : id()}`, 'inboxPatch'],
      ['POST', () => '/api/admin/canned', 'canned'],
      ['DELETE', () => `/api/admin/canned/${id()}`, null],
      ['GET', () => `/api/admin/conversations/${id()}/assignments`, null],
      ['POST', () => '/api/uploads', null],
    ];
    // Logins are few: an unknown email costs a full-strength decoy scrypt (~0.3 s) by design.
    const requests = Array.from({ length: 250 }, (_, i) => {
      const [method, path, body] = i % 25 === 0 ? routes[0]! : routes[1 + (i % (routes.length - 1))]!;
      const route = path();
      const token = route === '/api/auth/logout'
        ? http.pick([undefined, 'Bearer', `Bearer ${headerSafe(garbageString(http, 2))}`, `Bearer ${visitorToken}`])
        : http.pick([`Bearer ${world.adminToken}`, `Bearer ${world.adminToken}`, `Bearer ${world.member.token}`, `Bearer ${visitorToken}`, `Bearer ${throwaway}x`, `Bearer ${headerSafe(garbageString(http, 4))}`, 'Basic abc', undefined]);
      const shape = body ? bodies[body]! : { type: 'object' };
      const kind = http.int(0, 9);
      let init: { body?: string; type?: string };
      if (kind <= 3) init = { body: JSON.stringify(mutate(validExample(shape, http, fixtures), shape, http).payload) ?? 'null', type: 'application/json' };
      else if (kind === 4) init = { body: JSON.stringify(randomJson(http, 3)) ?? 'null', type: 'application/json' };
      else if (kind === 5) init = { body: http.pick(['{', 'nul', '{"a":}', '\u0000', '[1,2', '{"__proto__":{"polluted":1}}', '{"constructor":{"prototype":{"polluted":1}}}', '']), type: 'application/json' };
      else if (kind === 6) init = { body: garbageString(http, 5), type: http.pick(['text/plain', 'application/x-www-form-urlencoded', 'application/xml', 'image/png']) };
      else if (kind === 7) {
        const part = `--b\r\nContent-Disposition: form-data; name="${http.pick(['file', 'file', 'other'])}"; filename="${garbageString(http, 2)}"\r\nContent-Type: image/png\r\n\r\n${garbageString(http, 4)}`;
        // Whole, cut off mid-part, or under a boundary that does not match.
        init = { body: http.chance(0.5) ? `${part}\r\n--b--\r\n` : part, type: http.pick(['multipart/form-data; boundary=b', 'multipart/form-data', 'multipart/form-data; boundary=zz']) };
      }
      else if (kind === 8) init = { body: JSON.stringify({ name: 'x'.repeat(70 * 1024) }), type: 'application/json' };
      else init = { body: JSON.stringify(validExample(shape, http, fixtures)), type: 'application/json' };
      if (method === 'GET') init = {};
      return { method, route, token, init, label: `${method} ${route.slice(0, 80)} ${init.type ?? ''} ${show(init.body, 120)}` };
    });
    const failures: Failure[] = [];
    await pool(requests, 8, async (r) => {
      const problem = checkHttp(await request(server.url, r.method, r.route, { ...r.init, token: r.token }));
      if (problem) failures.push({ where: r.label, payload: `Authorization: ${r.token ?? '(none)'}`.slice(0, 60), problem });
    });
    if (failures.length) throw new Error(report(store, failures));
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('stays up and consistent: health, a fresh conversation end to end, gapless seqs everywhere', async () => {
    expect(await server.api('GET', '/healthz')).toEqual({ status: 200, body: { ok: true } });

    const agent = server.agent(world.member.token);
    await agent.ready();
    const visitor = server.visitor();
    await visitor.ready();
    const created = new Promise<{ id: string }>((resolve) =>
      agent.on('conversation:created', (c) => {
        if (c.lastMessage?.body === 'still working after the fuzz') resolve(c);
      }),
    );
    const sent = await visitor.send({ body: 'still working after the fuzz' });
    expect((await created).id).toBe(sent.conversation.id);
    const opened = await agent.open(sent.conversation.id);
    expect(MessageSchema.parse(opened.messages[0])).toMatchObject({ id: sent.message.id, seq: 1 });

    const admin = await connect(server.url, 'agent', { token: world.adminToken });
    const owner = await connect(server.url, 'visitor', { inboxKey: 'demo', visitorToken: world.visitorToken });
    const conversations = [...(await listAll(admin, 'all')), ...(await listAll(admin, 'resolved'))];
    for (const id of world.conversationIds) expect(conversations.map((c) => c.id)).toContain(id);
    for (const conversation of conversations) {
      // Agents see every message: seqs 1..lastSeq without a gap, each prevSeq the seq before it.
      const { messages, lastSeq } = await syncAll(admin, conversation.id);
      expect(lastSeq).toBe(conversation.lastSeq);
      expect(messages.map((m) => m.seq)).toEqual(Array.from({ length: lastSeq }, (_, i) => i + 1));
      for (const m of messages) expect(MessageSchema.parse(m).prevSeq).toBe(m.seq - 1);
      if (conversation.visitor.id !== world.visitorId) continue;
      // The visitor sees the same messages minus notes, chained by prevSeq.
      const mine = await syncAll(owner, conversation.id);
      expect(mine.messages.map((m) => m.id)).toEqual(messages.filter((m) => m.kind !== 'note').map((m) => m.id));
      mine.messages.forEach((m, i) => expect(m.prevSeq).toBe(i === 0 ? 0 : mine.messages[i - 1]!.seq));
    }
    admin.disconnect();
    owner.disconnect();
    agent.close();
    visitor.close();
  });
});

describe('protocol fuzz with the default rate limit', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(() => server?.stop());

  it('answers a flood with rate_limited acks, not silence', async () => {
    const socket = await connect(server.url, 'visitor', { inboxKey: 'demo' });
    const rng = createRng(SEED);
    const flood = Array.from({ length: 260 }, () =>
      rng.chance(0.5) ? ['read:set', { conversationId: 'nope', seq: 1 }] : [rng.pick(Object.keys(visitorCommands)), randomJson(rng, 2)],
    );
    const results = await Promise.all(flood.map(([event, payload]) => emitWithAck(socket, event as string, [payload])));
    const codes = results.map((r) => {
      expect(r).not.toBe(TIMEOUT);
      const ack = AnyResult.parse(r);
      return ack.ok ? 'ok' : ack.error.code;
    });
    expect(codes).not.toContain('internal');
    // 200 commands per 10 s by default: the rest of the 260 are refused, each with an answer.
    expect(codes.filter((c) => c === 'rate_limited').length).toBeGreaterThanOrEqual(60);
    expect(codes.filter((c) => c !== 'rate_limited').length).toBeGreaterThan(0);
    socket.disconnect();
  });
});

// Found by this fuzz on PostgreSQL: a visitor's send (which locked its visitor row FOR UPDATE) and an
// agent's reply in the same conversation (whose second conversation update re-checks the visitor_id
// foreign key with FOR KEY SHARE) deadlocked, and one of them answered `internal`.
describe('concurrent sends in one conversation on PostgreSQL', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({ store: 'postgres', env: { KEFU_RATE_LIMIT_POINTS: '1000000' } });
  });
  afterAll(() => server?.stop());

  it('never deadlock: visitor sends, agent replies and read marks at once all succeed', async () => {
    const member = await server.createAgent({ capacity: 50 });
    const agent = server.agent(member.token);
    await agent.ready();
    const visitor = server.visitor();
    await visitor.ready();
    const { conversation } = await visitor.send({ body: 'hello' });
    const codes: string[] = [];
    for (let round = 0; round < 10; round++) {
      const results = await Promise.all([
        ...Array.from({ length: 4 }, (_, i) => visitor.request('message:send', { clientMsgId: `v-${round}-${i}`, body: `visitor ${round}.${i}` })),
        ...Array.from({ length: 4 }, (_, i) =>
          agent.request('message:send', { conversationId: conversation.id, clientMsgId: `a-${round}-${i}`, body: `agent ${round}.${i}` }),
        ),
        visitor.request('read:set', { conversationId: conversation.id, seq: round + 1 }),
      ]);
      for (const result of results) codes.push(result.ok ? 'ok' : result.error.code);
    }
    expect(codes.filter((code) => code !== 'ok')).toEqual([]);
    const admin = await connect(server.url, 'agent', { token: (await server.login()).token });
    const { messages, lastSeq } = await syncAll(admin, conversation.id);
    expect(messages.map((m) => m.seq)).toEqual(Array.from({ length: lastSeq }, (_, i) => i + 1));
    expect(messages.filter((m) => m.kind === 'text')).toHaveLength(1 + 10 * 8);
    admin.disconnect();
  });
});
