import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { AgentClient, VisitorClient } from '@kefu/client';
import {
  AgentConversationSchema,
  AgentProfileSchema,
  MessageSchema,
  QueueSnapshotSchema,
  SyncDataSchema,
  VisitorConversationSchema,
  VisitorSessionSchema,
  type AgentConversation,
  type AgentProfile,
  type Message,
  type Result,
  type VisitorOutput,
  type VisitorSession,
} from '@kefu/protocol';
import { CLUSTER_ADMIN, demoMain, runNode, startCluster, waitFor, type Cluster, type ClusterNode, type Exit } from './cluster-harness.js';

// Run with --runInBand (npm test does): these tests start real processes and share them in order.

const EVENT_MS = 10_000;
const unique = () => randomBytes(4).toString('hex');

type SyncPage = { messages: Message[]; lastSeq: number; hasMore: boolean };

/** Every message of a conversation through conversation:sync, page by page. */
async function syncAll(client: VisitorClient | AgentClient, conversationId: string) {
  // Both namespaces have the same conversation:sync; the cast only merges the two call() overloads.
  const page = (afterSeq: number): Promise<SyncPage> =>
    (client as VisitorClient).call('conversation:sync', { conversationId, afterSeq });
  const messages: Message[] = [];
  let afterSeq = 0;
  let pages = 0;
  for (;;) {
    const data = SyncDataSchema.parse(await page(afterSeq));
    pages += 1;
    messages.push(...data.messages);
    if (!data.hasMore) return { messages, lastSeq: data.lastSeq, pages };
    afterSeq = data.messages.at(-1)!.seq;
  }
}

const range = (from: number, to: number) => Array.from({ length: Math.max(0, to - from + 1) }, (_, i) => from + i);

/** Collects what a client's ordered stream delivers (of one conversation, or all), and waits until it reached a seq. */
function collect(client: VisitorClient | AgentClient, conversationId?: string) {
  const messages: Message[] = [];
  const listeners = new Set<() => void>();
  client.onMessage((m) => {
    if (conversationId !== undefined && m.conversationId !== conversationId) return;
    messages.push(m);
    for (const fn of listeners) fn();
  });
  const reached = (seq: number) => (messages.at(-1)?.seq ?? 0) >= seq;
  return {
    messages,
    until: (seq: number, label: string) =>
      waitFor<void>(label, EVENT_MS, (done) => {
        const check = () => reached(seq) && done();
        listeners.add(check);
        check();
        return () => listeners.delete(check);
      }),
  };
}

function countBy<T>(items: T[], key: (item: T) => string | null): Map<string | null, number> {
  const counts = new Map<string | null, number>();
  for (const item of items) counts.set(key(item), (counts.get(key(item)) ?? 0) + 1);
  return counts;
}

describe('a three-node cluster on one PostgreSQL database and Redis', () => {
  let cluster: Cluster;
  let n1: ClusterNode;
  let n2: ClusterNode;
  let n3: ClusterNode;
  let adminToken: string;

  beforeAll(async () => {
    cluster = await startCluster({ size: 3 });
    [n1, n2, n3] = cluster.nodes as [ClusterNode, ClusterNode, ClusterNode];
    adminToken = (await cluster.login(n1)).token;
  }, 60_000);
  afterAll(async () => {
    await cluster?.stop();
  }, 30_000);

  it('bootstraps exactly one admin and one demo inbox when three nodes start at once on an empty database', async () => {
    // A token issued by node 1 works on nodes 2 and 3: the signing secret was created once, under the lock.
    const agents = await cluster.api<{ agents: AgentProfile[] }>(n2, 'GET', '/api/admin/agents', undefined, adminToken);
    expect(agents.status).toBe(200);
    expect(agents.body.agents).toHaveLength(1);
    expect(AgentProfileSchema.parse(agents.body.agents[0])).toMatchObject({ email: CLUSTER_ADMIN.email, role: 'admin' });

    const inboxes = await cluster.api<{ inboxes: { key: string; name: string }[] }>(n3, 'GET', '/api/admin/inboxes', undefined, adminToken);
    expect(inboxes.status).toBe(200);
    expect(inboxes.body.inboxes.map((i) => [i.key, i.name])).toEqual([['demo', 'Demo Shop']]);
    for (const node of cluster.nodes) expect((await cluster.api(node, 'GET', '/healthz')).body).toEqual({ ok: true });
  });

  it('delivers both ways between a visitor on node 1 and an agent on node 2', async () => {
    const inbox = await cluster.createInbox(`Cross ${unique()}`);
    const ana = await cluster.createAgent({ name: 'Ana', inboxIds: [inbox.id] });
    const agent = cluster.agent(n2, ana.token);
    expect((await agent.ready()).agent).toMatchObject({ id: ana.id, status: 'online' });

    const visitor = cluster.visitor(n1, { inboxKey: inbox.key });
    // "online" comes from the agent node 2 registered: presence is shared, not per node.
    expect((await visitor.ready()).inbox.online).toBe(true);

    const body = `Hello from node 1 (${unique()})`;
    const created = waitFor<AgentConversation>('conversation:created on node 2', EVENT_MS, (done) => agent.on('conversation:created', done));
    const agentGot = waitFor<Message>('the visitor message on node 2', EVENT_MS, (done) => agent.on('message:created', (m) => m.body === body && done(m)));
    const sent = await visitor.send({ body });
    expect(MessageSchema.parse(sent.message)).toMatchObject({ seq: 1, prevSeq: 0, body, author: { type: 'visitor' } });
    expect(VisitorConversationSchema.parse(sent.conversation)).toMatchObject({ status: 'open', assignee: { name: 'Ana' } });
    const conversationId = sent.conversation.id;
    expect(AgentConversationSchema.parse(await created)).toMatchObject({ id: conversationId, inboxId: inbox.id });
    expect(MessageSchema.parse(await agentGot)).toEqual(sent.message);

    await agent.open(conversationId);
    const replyBody = `Hello from node 2 (${unique()})`;
    const visitorGot = waitFor<Message>('the reply on node 1', EVENT_MS, (done) => visitor.onMessage((m) => m.body === replyBody && done(m)));
    const reply = await agent.send({ conversationId, body: replyBody });
    const arrived = MessageSchema.parse(await visitorGot);
    expect(arrived).toMatchObject({ id: reply.message.id, seq: reply.message.seq, author: { type: 'agent', name: 'Ana' } });
    expect(arrived.seq).toBeGreaterThan(sent.message.seq);
  });

  it('numbers 200 concurrent sends from two nodes 1..N with no gap or duplicate', async () => {
    const inbox = await cluster.createInbox(`Seq ${unique()}`);
    const bo = await cluster.createAgent({ name: 'Bo', inboxIds: [inbox.id] });
    const agent = cluster.agent(n3, bo.token);
    await agent.ready();
    const visitor = cluster.visitor(n1, { inboxKey: inbox.key });
    await visitor.ready();
    const first = await visitor.send({ body: 'first' });
    const conversationId = first.conversation.id;
    await agent.open(conversationId);
    const visitorSaw = collect(visitor, conversationId);
    const agentSaw = collect(agent, conversationId);

    // Long attempts: 200 commands queue on one row lock, and a resend would only add load.
    const slow = { ackTimeoutMs: 20_000 };
    const acks = await Promise.all([
      ...range(1, 100).map((i) => visitor.send({ conversationId, body: `v${i}` }, slow)),
      ...range(1, 100).map((i) => agent.send({ conversationId, body: `a${i}` }, slow)),
    ]);
    const ackSeqs = acks.map((a) => MessageSchema.parse(a.message).seq);
    expect(new Set(ackSeqs).size).toBe(200);

    const { messages, lastSeq, pages } = await syncAll(agent, conversationId);
    expect(pages).toBeGreaterThan(1);
    expect(messages.map((m) => m.seq)).toEqual(range(1, lastSeq));
    // Nothing is private here, so every prevSeq is the seq before.
    expect(messages.map((m) => m.prevSeq)).toEqual(range(0, lastSeq - 1));
    const texts = messages.filter((m) => m.kind === 'text');
    expect(texts).toHaveLength(201);
    expect(new Set(texts.map((m) => m.clientMsgId)).size).toBe(201);
    const stored = new Map(messages.map((m) => [m.id, m]));
    for (const { message } of acks) expect(stored.get(message.id)).toEqual(message);

    // And both ends received all of it across nodes, exactly once and in order.
    await visitorSaw.until(lastSeq, 'the visitor to receive every message');
    await agentSaw.until(lastSeq, 'the agent to receive every message');
    const startOf = (saw: { messages: Message[] }) => saw.messages[0]!.seq;
    expect(visitorSaw.messages.map((m) => m.seq)).toEqual(range(startOf(visitorSaw), lastSeq));
    expect(agentSaw.messages.map((m) => m.seq)).toEqual(range(startOf(agentSaw), lastSeq));
  });

  it('never puts an agent above capacity when 30 conversations start at once on three nodes', async () => {
    const inbox = await cluster.createInbox(`Capacity ${unique()}`);
    const team = await Promise.all(range(1, 4).map((i) => cluster.createAgent({ name: `Cap ${i}`, inboxIds: [inbox.id], capacity: 3 })));
    const agents = team.map((a, i) => cluster.agent([n1, n2, n3][i % 3]!, a.token));
    await Promise.all(agents.map((a) => a.ready()));
    const visitors = range(0, 29).map((i) => cluster.visitor([n1, n2, n3][i % 3]!, { inboxKey: inbox.key }));
    await Promise.all(visitors.map((v) => v.ready()));

    const acks = await Promise.all(visitors.map((v, i) => v.send({ body: `visitor ${i} needs help` }, { ackTimeoutMs: 20_000 })));
    const ids = acks.map((a) => a.conversation.id);
    expect(new Set(ids).size).toBe(30);
    expect(countBy(acks, (a) => a.conversation.status)).toEqual(new Map([['open', 12], ['queued', 18]]));

    const admin = cluster.agent(n2, adminToken);
    const snapshot = QueueSnapshotSchema.parse(await admin.call('queue:snapshot', { inboxId: inbox.id }));
    expect(snapshot.agents.map((a) => a.id).sort()).toEqual(team.map((a) => a.id).sort());
    for (const profile of snapshot.agents) expect(profile).toMatchObject({ status: 'online', capacity: 3, load: 3 });
    expect(snapshot.stats.perInbox).toEqual([expect.objectContaining({ inboxId: inbox.id, open: 12, queued: 18 })]);
    expect(snapshot.queued).toHaveLength(18);

    const list = await admin.call('conversation:list', { view: 'all', inboxId: inbox.id, limit: 100 });
    expect(list.conversations.map((c) => c.id).sort()).toEqual([...ids].sort());
    const open = list.conversations.filter((c) => c.status === 'open');
    expect(open).toHaveLength(12);
    const perAgent = countBy(open, (c) => c.assigneeId);
    expect([...perAgent.keys()].sort()).toEqual(team.map((a) => a.id).sort());
    for (const count of perAgent.values()) expect(count).toBeLessThanOrEqual(3);

    // No conversation was assigned twice: one recorded decision and one "joined" line per open one, none per queued one.
    for (const conversation of list.conversations) {
      const res = await cluster.api<{ assignments: { agentId: string | null }[] }>(n1, 'GET', `/api/admin/conversations/${conversation.id}/assignments`, undefined, adminToken);
      const joined = (await syncAll(admin, conversation.id)).messages.filter((m) => m.kind === 'event' && m.body.endsWith('joined the conversation'));
      const expected = conversation.status === 'open' ? 1 : 0;
      expect([conversation.status, res.body.assignments.length, joined.length]).toEqual([conversation.status, expected, expected]);
      if (expected) expect(res.body.assignments[0]!.agentId).toBe(conversation.assigneeId);
    }
  });

  it('runs the demo CLI behind `npm run demo` across two nodes', async () => {
    const run = await runNode(demoMain, ['--visitor-url', n1.url, '--agent-url', n2.url, '--email', CLUSTER_ADMIN.email], { KEFU_ADMIN_PASSWORD: CLUSTER_ADMIN.password });
    expect(run).toMatchObject({ code: 0, signal: null }); // on failure the diff shows its stdout and stderr
    expect(run.stderr).not.toContain('failed');
    // Each step names the node it went through: the message crossed from node 1 to node 2 and back.
    const lines = run.stdout.split('\n');
    const nodeOf = (step: string) => lines.find((l) => l.includes(`] ${step}`))?.match(/^✓ \[(.+?)\]/)?.[1];
    expect(['visitor sent', 'agent received it', 'agent replied', 'visitor received the reply'].map(nodeOf)).toEqual([n1.url, n2.url, n2.url, n1.url]);
  });

  it('makes the demo CLI fail with a clear message and a non-zero exit on a wrong password', async () => {
    const run = await runNode(demoMain, ['--visitor-url', n1.url, '--agent-url', n2.url, '--password', 'not-the-password']);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('login of admin@kefu.local');
    expect(run.stderr).toContain('HTTP 401');
  });

  it('keeps every acked message, exactly once, when the visitor node is SIGKILLed mid-stream', async () => {
    const doomed = await cluster.addNode();
    const inbox = await cluster.createInbox(`Kill ${unique()}`);
    const cy = await cluster.createAgent({ name: 'Cy', inboxIds: [inbox.id] });
    const agent = cluster.agent(n2, cy.token);
    await agent.ready();

    // One client for the whole test: the failover to node 3 is the SDK's (urls), not the test's.
    const visitor = cluster.visitor(doomed, { inboxKey: inbox.key, urls: [n3.url] });
    const visitorSaw = collect(visitor);
    const sdkErrors: unknown[] = [];
    visitor.onError((error) => sdkErrors.push(error));
    // Which node each emission of each clientMsgId went to (the Manager points its options at the
    // node of the current connection).
    const nodeByPort = new Map([doomed, n3].map((node) => [String(node.port), node.name]));
    const emittedTo = new Map<string, string[]>();
    visitor.socket.onAnyOutgoing((event: string, payload: { clientMsgId?: string }) => {
      if (event !== 'message:send' || !payload.clientMsgId) return;
      const node = nodeByPort.get(String(visitor.socket.io.opts.port)) ?? `port ${String(visitor.socket.io.opts.port)}`;
      emittedTo.set(payload.clientMsgId, [...(emittedTo.get(payload.clientMsgId) ?? []), node]);
    });

    const session = VisitorSessionSchema.parse(await visitor.ready());
    // The next session is the one the SDK resumes elsewhere after the kill.
    const resumedSession = waitFor<VisitorSession>('the visitor session after the failover', 30_000, (done) => visitor.on('session', done));
    const run = unique();
    const first = await visitor.send({ body: 'm0', clientMsgId: `${run}-0` });
    const conversationId = first.conversation.id;
    await agent.open(conversationId);
    const agentSaw = collect(agent, conversationId);

    const TOTAL = 60;
    const KILL_AT = 20;
    const acked: Message[] = [first.message];
    const rejected: { clientMsgId: string; error: string }[] = [];
    let ackedBeforeKill: string[] = [];
    let inFlightAtKill = 0;
    let inFlight = 0;
    let killed: Promise<Exit> | null = null;
    // The first send started after the kill goes out on the doomed node's connection, which the
    // client has not seen close yet, and can only be acked after the outbox resends it on node 3.
    let firstAfterKill: string | null = null;
    let next = 1;
    const worker = async () => {
      // A rejected send stops the run, so that failure is reported instead of Jest's timeout.
      while (next < TOTAL && rejected.length === 0) {
        const i = next++;
        const clientMsgId = `${run}-${i}`;
        if (killed && !firstAfterKill) firstAfterKill = clientMsgId;
        inFlight += 1;
        try {
          const { message } = await visitor.send({ conversationId, body: `m${i}`, clientMsgId }, { ackTimeoutMs: 3_000, deadlineMs: 20_000 });
          acked.push(MessageSchema.parse(message));
        } catch (error) {
          rejected.push({ clientMsgId, error: String(error) });
        } finally {
          inFlight -= 1;
        }
        if (acked.length === KILL_AT && !killed) {
          ackedBeforeKill = acked.map((m) => m.clientMsgId!);
          inFlightAtKill = inFlight;
          doomed.kill('SIGKILL');
          killed = doomed.exited;
        }
      }
    };
    await Promise.all([worker(), worker(), worker(), worker()]);
    // Every send resolved, those in flight at the kill included: none was given up on.
    expect(rejected).toEqual([]);
    expect(acked).toHaveLength(TOTAL);
    // Assigned inside the workers: TypeScript's narrowing would take it for null here.
    expect(await (killed as Promise<Exit> | null)).toEqual({ code: null, signal: 'SIGKILL' });
    expect(inFlightAtKill).toBeGreaterThan(0);

    // The same client resumed the same visitor and conversation on node 3, by itself.
    const resumed = VisitorSessionSchema.parse(await resumedSession);
    expect(resumed.visitor.id).toBe(session.visitor.id);
    expect(resumed.conversation?.id).toBe(conversationId);
    expect(visitor.connected).toBe(true);
    expect(nodeByPort.get(String(visitor.socket.io.opts.port))).toBe(n3.name);
    // The outbox resent what the doomed node never acked on node 3, with the same clientMsgId.
    expect(firstAfterKill).not.toBeNull();
    expect(emittedTo.get(firstAfterKill!)?.[0]).toBe(doomed.name);
    expect(emittedTo.get(firstAfterKill!)).toContain(n3.name);
    const nodesUsed = new Set([...emittedTo.values()].flat());
    expect([...nodesUsed].sort()).toEqual([doomed.name, n3.name].sort());

    // conversation:sync on a surviving node: gapless, every send stored once, every ack the stored message.
    const { messages, lastSeq } = await syncAll(visitor, conversationId);
    expect(messages.map((m) => m.seq)).toEqual(range(1, lastSeq));
    const fromVisitor = messages.filter((m) => m.author.type === 'visitor');
    expect(fromVisitor.map((m) => m.clientMsgId).sort()).toEqual(range(0, TOTAL - 1).map((i) => `${run}-${i}`).sort());
    const stored = new Map(messages.map((m) => [m.clientMsgId, m]));
    for (const clientMsgId of ackedBeforeKill) expect(stored.has(clientMsgId)).toBe(true);
    for (const message of acked) expect(stored.get(message.clientMsgId)).toEqual(message);

    // The visitor's own stream, across the failover, delivered each seq once and in order.
    await visitorSaw.until(lastSeq, 'the visitor stream to reach the last seq');
    expect(visitorSaw.messages.map((m) => m.seq)).toEqual(range(1, lastSeq));
    expect(visitorSaw.messages.map((m) => m.id)).toEqual(messages.map((m) => m.id));
    expect(sdkErrors).toEqual([]);

    // The agent on node 2 read the whole stream, before and after the failover, once each.
    await agentSaw.until(lastSeq, 'the agent to read every message');
    const startSeq = agentSaw.messages[0]?.seq ?? lastSeq + 1;
    expect(agentSaw.messages.map((m) => m.seq)).toEqual(range(startSeq, lastSeq));
  });

  it('finishes the commands in flight and exits 0 on SIGTERM while a visitor sends a burst', async () => {
    const draining = await cluster.addNode();
    const inbox = await cluster.createInbox(`Term ${unique()}`);
    const visitor = cluster.visitor(draining, { inboxKey: inbox.key, reconnectAfterServerDisconnect: false });
    await visitor.ready();
    const first = await visitor.send({ body: 'before the burst' });
    const conversationId = first.conversation.id;
    const token = visitor.visitorToken!;

    const run = unique();
    type SendResult = Result<VisitorOutput<'message:send'>> | null;
    const results: { clientMsgId: string; result: SendResult }[] = [];
    let sent = 0;
    let terminated = false;
    // Eight senders keep the node busy, before and after the signal, until it closes the connection.
    const sender = async () => {
      while (visitor.connected && sent < 1_000) {
        const payload = { conversationId, clientMsgId: `${run}-${++sent}`, body: `burst ${sent}` };
        let result: SendResult;
        try {
          result = (await visitor.socket.timeout(15_000).emitWithAck('message:send', payload)) as SendResult;
        } catch {
          result = null; // the connection closed before an ack
        }
        results.push({ clientMsgId: payload.clientMsgId, result });
        if (!terminated && results.length >= 10) {
          terminated = true;
          draining.kill('SIGTERM');
        }
      }
    };
    await Promise.all(range(1, 8).map(sender));
    expect(await draining.exited).toEqual({ code: 0, signal: null });

    const acked = results.flatMap((r) => (r.result?.ok ? [r.result.data.message] : []));
    const refused = results.flatMap((r) => (r.result && !r.result.ok ? [{ clientMsgId: r.clientMsgId, code: r.result.error.code }] : []));
    expect(acked.length).toBeGreaterThanOrEqual(10);
    // A draining node refuses new work with `unavailable` (the client retries elsewhere), nothing else;
    // the senders kept going after the signal, so some of their commands met the draining node.
    expect(refused.length).toBeGreaterThan(0);
    for (const { code } of refused) expect(code).toBe('unavailable');

    const check = cluster.visitor(n1, { inboxKey: inbox.key, visitorToken: token });
    await check.ready();
    const { messages, lastSeq } = await syncAll(check, conversationId);
    expect(messages.map((m) => m.seq)).toEqual(range(1, lastSeq));
    const stored = new Map(messages.map((m) => [m.clientMsgId, m]));
    expect(stored.size).toBe(messages.length);
    for (const message of acked) expect(stored.get(message.clientMsgId)).toEqual(MessageSchema.parse(message));
    for (const { clientMsgId } of refused) expect(stored.has(clientMsgId)).toBe(false);
  });

  it('logged no error on any node, killed ones included', () => {
    const errors = cluster.nodes.flatMap((node) => node.errorLines().map((line) => `${node.name}: ${line}`));
    expect(errors).toEqual([]);
  });
});

describe('agent presence when a node dies (offline grace 1 s)', () => {
  let cluster: Cluster;

  beforeAll(async () => {
    cluster = await startCluster({ size: 2, env: { KEFU_AGENT_OFFLINE_GRACE_MS: '1000' } });
  }, 60_000);
  afterAll(async () => {
    await cluster?.stop();
  }, 30_000);

  it('takes an agent whose only node was SIGKILLed offline after the grace period and requeues their conversations', async () => {
    const [doomed, survivor] = cluster.nodes as [ClusterNode, ClusterNode];
    const inbox = await cluster.createInbox(`Presence ${unique()}`);
    const dee = await cluster.createAgent({ name: 'Dee', inboxIds: [inbox.id] });
    const agent = cluster.agent(doomed, dee.token);
    await agent.ready();
    const admin = cluster.agent(survivor, (await cluster.login(survivor)).token);
    await admin.ready();

    const visitor = cluster.visitor(survivor, { inboxKey: inbox.key });
    await visitor.ready();
    const sent = await visitor.send({ body: 'are you there?' });
    expect(sent.conversation).toMatchObject({ status: 'open', assignee: { name: 'Dee' } });
    const conversationId = sent.conversation.id;

    // Observed on the surviving node: the agent goes offline, the conversation back to the queue.
    const wentOffline = waitFor<AgentProfile>('agent:updated offline', EVENT_MS, (done) =>
      admin.on('agent:updated', (p) => p.id === dee.id && p.status === 'offline' && done(p)),
    );
    const requeued = waitFor<AgentConversation>('conversation:updated queued', EVENT_MS, (done) =>
      admin.on('conversation:updated', (c) => c.id === conversationId && c.status === 'queued' && done(c)),
    );
    const visitorSawQueue = waitFor<{ status: string }>('the visitor to see the queue', EVENT_MS, (done) =>
      visitor.on('conversation:updated', (c) => c.id === conversationId && c.status === 'queued' && done(c)),
    );
    const killedAt = Date.now();
    doomed.kill('SIGKILL');
    expect(await doomed.exited).toEqual({ code: null, signal: 'SIGKILL' });

    expect(AgentProfileSchema.parse(await wentOffline)).toMatchObject({ id: dee.id, status: 'offline', load: 0 });
    // Not before the grace period (minus at most one heartbeat interval, grace / 3) ran out.
    expect(Date.now() - killedAt).toBeGreaterThanOrEqual(500);
    expect(AgentConversationSchema.parse(await requeued)).toMatchObject({ assigneeId: null, status: 'queued' });
    expect(VisitorConversationSchema.parse(await visitorSawQueue)).toMatchObject({ status: 'queued', assignee: null });

    const snapshot = QueueSnapshotSchema.parse(await admin.call('queue:snapshot', { inboxId: inbox.id }));
    expect(snapshot.queued.map((q) => q.conversationId)).toEqual([conversationId]);
    expect(snapshot.agents).toEqual([expect.objectContaining({ id: dee.id, status: 'offline', load: 0 })]);
    const { messages } = await syncAll(visitor, conversationId);
    expect(messages.at(-1)).toMatchObject({ kind: 'event', body: expect.stringContaining('Dee went offline') });

    // Back in the queue means routable again: an agent coming online on the survivor gets it.
    const eve = await cluster.createAgent({ name: 'Eve', inboxIds: [inbox.id] });
    const rerouted = waitFor<AgentConversation>('the requeued conversation to reach Eve', EVENT_MS, (done) =>
      admin.on('conversation:updated', (c) => c.id === conversationId && c.assigneeId === eve.id && done(c)),
    );
    await cluster.agent(survivor, eve.token).ready();
    expect(await rerouted).toMatchObject({ status: 'open', assigneeId: eve.id });
  });

  it('logged no error on any node', () => {
    const errors = cluster.nodes.flatMap((node) => node.errorLines().map((line) => `${node.name}: ${line}`));
    expect(errors).toEqual([]);
  });
});
