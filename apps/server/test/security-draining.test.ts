import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { ADMIN, startTestServer, type TestServer } from './harness.js';
import { expectHttpError, testStore } from './kit.js';

describe('security: HTTP while the node drains for a shutdown', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({ store: testStore() });
  });
  afterAll(() => server.stop());

  it('answers 503 unavailable to new requests, /healthz included, so the balancer goes elsewhere', async () => {
    // Serving before the drain.
    expect(await server.api('GET', '/healthz')).toEqual({ status: 200, body: { ok: true } });
    expect((await server.api('POST', '/api/auth/login', ADMIN)).status).toBe(200);

    await server.ctx.lifecycle.drain(1_000);

    expectHttpError(await server.api('POST', '/api/auth/login', ADMIN), 'unavailable');
    const health = await server.api<{ ok: boolean }>('GET', '/healthz');
    expectHttpError(health, 'unavailable');
    expect(health.body.ok).toBe(false);
    expectHttpError(await server.api('GET', '/api/admin/agents'), 'unavailable');
    expectHttpError(await server.api('GET', '/api/no-such-route'), 'unavailable');
    const response = await fetch(`${server.url}/api/uploads`, { method: 'POST', body: new FormData() });
    expect(response.status).toBe(503);
    expect(response.headers.get('retry-after')).toBe('1');
  });
});
