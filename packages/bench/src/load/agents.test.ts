import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Server, type Socket as ServerSocket } from 'socket.io';
import { openAgents } from './agents.js';
import { clock } from './clock.js';
import { takeListUpdates } from './list-updates.js';

// The agents' processes run the built worker (`npm test` builds first), as the bench does.
describe('openAgents', () => {
  const http = createServer();
  const io = new Server(http);
  const connected: ServerSocket[] = [];
  let url = '';

  beforeAll(async () => {
    io.of('/agent').on('connection', (socket) => {
      connected.push(socket);
      // The relay's join command: rooms named in the payload.
      socket.on('join', (rooms: string[], ack: (result: unknown) => void) => {
        void socket.join(rooms);
        ack({ ok: true, data: {} });
      });
      socket.emit('session', {});
    });
    await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(http.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await io.close();
  });

  it('stamps each message:created, read by agents in processes of their own, on a clock the sending process shares', async () => {
    const agents = await openAgents(url, [0, 1, 2].map(() => ({ auth: {}, parsesListUpdates: true })), 2);
    const heard = new Map<string, number>();
    const allHeard = new Promise<void>((resolve) => {
      agents.listen((clientMsgId, at) => {
        heard.set(clientMsgId, at);
        if (heard.size === 3) resolve();
      });
    });
    const before = clock();
    connected.slice(-3).forEach((socket, i) => socket.emit('message:created', { conversationId: 'c1', clientMsgId: `m${i}` }));
    await allHeard;
    const after = clock();
    expect([...heard.keys()].sort()).toEqual(['m0', 'm1', 'm2']);
    for (const at of heard.values()) {
      expect(at).toBeGreaterThanOrEqual(before);
      expect(at).toBeLessThanOrEqual(after);
    }
    await agents.close();
  });

  it('joins the rooms it is given, and counts the list updates of the agents that do not parse them', async () => {
    takeListUpdates();
    const agents = await openAgents(url, [
      { auth: {}, parsesListUpdates: true, joins: ['r1'] },
      { auth: {}, parsesListUpdates: false, joins: ['r2'] },
    ]);
    const lag = agents.lag();
    const delivered = new Promise<string>((resolve) => agents.listen((clientMsgId) => resolve(clientMsgId)));
    io.of('/agent').to('r2').emit('conversation:activity', { inboxId: 'i1', conversations: [] });
    io.of('/agent').to('r2').emit('message:created', { conversationId: 'c2', clientMsgId: 'in-r2' });
    expect(await delivered).toBe('in-r2');
    await lag.stop();
    // The second agent's process counted the frame (in its report); nothing more when it closes.
    expect(takeListUpdates().frames).toBe(1);
    await agents.close();
    expect(takeListUpdates().frames).toBe(0);
  });

  it('rejects with the reason when an agent cannot connect', async () => {
    await expect(openAgents('http://127.0.0.1:1', [{ auth: {}, parsesListUpdates: true }])).rejects.toThrow(/agents:/);
  });
});
