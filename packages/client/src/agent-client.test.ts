import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { connectAgent, type AgentClient } from './agent-client.js';
import { MessageLog } from './test-helpers.js';
import {
  agentToken,
  appendMessage,
  conversationId,
  createFakeStore,
  dropFirstAcks,
  startFakeServer,
  type FakeBehaviour,
  type FakeServer,
  type FakeStore,
} from './test-server.js';

let store: FakeStore;
let behaviour: FakeBehaviour;
let server: FakeServer;
const clients: AgentClient[] = [];

beforeEach(async () => {
  store = createFakeStore();
  behaviour = {};
  server = await startFakeServer(store, behaviour);
});

afterEach(async () => {
  for (const client of clients.splice(0)) client.close();
  await server.close();
});

function agent(token = agentToken): AgentClient {
  const client = connectAgent({ url: server.url, token, ackTimeoutMs: 150 });
  clients.push(client);
  return client;
}

describe('connectAgent', () => {
  it('resolves ready() with the agent session', async () => {
    const session = await agent().ready();
    expect(session.agent.id).toBe('a1');
  });

  it('rejects ready() with unauthorized for a bad token', async () => {
    await expect(agent('stale').ready()).rejects.toMatchObject({ code: 'unauthorized', message: 'unauthorized' });
  });

  it('does not stream conversations it has not watched', async () => {
    const client = agent();
    const log = new MessageLog(client);
    const raw: number[] = [];
    client.on('message:created', (m) => raw.push(m.seq));
    await client.ready();
    const data = await client.send({ conversationId: appendMessage(store, 'one').conversationId, body: 'hi' });
    expect(data.message.seq).toBe(2);
    expect(raw).toEqual([2]);
    expect(log.seqs).toEqual([]);
  });

  it('watch() catches up from the given seq, then streams sends once', async () => {
    for (const body of ['one', 'two', 'three']) appendMessage(store, body);
    behaviour.onStored = dropFirstAcks(1);
    const client = agent();
    const log = new MessageLog(client);
    await client.ready();
    await client.watch(conversationId, 1);
    expect(log.seqs).toEqual([2, 3]);
    const data = await client.send({ conversationId, body: 'on my way', private: true });
    expect(data.message.seq).toBe(4);
    expect(store.sends.map((s) => s.clientMsgId)).toEqual([data.message.clientMsgId, data.message.clientMsgId]);
    expect(log.seqs).toEqual([2, 3, 4]);
    expect(client.lastSeq(conversationId)).toBe(4);
  });
});
