import { connect, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { startTestServer, type TestServer } from './harness.js';
import { testStore, waitFor, within } from './kit.js';

// The attacker speaks from 127.0.0.2 (Linux routes all of 127/8 to loopback), everybody else from 127.0.0.1.
const ATTACKER = '127.0.0.2';
const PER_ADDRESS = 40;
const ATTEMPTS = 120;

type Slow = { socket: Socket; closed: Promise<string> };

/** A connection that sends the headers of a login and then one byte of its body every 100 ms, forever. */
function slowBody(port: number): Slow {
  const socket = connect({ host: '127.0.0.1', port, localAddress: ATTACKER });
  let received = '';
  socket.setEncoding('utf8').on('data', (chunk: string) => (received += chunk));
  socket.on('error', () => undefined);
  socket.once('connect', () => {
    socket.write('POST /api/auth/login HTTP/1.1\r\nHost: kefu\r\nContent-Type: application/json\r\nContent-Length: 10000\r\n\r\n{');
    const drip = setInterval(() => socket.write(' '), 100);
    socket.once('close', () => clearInterval(drip));
  });
  return { socket, closed: new Promise((resolve) => socket.once('close', () => resolve(received))) };
}

/** A connection that never finishes its headers. */
function slowHeaders(port: number): Slow {
  const socket = connect({ host: '127.0.0.1', port, localAddress: ATTACKER });
  socket.on('error', () => undefined);
  socket.once('connect', () => {
    socket.write('GET /healthz HTTP/1.1\r\nHost: kefu\r\n');
    const drip = setInterval(() => socket.write('X-Slow: 1\r\n'), 100);
    socket.once('close', () => clearInterval(drip));
  });
  return { socket, closed: new Promise((resolve) => socket.once('close', () => resolve(''))) };
}

describe('security: slow clients cannot hold the server', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({
      store: testStore(),
      env: {
        KEFU_HTTP_HEADERS_TIMEOUT_MS: '400',
        KEFU_HTTP_REQUEST_TIMEOUT_MS: '1000',
        KEFU_MAX_CONNECTIONS_PER_ADDRESS: String(PER_ADDRESS),
      },
    });
  });
  afterAll(() => server.stop());

  it('drops slow bodies after the request timeout, refuses connections over the per-address cap, and /healthz answers throughout', async () => {
    const attackers = Array.from({ length: ATTEMPTS }, () => slowBody(server.port));
    // Those over the cap are closed at once, without a byte of answer, while the others still trickle.
    await waitFor('the connections over the cap to be refused', 5_000, (done) => {
      let dropped = 0;
      for (const attacker of attackers) void attacker.closed.then(() => ++dropped === ATTEMPTS - PER_ADDRESS && done(undefined));
      return () => undefined;
    });
    expect(attackers.filter((a) => !a.socket.destroyed)).toHaveLength(PER_ADDRESS);
    expect((await server.ctx.metrics.connectionsRefused.get()).values[0]?.value).toBe(ATTEMPTS - PER_ADDRESS);
    // While the others trickle, everybody else is served.
    for (let i = 0; i < 5; i++) {
      const health = await fetch(`${server.url}/healthz`, { signal: AbortSignal.timeout(2_000) });
      expect(health.status).toBe(200);
    }
    const answers = await within(Promise.all(attackers.map((a) => a.closed)), 'every slow body to be dropped', 10_000);
    const timedOut = answers.filter((answer) => answer.startsWith('HTTP/1.1 408'));
    expect(timedOut).toHaveLength(PER_ADDRESS);
    expect(answers.filter((answer) => answer === '')).toHaveLength(ATTEMPTS - PER_ADDRESS);
    expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
  });

  it('drops clients that never finish their headers', async () => {
    const attackers = Array.from({ length: 10 }, () => slowHeaders(server.port));
    await within(Promise.all(attackers.map((a) => a.closed)), 'every slow header to be dropped', 10_000);
    expect(attackers.every((a) => a.socket.destroyed)).toBe(true);
  });

  it('keeps quick clients of the capped address in: the cap counts open connections, not past ones', async () => {
    const askHealth = () =>
      new Promise<string>((resolve) => {
        const quick = connect({ host: '127.0.0.1', port: server.port, localAddress: ATTACKER });
        let text = '';
        quick.setEncoding('utf8').on('data', (chunk: string) => (text += chunk));
        quick.once('close', () => resolve(text));
        quick.once('error', () => undefined);
        quick.once('connect', () => quick.end('GET /healthz HTTP/1.1\r\nHost: kefu\r\nConnection: close\r\n\r\n'));
      });
    // The server may notice the earlier connections close a moment after their clients did.
    const answered = await waitFor<string>('a quick request from the attacker address to be served', 5_000, (done) => {
      let asking = true;
      void (async () => {
        while (asking) {
          const answer = await askHealth();
          if (answer.startsWith('HTTP/1.1 200')) done(answer);
        }
      })();
      return () => (asking = false);
    });
    expect(answered).toMatch(/^HTTP\/1.1 200/);
  });
});
