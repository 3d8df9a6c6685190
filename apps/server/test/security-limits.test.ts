import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { KefuClientError, type VisitorClient } from '@kefu/client';
import { UploadOutputSchema, VisitorSessionSchema } from '@kefu/protocol';
import { startTestServer, type TestServer } from './harness.js';
import { expectHttpError, testStore, upload, within } from './kit.js';

/** Login attempts (right or wrong) with a chosen X-Forwarded-For header. */
const loginFrom = async (server: TestServer, forwardedFor: string | null) => {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (forwardedFor !== null) headers['x-forwarded-for'] = forwardedFor;
  const response = await fetch(`${server.url}/api/auth/login`, { method: 'POST', headers, body: JSON.stringify({ email: 'nobody@kefu.test', password: 'wrong-password-1' }) });
  return { status: response.status, body: (await response.json()) as unknown };
};

/** How a visitor handshake ended: its session, or the connect_error code. */
const handshake = async (client: VisitorClient): Promise<{ visitorId: string; visitorToken: string } | string> => {
  try {
    const session = VisitorSessionSchema.parse(await within(client.ready(), 'visitor handshake'));
    return { visitorId: session.visitor.id, visitorToken: client.visitorToken! };
  } catch (error) {
    if (error instanceof KefuClientError) return error.code;
    throw error;
  }
};
const spoofing = (forwardedFor: string) => ({ socketOptions: { extraHeaders: { 'X-Forwarded-For': forwardedFor } } });
const countVisitors = async (server: TestServer) =>
  Number((await server.ctx.db.db.selectFrom('visitors').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n);

/** A server of its own per limit, so that one test's budget use cannot decide another's. */
const serverWith = (env: Record<string, string>) => {
  const holder: { server?: TestServer } = {};
  beforeAll(async () => {
    holder.server = await startTestServer({ store: testStore(), env });
  });
  afterAll(() => holder.server?.stop());
  return () => holder.server!;
};

describe('security: login budget per client address (default: no trusted proxy)', () => {
  const server = serverWith({ KEFU_LOGIN_ATTEMPTS_PER_MINUTE: '3' });

  it('a spoofed X-Forwarded-For does not get a fresh login budget', async () => {
    // The budget is per client address; each attempt claims another one.
    for (const spoof of ['203.0.113.1', '203.0.113.2', '203.0.113.3']) expectHttpError(await loginFrom(server(), spoof), 'unauthorized');
    expectHttpError(await loginFrom(server(), '203.0.113.4'), 'rate_limited');
    expectHttpError(await loginFrom(server(), '198.51.100.9, 203.0.113.5'), 'rate_limited');
    expectHttpError(await loginFrom(server(), null), 'rate_limited');
  });
});

describe('security: uploads per uploader', () => {
  const server = serverWith({ KEFU_UPLOADS_PER_MINUTE: '2' });

  it('caps uploads per uploader (429 rate_limited), each uploader with a budget of its own', async () => {
    const visitor = await handshake(server().visitor());
    if (typeof visitor === 'string') throw new Error(`visitor refused: ${visitor}`);
    const agent = await server().createAgent({ inboxIds: [] });
    // The same agent logged in twice is still one uploader.
    const again = (await server().login(agent.email, agent.password)).token;
    const rowsOfAgent = () => server().ctx.db.db.selectFrom('attachments').select('id').where('owner_id', '=', agent.id).execute();

    for (const token of [agent.token, again]) {
      const res = await upload(server(), token);
      expect(res.status).toBe(201);
      UploadOutputSchema.parse(res.body);
    }
    const before = await rowsOfAgent();
    expect(before).toHaveLength(2);
    expectHttpError(await upload(server(), agent.token), 'rate_limited');
    expectHttpError(await upload(server(), again), 'rate_limited');
    // Refused uploads leave no row behind.
    expect(await rowsOfAgent()).toEqual(before);

    // A visitor and another agent are not affected by that agent's budget.
    expect((await upload(server(), visitor.visitorToken)).status).toBe(201);
    expect((await upload(server(), visitor.visitorToken)).status).toBe(201);
    expectHttpError(await upload(server(), visitor.visitorToken), 'rate_limited');
    expect((await upload(server(), (await server().createAgent({ inboxIds: [] })).token)).status).toBe(201);
  });
});

describe('security: new anonymous visitors per client address', () => {
  const server = serverWith({ KEFU_NEW_VISITORS_PER_MINUTE: '2' });

  it('caps NEW anonymous visitors (connect_error rate_limited); returning visitors still connect', async () => {
    const first = await handshake(server().visitor());
    const second = await handshake(server().visitor());
    if (typeof first === 'string' || typeof second === 'string') throw new Error(`visitor refused: ${JSON.stringify(first)} ${JSON.stringify(second)}`);
    const visitors = await countVisitors(server());

    expect(await handshake(server().visitor())).toBe('rate_limited');
    // Claiming another address in X-Forwarded-For does not help, as no proxy is trusted.
    expect(await handshake(server().visitor(spoofing('203.0.113.77')))).toBe('rate_limited');
    // A token that does not verify makes a new visitor, so it is limited too.
    expect(await handshake(server().visitor({ visitorToken: 'not-a-token' }))).toBe('rate_limited');
    expect(await countVisitors(server())).toBe(visitors);

    // A returning visitor is no new row, so the limit does not apply to it.
    expect(await handshake(server().visitor({ visitorToken: first.visitorToken }))).toMatchObject({ visitorId: first.visitorId });
    expect(await handshake(server().visitor({ visitorToken: second.visitorToken }))).toMatchObject({ visitorId: second.visitorId });
    expect(await countVisitors(server())).toBe(visitors);
  });
});

describe('security: client addresses behind a trusted proxy (KEFU_TRUST_PROXY)', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({
      store: testStore(),
      env: { KEFU_TRUST_PROXY: 'loopback', KEFU_LOGIN_ATTEMPTS_PER_MINUTE: '2', KEFU_NEW_VISITORS_PER_MINUTE: '1' },
    });
  });
  afterAll(() => server.stop());

  it('login budgets follow the address the trusted proxy forwards, not what the client prepends', async () => {
    for (let i = 0; i < 2; i++) expectHttpError(await loginFrom(server, '198.51.100.1'), 'unauthorized');
    expectHttpError(await loginFrom(server, '198.51.100.1'), 'rate_limited');
    // The client wrote its own left-hand entry; the proxy appended the real address: still limited.
    expectHttpError(await loginFrom(server, '203.0.113.50, 198.51.100.1'), 'rate_limited');
    // Another client behind the same proxy has its own budget.
    expectHttpError(await loginFrom(server, '198.51.100.2'), 'unauthorized');
  });

  it('socket handshakes read the client address by the same rule', async () => {
    expect(typeof (await handshake(server.visitor(spoofing('198.51.100.10'))))).toBe('object');
    expect(await handshake(server.visitor(spoofing('198.51.100.10')))).toBe('rate_limited');
    expect(await handshake(server.visitor(spoofing('203.0.113.9, 198.51.100.10')))).toBe('rate_limited');
    expect(typeof (await handshake(server.visitor(spoofing('198.51.100.11'))))).toBe('object');
  });
});
