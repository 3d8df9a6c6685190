import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { startTestServer, type TestServer } from './harness.js';
import { expectHttpError, testStore } from './kit.js';

const TOKEN = 'metrics-token-0123456789abcdef';

/** GET /metrics with an optional Authorization header; the body is JSON only for errors. */
const scrape = async (server: TestServer, authorization?: string) => {
  const response = await fetch(`${server.url}/metrics`, { headers: authorization === undefined ? {} : { authorization } });
  const text = await response.text();
  return { status: response.status, contentType: response.headers.get('content-type') ?? '', text, challenge: response.headers.get('www-authenticate') };
};
const asJson = (res: { status: number; text: string }) => ({ status: res.status, body: JSON.parse(res.text) as unknown });

describe('security: /metrics', () => {
  describe('without KEFU_METRICS_TOKEN', () => {
    let server: TestServer;
    beforeAll(async () => {
      server = await startTestServer({ store: testStore() });
    });
    afterAll(() => server.stop());

    it('serves the metrics to anyone (the balancer denies /metrics from outside)', async () => {
      const res = await scrape(server);
      expect(res.status).toBe(200);
      expect(res.contentType).toMatch(/^text\/plain/);
      expect(res.text).toMatch(/^# HELP kefu_sockets_connected /m);
    });
  });

  describe('with KEFU_METRICS_TOKEN', () => {
    let server: TestServer;
    beforeAll(async () => {
      server = await startTestServer({ store: testStore(), env: { KEFU_METRICS_TOKEN: TOKEN } });
    });
    afterAll(() => server.stop());

    it('answers 401 unauthorized without the token, with a wrong one, or in another scheme', async () => {
      for (const authorization of [undefined, '', `Bearer ${TOKEN}x`, `Bearer ${TOKEN.slice(0, -1)}`, 'Bearer wrong', `Basic ${TOKEN}`, TOKEN, `Bearer ${TOKEN} extra`]) {
        const res = await scrape(server, authorization);
        expectHttpError(asJson(res), 'unauthorized');
        expect(res.challenge).toMatch(/^Bearer/);
        expect(res.text).not.toMatch(/kefu_/);
      }
    });

    it('serves the metrics with Authorization: Bearer <token>', async () => {
      for (const authorization of [`Bearer ${TOKEN}`, `bearer ${TOKEN}`]) {
        const res = await scrape(server, authorization);
        expect(res.status).toBe(200);
        expect(res.contentType).toMatch(/^text\/plain/);
        expect(res.text).toMatch(/^# HELP kefu_http_requests_total /m);
      }
      // The refused scrapes were counted like any request.
      expect((await scrape(server, `Bearer ${TOKEN}`)).text).toMatch(/^kefu_http_requests_total\{route="\/metrics",status="401"\} [1-9]/m);
    });
  });
});
