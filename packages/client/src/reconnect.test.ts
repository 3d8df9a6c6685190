import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { MessageSchema, TypingChangedSchema, type AgentSession } from '@kefu/protocol';
import { connectAgent, type AgentClient } from './agent-client.js';
import { deferred } from './deferred.js';
import { MessageLog, within } from './test-helpers.js';
import {
  agentToken,
  appendMessage,
  conversationId,
  conversationRoom,
  createFakeStore,
  dropFirstAcks,
  startFakeServer,
  type FakeBehaviour,
  type FakeServer,
  type FakeStore,
} from './test-server.js';
import { connectVisitor, type VisitorClient, type VisitorClientOptions } from './visitor-client.js';

let store: FakeStore;
let behaviour: FakeBehaviour;
let server: FakeServer;
const servers: FakeServer[] = [];
const clients: { close(): void }[] = [];

// Fast reconnection keeps these tests quick; the protocol behaviour is the same.
const socketOptions = { reconnectionDelay: 20, reconnectionDelayMax: 50 };

beforeEach(async () => {
  store = createFakeStore();
  behaviour = {};
  server = await start(behaviour);
});

afterEach(async () => {
  for (const client of clients.splice(0)) client.close();
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

/** Another node on the same store, like a second kefu server on the same database. */
async function start(nodeBehaviour: FakeBehaviour = {}): Promise<FakeServer> {
  const node = await startFakeServer(store, nodeBehaviour);
  servers.push(node);
  return node;
}

async function stop(node: FakeServer): Promise<void> {
  servers.splice(servers.indexOf(node), 1);
  await node.close();
}

function visitor(options: Partial<VisitorClientOptions> = {}): VisitorClient {
  const client = connectVisitor({ url: server.url, inboxKey: 'demo', socketOptions, ackTimeoutMs: 150, ...options });
  clients.push(client);
  return client;
}

function agent(): AgentClient {
  const client = connectAgent({ url: server.url, token: agentToken, socketOptions, ackTimeoutMs: 150 });
  clients.push(client);
  return client;
}

function nextSession(client: AgentClient): Promise<AgentSession> {
  return within(new Promise<AgentSession>((resolve) => client.on('session', resolve)), 'the next agent session');
}

function nextTyping(client: AgentClient): Promise<unknown> {
  return within(new Promise<unknown>((resolve) => client.on('typing:changed', resolve)), 'typing:changed');
}

describe('handshake refused with a retryable code', () => {
  it.each(['unavailable', 'internal'])(
    'retries after %s: ready() resolves and a send queued meanwhile is delivered once',
    async (code) => {
      behaviour.refuseHandshakes = [code, code];
      const client = visitor();
      const log = new MessageLog(client);
      const sending = client.send({ body: 'queued before any session' });
      const session = await within(client.ready(), 'ready() after two refusals');
      expect(server.handshakes).toHaveLength(3);
      expect(session.visitorToken).toBe('token-v1');
      const data = await within(sending, 'the queued send');
      expect(MessageSchema.parse(data.message)).toMatchObject({ seq: 1, body: 'queued before any session' });
      expect(store.sends).toEqual([{ clientMsgId: data.message.clientMsgId }]);
      expect(store.messages).toHaveLength(1);
      await log.waitForSeq(1);
      expect(log.seqs).toEqual([1]);
    },
  );

  it('keeps unauthorized final: ready() rejects with it after an internal refusal was retried', async () => {
    behaviour.refuseHandshakes = ['internal', 'unauthorized'];
    const client = visitor();
    await expect(within(client.ready(), 'ready() to reject')).rejects.toMatchObject({ code: 'unauthorized' });
    expect(server.handshakes).toHaveLength(2);
    expect(client.socket.active).toBe(false);
  });

  it('rejects ready() with unavailable when socket.io reconnection is disabled', async () => {
    behaviour.refuseHandshakes = ['unavailable'];
    const client = visitor({ socketOptions: { ...socketOptions, reconnection: false } });
    await expect(within(client.ready(), 'ready() to reject')).rejects.toMatchObject({ code: 'unavailable' });
    expect(server.handshakes).toHaveLength(1);
  });

  it('reconnects into a node that first refuses with unavailable (draining), and the send goes through once', async () => {
    const client = visitor();
    const log = new MessageLog(client);
    const first = await client.ready();
    behaviour.refuseHandshakes = ['unavailable', 'unavailable'];
    const back = within(new Promise((resolve) => client.socket.once('session', resolve)), 'the session after the refusals');
    server.visitors.disconnectSockets();
    const data = await within(client.send({ body: 'after the kick' }), 'send');
    await back;
    expect(server.handshakes).toHaveLength(4);
    expect(server.handshakes.at(-1)).toMatchObject({ visitorToken: first.visitorToken });
    expect(store.sends).toEqual([{ clientMsgId: data.message.clientMsgId }]);
    await log.waitForSeq(1);
    expect(log.seqs).toEqual([1]);
  });
});

describe('failover over `urls`', () => {
  it('moves to the next node when its node closes, with the same visitor, outbox and stream', async () => {
    const other = await start();
    const client = visitor({ urls: [other.url] });
    const log = new MessageLog(client);
    const first = await client.ready();
    await client.send({ body: 'one' });
    expect(other.handshakes).toEqual([]);

    appendMessage(store, 'committed while the broadcast was lost'); // seq 2: only a sync can bring it
    behaviour.broadcast = false;
    const stored = deferred<void>();
    behaviour.onStored = dropFirstAcks(1, () => stored.resolve()); // seq 3 stored on A, ack lost
    const sending = client.send({ body: 'three' });
    await within(stored.promise, 'the send to be stored on the first node');
    await stop(server);

    const data = await within(sending, 'the send to be acked by the second node');
    expect(data.message).toMatchObject({ seq: 3, body: 'three' });
    expect(store.sends.slice(-2)).toEqual([{ clientMsgId: data.message.clientMsgId }, { clientMsgId: data.message.clientMsgId }]);
    expect(other.handshakes).toEqual([expect.objectContaining({ inboxKey: 'demo', visitorToken: first.visitorToken })]);
    expect(client.session?.visitor.id).toBe(first.visitor.id);

    await log.waitForSeq(3);
    const four = await client.send({ body: 'four' });
    await log.waitForSeq(four.message.seq);
    expect(log.seqs).toEqual([1, 2, 3, 4]);
    expect(store.messages.map((m) => m.body)).toEqual(['one', 'committed while the broadcast was lost', 'three', 'four']);
    expect(store.syncs).toContainEqual({ conversationId, afterSeq: 1 });
  });

  it('comes back on the next node, not on the one that ended its connection', async () => {
    const other = await start();
    const client = visitor({ urls: [other.url] });
    const first = await client.ready();
    // Like a draining node: it ends the connection and would refuse the client if it came back.
    behaviour.refuseHandshakes = ['unavailable'];
    const back = within(new Promise((resolve) => client.socket.once('session', resolve)), 'the session on the next node');
    server.visitors.disconnectSockets();
    await back;
    expect(server.handshakes).toHaveLength(1);
    expect(other.handshakes).toEqual([expect.objectContaining({ visitorToken: first.visitorToken })]);
  });

  it('connects through the next URL when the first one does not answer, ready() waiting for it', async () => {
    const dead = await start();
    await stop(dead);
    const client = visitor({ url: dead.url, urls: [server.url] });
    const session = await within(client.ready(), 'ready() through the second URL');
    expect(session.visitorToken).toBe('token-v1');
    expect(server.handshakes).toHaveLength(1);
  });

  it('rejects urls whose path differs from url', () => {
    expect(() => visitor({ urls: [`${server.url}/elsewhere`] })).toThrow(TypeError);
  });
});

describe('agent re-open after a reconnection', () => {
  it('re-issues conversation:open for opened conversations, so typing:changed keeps arriving', async () => {
    appendMessage(store, 'hello');
    const client = agent();
    await client.ready();
    const shopper = visitor();
    await shopper.ready();
    await client.open(conversationId);
    const firstSocket = client.socket.id;
    expect(store.opens).toEqual([{ conversationId, socketId: firstSocket }]);

    const typing = nextTyping(client);
    await shopper.call('typing:set', { conversationId, typing: true });
    expect(TypingChangedSchema.parse(await typing)).toMatchObject({ conversationId, typing: true });

    const again = nextSession(client);
    server.agents.disconnectSockets();
    await again;
    // The re-open is emitted when the session arrives, so it is handled before this round trip.
    await client.call('conversation:sync', { conversationId, afterSeq: 0 });
    expect(client.socket.id).not.toBe(firstSocket);
    expect(store.opens).toEqual([
      { conversationId, socketId: firstSocket },
      { conversationId, socketId: client.socket.id },
    ]);
    expect(await server.agents.in(conversationRoom(conversationId)).fetchSockets()).toHaveLength(1);

    const typingAgain = nextTyping(client);
    await shopper.call('typing:set', { conversationId, typing: false });
    expect(await typingAgain).toMatchObject({ conversationId, typing: false });
  });

  it('re-opens on the node it fails over to', async () => {
    appendMessage(store, 'hello');
    const other = await start();
    const client = connectAgent({ url: server.url, urls: [other.url], token: agentToken, socketOptions, ackTimeoutMs: 150 });
    clients.push(client);
    await client.ready();
    await client.open(conversationId);
    const again = nextSession(client);
    await stop(server);
    await again;
    await client.call('conversation:sync', { conversationId, afterSeq: 0 });
    expect(store.opens.map((o) => o.socketId)).toEqual([expect.any(String), client.socket.id]);
    expect(await other.agents.in(conversationRoom(conversationId)).fetchSockets()).toHaveLength(1);
  });

  it('drops a conversation the re-open finds gone, and reports it to onError', async () => {
    appendMessage(store, 'hello');
    const client = agent();
    await client.ready();
    await client.open(conversationId);
    const reported = within(new Promise<unknown>((resolve) => client.onError(resolve)), 'onError');
    behaviour.openNotFound = true;
    server.agents.disconnectSockets();
    expect(await reported).toMatchObject({ name: 'KefuClientError', code: 'not_found' });
    expect(client.openConversations).toEqual([]);
    expect(client.lastSeq(conversationId)).toBeUndefined();
    expect(store.opens).toHaveLength(2);
  });

  it('leave() sends conversation:leave, unwatches, and stops the re-opening', async () => {
    appendMessage(store, 'hello');
    const client = agent();
    await client.ready();
    await client.open(conversationId);
    expect(client.openConversations).toEqual([conversationId]);
    await client.leave(conversationId);
    expect(store.leaves).toEqual([{ conversationId, socketId: client.socket.id }]);
    expect(client.lastSeq(conversationId)).toBeUndefined();
    expect(client.openConversations).toEqual([]);
    expect(await server.agents.in(conversationRoom(conversationId)).fetchSockets()).toHaveLength(0);

    const again = nextSession(client);
    server.agents.disconnectSockets();
    await again;
    await client.call('conversation:sync', { conversationId, afterSeq: 0 });
    expect(store.opens).toHaveLength(1);
  });
});
