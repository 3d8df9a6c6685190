import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from '@jest/globals';
import { createTestStore } from '@kefu/store/testing';
import SQLite from 'better-sqlite3';
import pg from 'pg';
import type { Socket } from 'socket.io-client';
import { command, connect } from '../load/sockets.js';
import { dropRedisKeys, REDIS_URL } from './kefu.js';
import { repoRoot, startProcess, stopProcess, type NodeProcess } from './process.js';

// The built server, as the bench starts it (`npm test` builds first).
const script = join(repoRoot, 'packages/bench/dist/targets/durable-relay-server.js');
const SENDS = 20;

type Created = { conversationId: string; clientMsgId: string; body: string };

/**
 * SENDS messages from one shopper on `shopperUrl` at once; `stored(clientMsgId)` is asked as each
 * ack arrives. Resolves with what each ack found stored and what the agent on `agentUrl` received.
 */
async function sendAll(shopperUrl: string, agentUrl: string, stored: (clientMsgId: string) => Promise<boolean>) {
  const sockets: Socket[] = [];
  try {
    const agent = await connect(agentUrl, '/agent');
    sockets.push(agent);
    await command(agent, 'join', ['c1']);
    const received: Created[] = [];
    const allReceived = new Promise<void>((resolve) =>
      agent.on('message:created', (message: Created) => {
        received.push(message);
        if (received.length === SENDS) resolve();
      }),
    );
    const shopper = await connect(shopperUrl, '/visitor');
    sockets.push(shopper);
    const clientMsgIds = Array.from({ length: SENDS }, (_, i) => `m${i}`);
    const storedAtAck = await Promise.all(
      clientMsgIds.map(async (clientMsgId) => {
        await command(shopper, 'message:send', { conversationId: 'c1', clientMsgId, body: `hello ${clientMsgId}` });
        return stored(clientMsgId);
      }),
    );
    await allReceived;
    return { storedAtAck, received: received.map((m) => m.clientMsgId).sort(), clientMsgIds: clientMsgIds.sort() };
  } finally {
    sockets.forEach((socket) => socket.close());
  }
}

describe('the durable relay (a bench reference: acks only what its store committed)', () => {
  const nodes: NodeProcess[] = [];
  /** Undone last first, once the nodes have stopped. */
  const cleanups: (() => Promise<unknown>)[] = [];
  afterAll(async () => {
    await Promise.all(nodes.map(stopProcess));
    for (const cleanup of cleanups.reverse()) await cleanup();
  });

  // Its write ends within the turn that read the send, before any ack leaves: an ack sent early is not
  // visible from outside, and what is (the acked rows there, every message delivered) is checked.
  it('on one node with SQLite: each acked message is in the file when its ack arrives, and the agent receives every one', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'kefu-durable-relay-test-'));
    cleanups.push(async () => rmSync(dir, { recursive: true, force: true }));
    const file = join(dir, 'relay.db');
    const node = await startProcess('durable-1', script, { RELAY_STORE: 'sqlite', RELAY_SQLITE_FILE: file });
    nodes.push(node);
    const reader = new SQLite(file, { readonly: true });
    cleanups.push(async () => reader.close());
    const count = reader.prepare<[string, string], { n: number }>('select count(*) as n from messages where conversation_id = ? and client_msg_id = ?');

    const { storedAtAck, received, clientMsgIds } = await sendAll(node.url, node.url, async (id) => count.get('c1', id)!.n === 1);
    expect(storedAtAck).toEqual(clientMsgIds.map(() => true));
    expect(received).toEqual(clientMsgIds);
  });

  it('on two nodes with PostgreSQL and Redis: each acked message is committed when its ack arrives, and the agent on the other node receives every one', async () => {
    const store = await createTestStore('postgres');
    cleanups.push(() => store.drop());
    const prefix = `kefu-test-relay-${randomBytes(4).toString('hex')}:`;
    cleanups.push(() => dropRedisKeys(prefix));
    const env = { RELAY_STORE: 'postgres', RELAY_DATABASE_URL: store.url!, RELAY_REDIS_URL: REDIS_URL, RELAY_REDIS_PREFIX: prefix };
    // One after the other: the first makes the table.
    const shoppers = await startProcess('durable-2/node1', script, env);
    nodes.push(shoppers);
    const agents = await startProcess('durable-2/node2', script, env);
    nodes.push(agents);
    const reader = new pg.Pool({ connectionString: store.url!, max: 2 });
    cleanups.push(() => reader.end());
    const stored = async (id: string) =>
      (await reader.query<{ n: string }>('select count(*) as n from messages where conversation_id = $1 and client_msg_id = $2', ['c1', id])).rows[0]!.n === '1';

    const { storedAtAck, received, clientMsgIds } = await sendAll(shoppers.url, agents.url, stored);
    expect(storedAtAck).toEqual(clientMsgIds.map(() => true));
    expect(received).toEqual(clientMsgIds);
  });
});
