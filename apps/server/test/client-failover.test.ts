import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Message, VisitorSession } from '@kefu/protocol';
import { MessageSchema, VisitorSessionSchema } from '@kefu/protocol';
import { startTestServer, type TestServer } from './harness.js';
import { within } from './kit.js';

// Two nodes on one PostgreSQL database and no Redis: nothing crosses between them but the store, so
// whatever the visitor gets after the move comes from the SDK's failover, resume and sync.
describe('@kefu/client fails over between real kefu nodes', () => {
  let a: TestServer;
  let b: TestServer;
  beforeAll(async () => {
    a = await startTestServer({ store: 'postgres' });
    b = await startTestServer({ sharedStore: a.store });
  });
  afterAll(async () => {
    await b?.stop();
    await a?.stop();
  });

  it('resumes the visitor on the next of `urls` when its node shuts down, and every acked message is synced once', async () => {
    const agentLogin = await a.createAgent({ name: 'Bo' });
    const agent = b.agent(agentLogin.token);
    await agent.ready();

    const visitor = a.visitor({ urls: [b.url], socketOptions: { reconnectionDelay: 50, reconnectionDelayMax: 200 } });
    const delivered: Message[] = [];
    visitor.onMessage((m) => delivered.push(m));
    const first = VisitorSessionSchema.parse(await within(visitor.ready(), 'the visitor session on node A'));
    const acked: Message[] = [];
    for (const body of ['one, on node A', 'two, on node A']) acked.push((await visitor.send({ body })).message);
    const conversationId = acked[0]!.conversationId;
    // Node B has no way to tell node A's visitor: only a sync after the move can bring this one.
    acked.push((await agent.send({ conversationId, body: 'a reply through node B' })).message);

    const resumed = new Promise<VisitorSession>((resolve) => visitor.on('session', resolve));
    await a.close();
    const second = VisitorSessionSchema.parse(await within(resumed, 'the visitor session on node B'));
    // Without the token node A issued, node B would have minted a new visitor. (Each session carries a
    // freshly signed token, so the token strings may differ; the visitor may not.)
    expect(second.visitor.id).toBe(first.visitor.id);
    expect(second.conversation?.id).toBe(conversationId);

    acked.push((await within(visitor.send({ body: 'three, on node B' }), 'a send on node B')).message);
    const last = acked.at(-1)!;
    const reached = new Promise<void>((resolve) => {
      if (delivered.some((m) => m.seq === last.seq)) resolve();
      visitor.onMessage((m) => m.seq === last.seq && resolve());
    });
    await within(reached, `seq ${last.seq} to reach onMessage`);

    const page = await visitor.call('conversation:sync', { conversationId, afterSeq: 0 });
    expect(page.hasMore).toBe(false);
    const synced = page.messages.map((m) => MessageSchema.parse(m));
    const seqs = synced.map((m) => m.seq);
    expect(seqs).toEqual([...new Set(seqs)].sort((x, y) => x - y));
    for (const message of acked) expect(synced.filter((m) => m.id === message.id)).toHaveLength(1);
    expect(synced.filter((m) => m.author.type !== 'system').map((m) => m.body)).toEqual([
      'one, on node A',
      'two, on node A',
      'a reply through node B',
      'three, on node B',
    ]);
    // The SDK's stream, across the move, is that same list: nothing lost, nothing twice.
    expect(delivered.map((m) => m.id)).toEqual(synced.map((m) => m.id));
  });
});
