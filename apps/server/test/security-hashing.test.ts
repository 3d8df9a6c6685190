import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { UploadOutputSchema } from '@kefu/protocol';
import { startTestServer, type TestServer } from './harness.js';
import { TINY_PNG, expectHttpError, requestJson, testStore, upload } from './kit.js';

const LOGINS = 40;

const wrongLogin = (server: TestServer) =>
  requestJson(server.url, 'POST', '/api/auth/login', { email: 'nobody@kefu.test', password: 'wrong-password-1' });

describe('security: password hashing cannot starve file I/O', () => {
  let server: TestServer;
  let token: string;
  beforeAll(async () => {
    // A real scrypt cost (16 MiB, tens of ms), so that hashing occupies the thread pool for a while.
    server = await startTestServer({ store: testStore(), env: { KEFU_PASSWORD_COST: '14', KEFU_LOGIN_ATTEMPTS_PER_MINUTE: '100000' } });
    token = (await server.login()).token;
  });
  afterAll(() => server.stop());

  it('an upload and its download complete while a burst of logins is still hashing', async () => {
    let settled = 0;
    const logins = Array.from({ length: LOGINS }, () => wrongLogin(server).finally(() => (settled += 1)));
    // Without a bound the burst takes all of libuv's threads and the file system waits behind every hash.
    const uploaded = await upload(server, token, { bytes: TINY_PNG });
    expect(uploaded.status).toBe(201);
    const { attachment } = UploadOutputSchema.parse(uploaded.body);
    const download = await fetch(`${server.url}/api/uploads/${attachment.id}`);
    expect(Buffer.from(await download.arrayBuffer()).equals(TINY_PNG)).toBe(true);
    // Unbounded, nearly every login had its answer before the upload got its threads (39 of 40 measured).
    expect(settled).toBeLessThan(LOGINS / 2);
    for (const res of await Promise.all(logins)) expectHttpError(res, 'unauthorized');
  });
});

describe('security: waiting logins are bounded', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({
      store: testStore(),
      env: { KEFU_PASSWORD_COST: '14', KEFU_PASSWORD_CONCURRENCY: '1', KEFU_PASSWORD_QUEUE: '3', KEFU_LOGIN_ATTEMPTS_PER_MINUTE: '100000' },
    });
  });
  afterAll(() => server.stop());

  it('refuses logins beyond the queue as rate_limited instead of letting them wait for minutes; the rest are answered', async () => {
    const results = await Promise.all(Array.from({ length: 12 }, () => wrongLogin(server)));
    const codes = results.map((res) => (res.body as { error: { code: string } }).error.code);
    expect(codes.filter((code) => code === 'rate_limited').length).toBeGreaterThan(0);
    expect(codes.filter((code) => code === 'unauthorized').length).toBeGreaterThanOrEqual(4);
    for (const res of results) expect([401, 429]).toContain(res.status);
    // Once the burst is over, logins work again.
    expect((await server.login()).token).toEqual(expect.any(String));
  });
});

describe('security: logins per address', () => {
  it('defaults to a budget a NAT of agents can live with, far below what two cores can hash', async () => {
    const { loadConfig } = await import('../src/env.js');
    expect(loadConfig({}).rateLimit.loginPerMinute).toBe(30);
  });
});
