import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { AgentClient } from '@kefu/client';
import { ConversationViewersSchema, WhisperReceivedSchema, type Message, type WhisperReceived } from '@kefu/protocol';
import { startCluster, waitFor, type Cluster, type ClusterNode } from './cluster-harness.js';

// Run with --runInBand (npm test does): these tests start real processes.

const EVENT_MS = 15_000;
const unique = () => randomBytes(4).toString('hex');

/** Resolves when `client` is told that exactly these names (in order) view the conversation. */
function seesViewers(client: AgentClient, conversationId: string, expected: string[]): Promise<void> {
  return waitFor<void>(`viewers ${expected.join(', ')}`, EVENT_MS, (done) =>
    client.on('conversation:viewers', (event) => {
      const names = ConversationViewersSchema.parse(event).viewers.map((v) => `${v.name}${v.typing ? ' (typing)' : ''}`);
      if (event.conversationId === conversationId && JSON.stringify(names) === JSON.stringify(expected)) done();
    }),
  );
}

describe('collision guard and supervision across two nodes (Redis adapter, PostgreSQL)', () => {
  let cluster: Cluster;
  let n1: ClusterNode;
  let n2: ClusterNode;

  beforeAll(async () => {
    cluster = await startCluster({ size: 2 });
    [n1, n2] = cluster.nodes as [ClusterNode, ClusterNode];
  }, 60_000);
  afterAll(async () => {
    await cluster?.stop();
  }, 30_000);

  it('viewers and typing cross nodes, a whisper reaches the assignee on the other node and never the shopper, and a killed node leaves no ghost viewer', async () => {
    const inbox = await cluster.createInbox(`Collision ${unique()}`);
    const ana = await cluster.createAgent({ name: 'Ana', inboxIds: [inbox.id] });
    const bo = await cluster.createAgent({ name: 'Bo', inboxIds: [inbox.id] });
    const anaClient = cluster.agent(n1, ana.token);
    await anaClient.ready();
    // The shopper is on node 2 with Bo and the admin; only Ana is online, so auto routing gives it to her.
    const shopper = cluster.visitor(n2, { inboxKey: inbox.key });
    const shopperEvents: string[] = [];
    shopper.socket.onAny((event: string, payload: unknown) => shopperEvents.push(`${event} ${JSON.stringify(payload)}`));
    const sent = await shopper.send({ body: 'where is my parcel?' });
    const conversationId = sent.conversation.id;
    expect(sent.conversation.assignee?.name).toBe('Ana');

    const boClient = cluster.agent(n2, bo.token);
    const adminClient = cluster.agent(n2, (await cluster.login(n2)).token);
    await Promise.all([boClient.ready(), adminClient.ready()]);

    const anaSeesAll = seesViewers(anaClient, conversationId, ['Admin', 'Ana', 'Bo']);
    await anaClient.open(conversationId);
    await boClient.open(conversationId);
    await adminClient.open(conversationId);
    await anaSeesAll;

    const boTyping = seesViewers(anaClient, conversationId, ['Admin', 'Ana', 'Bo (typing)']);
    await boClient.call('typing:set', { conversationId, typing: true });
    await boTyping;

    const boHasNote = waitFor<Message>('the whisper as a note for Bo', EVENT_MS, (done) => boClient.onMessage((m) => m.kind === 'note' && done(m)));
    const popped = waitFor<WhisperReceived>('whisper:received on node 1', EVENT_MS, (done) => anaClient.on('whisper:received', done));
    const { message } = await adminClient.whisper({ conversationId, body: `take it slow ${unique()}` });
    const received = WhisperReceivedSchema.parse(await popped);
    expect(received.message).toMatchObject({ id: message.id, kind: 'note', whisperTo: ana.id });
    expect(received.conversation).toMatchObject({ id: conversationId, assigneeId: ana.id });
    // Bo, viewing on node 2, gets it as a note in the conversation, like any note.
    expect((await boHasNote).id).toBe(message.id);

    // The shopper, on the admin's node: a reply sent after the whisper arrives, the whisper never does.
    const reply = waitFor<Message>('Ana reply at the shopper', EVENT_MS, (done) => shopper.onMessage((m) => m.body === 'On its way!' && done(m)));
    await anaClient.send({ conversationId, body: 'On its way!' });
    await reply;
    const history = await shopper.call('conversation:sync', { conversationId, afterSeq: 0 });
    expect(history.messages.map((m) => m.id)).not.toContain(message.id);
    expect(shopperEvents.filter((e) => e.includes(message.id) || e.includes('take it slow') || e.startsWith('conversation:viewers'))).toEqual([]);

    // Node 2 dies with Bo and the admin on it: node 1 notices the cluster shrank and Ana's list heals.
    const alone = seesViewers(anaClient, conversationId, ['Ana']);
    n2.kill('SIGKILL');
    expect(await n2.exited).toEqual({ code: null, signal: 'SIGKILL' });
    await alone;
  });

  it('logged no error on any node', () => {
    const errors = cluster.nodes.flatMap((node) => node.errorLines().map((line) => `${node.name}: ${line}`));
    expect(errors).toEqual([]);
  });
});
