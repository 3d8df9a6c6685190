import { randomBytes } from 'node:crypto';
import { beforeAll, describe, expect, it } from '@jest/globals';
import type { AgentClient, VisitorClient } from '@kefu/client';
import type { Message } from '@kefu/protocol';
import type { Socket } from 'socket.io-client';
import { terminateConnections } from '@kefu/store/testing';
import { waitFor, type Cluster, type ClusterNode, type LogLine } from './cluster-harness.js';
import { fetchAll, useFaultCluster } from './fault-kit.js';
import { within } from './kit.js';

// Run in band (npm test does). Each suite has its own redis-server and database: pausing or killing
// them disturbs nobody else. The nodes run the build: `npx turbo run build` first.

const EVENT_MS = 10_000;
const unique = () => randomBytes(4).toString('hex');

/** What a client's ordered stream delivered for one conversation, and a wait for a seq. */
function stream(client: VisitorClient | AgentClient, conversationId: string) {
  const seen: Message[] = [];
  const listeners = new Set<() => void>();
  client.onMessage((m) => {
    if (m.conversationId !== conversationId) return;
    seen.push(m);
    for (const listener of listeners) listener();
  });
  return {
    seen,
    reach: (seq: number, label: string, ms = EVENT_MS) =>
      waitFor<void>(label, ms, (done) => {
        const check = () => seen.some((m) => m.seq >= seq) && done();
        listeners.add(check);
        check();
        return () => listeners.delete(check);
      }),
  };
}

const ackWithin = <T>(promise: Promise<T>, label: string) => within(promise, label, EVENT_MS);

/** The code of a new client's first refused handshake. */
async function refusalOf(client: VisitorClient | AgentClient): Promise<string> {
  const socket = client.socket as Socket;
  const code = await within(new Promise<string>((resolve) => socket.once('connect_error', (e) => resolve(e.message))), 'connect_error', EVENT_MS);
  client.close();
  return code;
}

/** seqs 1..n, each once, in order. */
const gapless = (messages: Message[]) => messages.map((m) => m.seq).every((seq, i) => seq === i + 1);

type Desk = { inbox: { id: string; key: string }; agent: AgentClient; agentId: string; token: string };

async function deskOn(cluster: Cluster, node: ClusterNode): Promise<Desk> {
  const inbox = await cluster.createInbox(`Faults ${unique()}`);
  const created = await cluster.createAgent({ name: 'Fay', inboxIds: [inbox.id], capacity: 50 });
  const agent = cluster.agent(node, created.token);
  await agent.ready();
  return { inbox, agent, agentId: created.id, token: created.token };
}

/** A shopper on `node` starts a conversation (its first message `body`) that the desk's agent opens and follows. */
async function followedConversation(cluster: Cluster, node: ClusterNode, desk: Desk, body: string) {
  const visitor = cluster.visitor(node, { inboxKey: desk.inbox.key });
  await visitor.ready();
  const first = await visitor.send({ body });
  const conversationId = first.conversation.id;
  const opened = await desk.agent.open(conversationId);
  return { visitor, first, conversationId, opened, atAgent: stream(desk.agent, conversationId) };
}

describe('faults: Redis paused and restarted under a two-node cluster', () => {
  const fault = useFaultCluster(2);
  let redis: ReturnType<typeof fault.redis>;
  let cluster: Cluster;
  let n1: ClusterNode;
  let n2: ClusterNode;
  let desk: Desk;
  beforeAll(async () => {
    [redis, cluster] = [fault.redis(), fault.cluster()];
    [n1, n2] = cluster.nodes as [ClusterNode, ClusterNode];
    desk = await deskOn(cluster, n2);
  });

  it('keeps acking stored messages while Redis is paused; the agent catches up by prevSeq and sync; no node exits', async () => {
    const { visitor, conversationId, opened, atAgent } = await followedConversation(cluster, n1, desk, 'before the pause');
    const openedAt = opened.messages.at(-1)!.seq;

    redis.pause();
    const acked: Message[] = [];
    try {
      for (let i = 1; i <= 3; i++) acked.push((await ackWithin(visitor.send({ body: `paused ${i}` }), 'an ack while Redis is paused')).message);
    } finally {
      redis.resume();
    }
    // Once Redis is back, the next message crosses nodes; its prevSeq reveals the gap, and the agent syncs it.
    const after = await visitor.send({ body: 'after the pause' });
    await atAgent.reach(after.message.seq, 'the message after the pause at the agent (within 5 s)', 5_000);
    const stored = await fetchAll(desk.agent, conversationId);
    expect(gapless(stored)).toBe(true);
    for (const message of [...acked, after.message]) expect(stored.filter((m) => m.id === message.id)).toHaveLength(1);
    // The agent's view equals a fresh fetch: nothing missing, nothing doubled, nothing unstored.
    const view = [...new Map(atAgent.seen.map((m) => [m.id, m])).values()].sort((a, b) => a.seq - b.seq);
    expect(view.filter((m) => m.seq > openedAt).map((m) => m.id)).toEqual(stored.filter((m) => m.seq > openedAt).map((m) => m.id));
    expect([n1.alive(), n2.alive()]).toEqual([true, true]);
  });

  it('does not take agents offline for a short pause', async () => {
    redis.pause();
    await new Promise((resolve) => setTimeout(resolve, 1_500)); // the pause itself is the fault under test
    redis.resume();
    const profile = await desk.agent.call('agent:set-status', { status: 'online' });
    expect(profile.agent.status).toBe('online');
    const token = (await cluster.login(n1)).token;
    const agents = await cluster.api<{ agents: { id: string; status: string }[] }>(n1, 'GET', '/api/admin/agents', undefined, token);
    expect(agents.body.agents.find((a) => a.id === desk.agentId)?.status).toBe('online');
  });

  it('crosses nodes again within 5 s after Redis restarts (empty)', async () => {
    const { visitor, conversationId, atAgent } = await followedConversation(cluster, n1, desk, 'before the restart');

    await redis.restart();
    // What is published before a node has reconnected is lost for live delivery (the store has it):
    // the visitor keeps talking, and one of its messages must reach the other node within 5 s.
    const sent: Message[] = [];
    let talking = true;
    const talk = (async () => {
      for (let i = 1; talking; i++) {
        sent.push((await ackWithin(visitor.send({ body: `after the restart ${i}` }), 'an ack after the restart')).message);
        await new Promise((resolve) => setTimeout(resolve, 200)); // the pace of a person typing
      }
    })();
    try {
      await waitFor('a message to cross nodes within 5 s of the restart', 5_000, (done) => {
        const timer = setInterval(() => atAgent.seen.some((m) => sent.some((s) => s.id === m.id)) && done(undefined), 20);
        return () => clearInterval(timer);
      });
    } finally {
      talking = false;
      await talk;
    }
    // The first message that crossed carried a prevSeq beyond what the agent had: the gap was synced.
    await atAgent.reach(sent.at(-1)!.seq, 'every message after the restart at the agent');
    const stored = await fetchAll(desk.agent, conversationId);
    const storedIds = stored.map((m) => m.id);
    for (const message of sent) expect(storedIds.filter((id) => id === message.id)).toHaveLength(1);
    expect(gapless(await fetchAll(desk.agent, conversationId))).toBe(true);
    expect([n1.alive(), n2.alive()]).toEqual([true, true]);
  });
});

describe('faults: PostgreSQL connections killed under a two-node cluster', () => {
  const fault = useFaultCluster(2);
  let cluster: Cluster;
  let n1: ClusterNode;
  let n2: ClusterNode;
  let desk: Desk;
  beforeAll(async () => {
    cluster = fault.cluster();
    [n1, n2] = cluster.nodes as [ClusterNode, ClusterNode];
    desk = await deskOn(cluster, n2);
  });

  it('sends fail unavailable at worst, retries succeed, nothing unstored is broadcast, no node exits', async () => {
    const { visitor, first, conversationId, atAgent } = await followedConversation(cluster, n1, desk, 'before');

    expect(await terminateConnections(cluster.databaseUrl)).toBeGreaterThan(0);
    const outcomes: string[] = [];
    const acked: Message[] = [first.message];
    for (let i = 1; i <= 5; i++) {
      const clientMsgId = `after-kill-${i}`;
      // A raw send, with no SDK retry, shows what the server answers right after the kill.
      const result = (await visitor.socket.timeout(EVENT_MS).emitWithAck('message:send', { conversationId, clientMsgId, body: `after ${i}` })) as { ok: boolean; data?: { message: Message }; error?: { code: string } };
      outcomes.push(result.ok ? 'ok' : result.error!.code);
      if (result.ok) acked.push(result.data!.message);
      else acked.push((await visitor.send({ conversationId, clientMsgId, body: `after ${i}` })).message); // the retry succeeds
    }
    expect(outcomes.filter((o) => o !== 'ok' && o !== 'unavailable')).toEqual([]);
    const last = acked.at(-1)!;
    await atAgent.reach(last.seq, 'the last message at the agent');
    const stored = await fetchAll(desk.agent, conversationId);
    expect(gapless(stored)).toBe(true);
    for (const message of acked) expect(stored.filter((m) => m.id === message.id)).toHaveLength(1);
    const storedIds = new Set(stored.map((m) => m.id));
    expect(atAgent.seen.filter((m) => !storedIds.has(m.id))).toEqual([]);
    expect([n1.alive(), n2.alive()]).toEqual([true, true]);
  });
});

describe('faults: PostgreSQL restarted under a two-node cluster', () => {
  const fault = useFaultCluster(2, { privatePostgres: true });

  it('answers unavailable while it is down, broadcasts nothing unstored, and the retries succeed once it is back', async () => {
    const cluster = fault.cluster();
    const [n1, n2] = cluster.nodes as [ClusterNode, ClusterNode];
    const desk = await deskOn(cluster, n2);
    const { visitor, first, conversationId, atAgent } = await followedConversation(cluster, n1, desk, 'before the restart');

    await fault.postgres().stop();
    const whileDown: string[] = [];
    for (let i = 1; i <= 3; i++) {
      const result = (await visitor.socket.timeout(EVENT_MS).emitWithAck('message:send', { conversationId, clientMsgId: `down-${i}`, body: `while down ${i}` })) as { ok: boolean; error?: { code: string } };
      whileDown.push(result.ok ? 'ok' : result.error!.code);
    }
    expect(whileDown).toEqual(['unavailable', 'unavailable', 'unavailable']);
    // A new tab's and a new dashboard's handshakes read the database: refused `unavailable` (which the
    // clients retry), and logged as a warning, like the commands, not as an internal error.
    const refusals = await Promise.all([refusalOf(cluster.visitor(n1, { inboxKey: desk.inbox.key })), refusalOf(cluster.agent(n2, desk.token))]);
    expect(refusals).toEqual(['unavailable', 'unavailable']);
    const warned = (namespace: string) => (line: LogLine) => line.command === 'handshake' && line.namespace === namespace;
    const warnings = await Promise.all([n1.logged('the visitor handshake logged', warned('visitor')), n2.logged('the agent handshake logged', warned('agent'))]);
    expect(warnings.map((line) => line.level)).toEqual([40, 40]);
    // An HTTP request that reads the database: 503 `unavailable`, and a warning too.
    const login = await cluster.api<{ error: { code: string } }>(n1, 'POST', '/api/auth/login', { email: 'nobody@kefu.test', password: 'not-the-password' });
    expect([login.status, login.body.error.code]).toEqual([503, 'unavailable']);
    expect((await n1.logged('the request logged', (line) => line.msg === 'request failed: the database connection was lost')).level).toBe(40);
    expect([n1.alive(), n2.alive()]).toEqual([true, true]);

    await fault.postgres().start();
    const acked = [first.message];
    // The same clientMsgIds again: what the server refused was never stored, so each is stored once now.
    for (let i = 1; i <= 3; i++) acked.push((await ackWithin(visitor.send({ conversationId, clientMsgId: `down-${i}`, body: `while down ${i}` }), `retry ${i}`)).message);
    const reply = await ackWithin(desk.agent.send({ conversationId, clientMsgId: 'agent-after', body: 'back again' }), 'the agent reply');
    acked.push(reply.message);

    await atAgent.reach(reply.message.seq, 'the messages after the restart at the agent');
    const stored = await fetchAll(desk.agent, conversationId);
    expect(gapless(stored)).toBe(true);
    // What was acked, in order, each once; the rest is the server's own (the assignment's event line).
    expect(stored.filter((m) => m.kind !== 'event').map((m) => m.id)).toEqual(acked.map((m) => m.id));
    const storedIds = new Set(stored.map((m) => m.id));
    expect(atAgent.seen.filter((m) => !storedIds.has(m.id))).toEqual([]);
    expect([n1.alive(), n2.alive()]).toEqual([true, true]);
  });
});

describe('faults: one shopper on two nodes at once', () => {
  const fault = useFaultCluster(2);

  it('starts one conversation, not two, when both tabs send their first message at once', async () => {
    const cluster = fault.cluster();
    const [n1, n2] = cluster.nodes as [ClusterNode, ClusterNode];
    const inbox = await cluster.createInbox(`Two tabs ${unique()}`);
    for (let round = 0; round < 5; round++) {
      const tab1 = cluster.visitor(n1, { inboxKey: inbox.key });
      await tab1.ready();
      const tab2 = cluster.visitor(n2, { inboxKey: inbox.key, visitorToken: tab1.visitorToken! });
      await tab2.ready();
      const [a, b] = await Promise.all([tab1.send({ body: 'tab one' }), tab2.send({ body: 'tab two' })]);
      expect(a.conversation.id).toBe(b.conversation.id);
      expect([a.message.seq, b.message.seq].sort()).toEqual([1, 2]);
    }
  });
});
