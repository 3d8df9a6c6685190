import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Server } from 'socket.io';
import type { Socket } from 'socket.io-client';
import { listUpdateCountingParser, takeListUpdates } from './list-updates.js';
import { connect } from './sockets.js';

describe('listUpdateCountingParser', () => {
  const http = createServer();
  const io = new Server(http);
  let url = '';

  beforeAll(async () => {
    // On 'go': a list update, then a message, then the ack; a socket gets them in that order.
    io.of('/agent').on('connection', (socket) => {
      socket.on('go', (ack: () => void) => {
        socket.emit('conversation:activity', { inboxId: 'i1', conversations: [{ id: 'c1', lastSeq: 7 }] });
        socket.emit('message:created', { conversationId: 'c1', seq: 7 });
        ack();
      });
      socket.emit('session', {});
    });
    await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(http.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await io.close();
  });

  /** What the socket's listeners saw of one 'go', in order. */
  async function heardAfterGo(socket: Socket): Promise<string[]> {
    const heard: string[] = [];
    socket.on('conversation:activity', () => heard.push('conversation:activity'));
    socket.on('message:created', (message: { seq: number }) => heard.push(`message:created ${message.seq}`));
    await socket.emitWithAck('go');
    socket.close();
    return heard;
  }

  it('counts each conversation:activity without handing it on, and decodes every other event', async () => {
    takeListUpdates();
    const heard = await heardAfterGo(await connect(url, '/agent', {}, listUpdateCountingParser));
    expect(heard).toEqual(['message:created 7']);
    const counted = takeListUpdates();
    expect(counted.frames).toBe(1);
    expect(counted.chars).toBeGreaterThan('["conversation:activity",{}]'.length);
    expect(takeListUpdates()).toEqual({ frames: 0, chars: 0 });
  });

  it('leaves a socket with the default parser as it was: it hears both, nothing counted', async () => {
    takeListUpdates();
    const heard = await heardAfterGo(await connect(url, '/agent'));
    expect(heard).toEqual(['conversation:activity', 'message:created 7']);
    expect(takeListUpdates()).toEqual({ frames: 0, chars: 0 });
  });
});
