import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { MessageSchema, VisitorConversationSchema } from '@kefu/protocol';
import { startTestServer, type TestServer } from './harness.js';

describe('a visitor and an agent talk', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({ store: process.env.KEFU_TEST_STORE === 'postgres' ? 'postgres' : 'sqlite' });
  });
  afterAll(() => server.stop());

  it('routes the first message to the online agent and delivers both ways', async () => {
    const ana = await server.createAgent({ name: 'Ana' });
    const agent = server.agent(ana.token);
    const session = await agent.ready();
    expect(session.agent).toMatchObject({ id: ana.id, status: 'online' });

    const visitor = server.visitor();
    const visitorSession = await visitor.ready();
    expect(visitorSession.inbox).toMatchObject({ name: 'Demo Shop', online: true });

    const created = new Promise((resolve) => agent.on('conversation:created', resolve));
    const sent = await visitor.send({ body: '  Hello, is my order shipped?  ' });
    expect(MessageSchema.parse(sent.message)).toMatchObject({ seq: 1, prevSeq: 0, body: 'Hello, is my order shipped?' });
    expect(VisitorConversationSchema.parse(sent.conversation)).toMatchObject({ status: 'open', assignee: { name: 'Ana' } });
    await created;

    const opened = await agent.open(sent.conversation.id);
    expect(opened.messages.map((m) => m.body)).toContain('Hello, is my order shipped?');
    const arrived = new Promise<{ body: string }>((resolve) => visitor.onMessage((m) => m.body === 'Yes, today.' && resolve(m)));
    await agent.send({ conversationId: sent.conversation.id, body: 'Yes, today.' });
    expect((await arrived).body).toBe('Yes, today.');
  });
});
