import { once } from 'node:events';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from '@jest/globals';
import { Server } from 'socket.io';
import { io as connect, type Socket as ClientSocket } from 'socket.io-client';
import { z } from 'zod';
import { createLifecycle } from '../lifecycle.js';
import { createLogger } from '../logger.js';
import { createMetrics } from '../metrics.js';
import { createLimiter } from '../rate-limit.js';
import { bindCommands } from './commands.js';

const schemas = { 'echo:say': { input: z.object({ text: z.string() }), output: z.object({ text: z.string() }) } };
const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** A real Socket.IO server on port 0 whose sockets get the echo command; counts the handler sets made. */
async function start(): Promise<{ url: string; made: () => number }> {
  const http = createServer();
  const io = new Server(http);
  const deps = { namespace: 'visitor' as const, limiter: createLimiter('test', { points: 100, durationSec: 60 }, null), limiterKey: 'k', lifecycle: createLifecycle(), metrics: createMetrics(), log: createLogger('silent') };
  let made = 0;
  io.on('connection', (socket) => {
    bindCommands(socket, schemas, () => {
      made++;
      return { 'echo:say': async ({ text }) => ({ text }) };
    }, deps);
    socket.emit('ready');
  });
  http.listen(0);
  await once(http, 'listening');
  cleanups.push(() => new Promise<void>((resolve) => void io.close(() => resolve())));
  return { url: `http://127.0.0.1:${(http.address() as AddressInfo).port}`, made: () => made };
}

async function client(url: string): Promise<ClientSocket> {
  const socket = connect(url, { transports: ['websocket'], forceNew: true });
  cleanups.push(async () => socket.disconnect());
  await new Promise((resolve) => socket.once('ready', resolve));
  return socket;
}

describe('bindCommands', () => {
  it("makes a socket's handlers at its first command, once, and answers every command through one listener", async () => {
    const server = await start();
    const socket = await client(server.url);
    expect(server.made()).toBe(0);

    await expect(socket.emitWithAck('nope', {})).resolves.toEqual({ ok: false, error: { code: 'bad_request', message: 'unknown command: nope' } });
    await expect(socket.emitWithAck('toString', {})).resolves.toMatchObject({ ok: false, error: { code: 'bad_request' } });
    expect(server.made()).toBe(0);

    await expect(socket.emitWithAck('echo:say', { text: 'hi' })).resolves.toEqual({ ok: true, data: { text: 'hi' } });
    await expect(socket.emitWithAck('echo:say', { text: 42 })).resolves.toMatchObject({ ok: false, error: { code: 'bad_request' } });
    await expect(socket.emitWithAck('echo:say', { text: 'again' })).resolves.toEqual({ ok: true, data: { text: 'again' } });
    expect(server.made()).toBe(1);
  });
});
