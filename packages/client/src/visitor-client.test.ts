import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { deferred } from './deferred.js';
import { KefuClientError } from './errors.js';
import { MessageLog, within } from './test-helpers.js';
import {
  appendMessage,
  conversationId,
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
const clients: VisitorClient[] = [];

beforeEach(async () => {
  store = createFakeStore();
  behaviour = {};
  server = await startFakeServer(store, behaviour);
  servers.push(server);
});

afterEach(async () => {
  for (const client of clients.splice(0)) client.close();
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

function visitor(options: Partial<VisitorClientOptions> = {}): VisitorClient {
  const client = connectVisitor({
    url: server.url,
    inboxKey: 'demo',
    // Fast reconnection keeps the restart tests quick; the protocol behaviour is the same.
    socketOptions: { reconnectionDelay: 20, reconnectionDelayMax: 50 },
    ackTimeoutMs: 150,
    ...options,
  });
  clients.push(client);
  return client;
}

describe('ready()', () => {
  it('resolves with the session and watches the current conversation from its lastSeq', async () => {
    appendMessage(store, 'hello');
    const client = visitor();
    const session = await client.ready();
    expect(session.visitorToken).toBe('token-v1');
    expect(client.conversation?.id).toBe(conversationId);
    expect(client.lastSeq(conversationId)).toBe(1);
  });

  it('rejects with a KefuClientError carrying the handshake error code', async () => {
    const client = visitor({ inboxKey: 'nope' });
    const error = await client.ready().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(KefuClientError);
    expect(error).toMatchObject({ code: 'unauthorized', message: 'unauthorized' });
  });
});

describe('send()', () => {
  it('resends with the same clientMsgId after a lost ack, and one message is stored and delivered', async () => {
    behaviour.onStored = dropFirstAcks(1);
    const client = visitor();
    const log = new MessageLog(client);
    await client.ready();
    const data = await client.send({ body: 'where is my order?' });
    expect(store.messages).toHaveLength(1);
    expect(store.sends).toHaveLength(2);
    expect(store.sends.map((s) => s.clientMsgId)).toEqual([data.message.clientMsgId, data.message.clientMsgId]);
    // The broadcast of the first attempt and the retry's ack carry the same message: delivered once.
    expect(log.seqs).toEqual([1]);
    expect(client.conversation?.id).toBe(conversationId);
  });

  it('survives io.disconnectSockets() before the ack, resuming the same visitor', async () => {
    behaviour.onStored = dropFirstAcks(1, () => server.visitors.disconnectSockets());
    const client = visitor();
    const first = await client.ready();
    const data = await within(client.send({ body: 'hi' }), 'send');
    expect(store.messages).toHaveLength(1);
    expect(store.sends.map((s) => s.clientMsgId)).toEqual([data.message.clientMsgId, data.message.clientMsgId]);
    expect(store.handshakes.at(-1)).toMatchObject({ visitorToken: first.visitorToken });
    expect(client.session?.visitor.id).toBe(first.visitor.id);
  });

  it('survives the server dying after commit and a new one starting on the same port', async () => {
    const stored = deferred<void>();
    behaviour.onStored = dropFirstAcks(1, () => stored.resolve());
    const client = visitor();
    await client.ready();
    const sending = client.send({ body: 'hi' });
    await within(stored.promise, 'the message to be stored');
    await server.close();
    servers.splice(servers.indexOf(server), 1);
    servers.push(await startFakeServer(store, {}, server.port));
    const data = await within(sending, 'send after restart');
    expect(store.messages).toHaveLength(1);
    expect(data.message.id).toBe(store.messages[0]?.id);
    expect(store.sends.map((s) => s.clientMsgId)).toEqual([data.message.clientMsgId, data.message.clientMsgId]);
  });

  it('rejects with the code of an ok:false ack, without retrying', async () => {
    const client = visitor();
    await client.ready();
    await expect(client.send({ body: '   ' })).rejects.toMatchObject({ code: 'bad_request' });
    expect(store.sends).toHaveLength(1);
  });

  it('rejects with unavailable once its deadline passes without an ack', async () => {
    behaviour.ackSends = false;
    const client = visitor({ ackTimeoutMs: 50 });
    await client.ready();
    await expect(client.send({ body: 'hi' }, { deadlineMs: 200 })).rejects.toMatchObject({ code: 'unavailable' });
    expect(store.messages).toHaveLength(1);
    expect(store.sends.length).toBeGreaterThan(1);
    expect(new Set(store.sends.map((s) => s.clientMsgId)).size).toBe(1);
  });
});

describe('message stream', () => {
  it('fills a gap with conversation:sync and delivers the missing message then the new one, once', async () => {
    appendMessage(store, 'one');
    const client = visitor();
    const log = new MessageLog(client);
    await client.ready();
    appendMessage(store, 'two'); // committed, but its broadcast never reached this client
    server.visitors.emit('message:created', appendMessage(store, 'three'));
    await log.waitForSeq(3);
    expect(log.seqs).toEqual([2, 3]);
    expect(store.syncs).toEqual([{ conversationId, afterSeq: 1 }]);
  });

  it('pages through conversation:sync while hasMore', async () => {
    store.syncPageSize = 2;
    appendMessage(store, 'one');
    const client = visitor();
    const log = new MessageLog(client);
    await client.ready();
    for (const body of ['two', 'three', 'four']) appendMessage(store, body);
    server.visitors.emit('message:created', appendMessage(store, 'five'));
    await log.waitForSeq(5);
    expect(log.seqs).toEqual([2, 3, 4, 5]);
    expect(store.syncs.map((s) => s.afterSeq)).toEqual([1, 3]);
  });

  it('drops duplicates and messages older than the last one delivered', async () => {
    const old = appendMessage(store, 'one');
    const client = visitor();
    const log = new MessageLog(client);
    await client.ready();
    const second = appendMessage(store, 'two');
    server.visitors.emit('message:created', second);
    server.visitors.emit('message:created', second);
    server.visitors.emit('message:created', old);
    // Events arrive in order, so once seq 3 is in, any duplicate delivery would already show.
    server.visitors.emit('message:created', appendMessage(store, 'three'));
    await log.waitForSeq(3);
    expect(log.seqs).toEqual([2, 3]);
    expect(store.syncs).toEqual([]);
  });

  it('syncs the watched conversation after a reconnect', async () => {
    appendMessage(store, 'one');
    const client = visitor();
    const log = new MessageLog(client);
    await client.ready();
    server.visitors.disconnectSockets();
    appendMessage(store, 'sent while the visitor was away');
    await log.waitForSeq(2);
    expect(log.seqs).toEqual([2]);
    expect(store.syncs).toEqual([{ conversationId, afterSeq: 1 }]);
  });
});

describe('request() and call()', () => {
  it('retries a lost ack and returns the result', async () => {
    appendMessage(store, 'one');
    behaviour.dropSyncAcks = 1;
    const client = visitor();
    await client.ready();
    const result = await client.request('conversation:sync', { conversationId, afterSeq: 0 }, { timeoutMs: 100, retries: 1 });
    expect(result).toMatchObject({ ok: true, data: { lastSeq: 1, hasMore: false } });
    expect(store.syncs).toHaveLength(2);
  });

  it('returns an ok:false result without retrying, and call() throws it', async () => {
    const client = visitor();
    await client.ready();
    const result = await client.request('conversation:sync', { conversationId: 'other', afterSeq: 0 }, { retries: 3 });
    expect(result).toMatchObject({ ok: false, error: { code: 'not_found' } });
    expect(store.syncs).toHaveLength(1);
    await expect(client.call('conversation:sync', { conversationId: 'other', afterSeq: 0 })).rejects.toMatchObject({
      code: 'not_found',
    });
  });

  it('returns unavailable when no attempt is acked', async () => {
    behaviour.dropSyncAcks = 2;
    const client = visitor();
    await client.ready();
    const result = await client.request('conversation:sync', { conversationId, afterSeq: 0 }, { timeoutMs: 50, retries: 1 });
    expect(result).toMatchObject({ ok: false, error: { code: 'unavailable' } });
    expect(store.syncs).toHaveLength(2);
  });
});
