import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { AgentConversationSchema, MessageSchema, VisitorConversationSchema } from '@kefu/protocol';
import { startTestServer, type TestServer } from './harness.js';
import { nextEvent, testStore, within } from './kit.js';

describe('a visitor and an agent talk', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({ store: testStore() });
  });
  afterAll(() => server.stop());

  it('routes the first message to the online agent and delivers both ways', async () => {
    const ana = await server.createAgent({ name: 'Ana' });
    const agent = server.agent(ana.token);
    const session = await within(agent.ready(), 'agent session');
    expect(session.agent).toMatchObject({ id: ana.id, status: 'online' });

    const visitor = server.visitor();
    const visitorSession = await within(visitor.ready(), 'visitor session');
    expect(visitorSession.inbox).toMatchObject({ name: 'Demo Shop', online: true });

    const created = nextEvent(agent, 'conversation:created');
    const sent = await visitor.send({ body: '  Hello, is my order shipped?  ' });
    expect(MessageSchema.parse(sent.message)).toMatchObject({ seq: 1, prevSeq: 0, body: 'Hello, is my order shipped?' });
    expect(VisitorConversationSchema.parse(sent.conversation)).toMatchObject({ status: 'open', assignee: { name: 'Ana' } });
    const announced = await created;
    expect(AgentConversationSchema.parse(announced)).toMatchObject({ id: sent.conversation.id, status: 'open', assigneeId: ana.id, lastMessage: { body: 'Hello, is my order shipped?', authorType: 'visitor' } });

    const opened = await agent.open(sent.conversation.id);
    expect(opened.messages.map((m) => ({ seq: m.seq, kind: m.kind }))).toEqual([
      { seq: 1, kind: 'text' },
      { seq: 2, kind: 'event' },
    ]);
    const arrived = within(new Promise<unknown>((resolve) => visitor.onMessage((m) => m.kind === 'text' && m.seq > 1 && resolve(m))), 'the reply at the visitor');
    const reply = await agent.send({ conversationId: sent.conversation.id, body: 'Yes, today.' });
    expect(reply.message).toMatchObject({ seq: 3, prevSeq: 2, body: 'Yes, today.', author: { type: 'agent', id: ana.id, name: 'Ana' } });
    expect(MessageSchema.parse(await arrived)).toEqual(reply.message);
  });
});
