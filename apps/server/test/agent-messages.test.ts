import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { AgentConversationSchema, ConversationActivitySchema, MessageSchema, agentCommands, type ConversationActivity } from '@kefu/protocol';
import { adminToken, barrier, createInbox, expectFailure, nextEvent, onlineAgent, startConversation, testStore } from './kit.js';
import { startTestServer, type TestServer } from './harness.js';

describe('agent commands: messages, notes, sync, typing, read receipts, canned responses', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({ store: testStore() });
  });
  afterAll(() => server.stop());

  it('a public reply to an unassigned conversation assigns it to the replier, and reaches the visitor', async () => {
    const inbox = await createInbox(server, { routing: 'manual' });
    const ana = await onlineAgent(server, [inbox.id], { name: 'Ana' });
    const bo = await onlineAgent(server, [inbox.id], { name: 'Bo' });
    const shopper = await startConversation(server, inbox, 'Where is my parcel?');
    const conversationId = shopper.conversation.id;
    expect(shopper.conversation).toMatchObject({ status: 'queued', assignee: null });
    // Bo follows the conversation (holds it open), so he gets its messages too.
    await bo.client.open(conversationId);

    const visitorSeesAssignee = nextEvent(shopper.client, 'conversation:updated', (c) => c.id === conversationId && c.assignee?.name === 'Ana');
    const visitorGetsReply = nextEvent(shopper.client, 'message:created', (m) => m.body === 'On its way!');
    const visitorGetsJoinLine = nextEvent(shopper.client, 'message:created', (m) => m.kind === 'event' && m.conversationId === conversationId);
    const boSeesAssignment = nextEvent(bo.client, 'conversation:updated', (c) => c.id === conversationId && c.assigneeId === ana.id);
    const boGetsReply = nextEvent(bo.client, 'message:created', (m) => m.body === 'On its way!');

    const sent = await ana.client.send({ conversationId, body: '  On its way!  ' });
    expect(MessageSchema.parse(sent.message)).toMatchObject({
      conversationId,
      kind: 'text',
      body: 'On its way!',
      author: { type: 'agent', id: ana.id, name: 'Ana' },
      attachments: [],
    });
    expect(sent.message.prevSeq).toBe(sent.message.seq - 1);

    expect(await visitorSeesAssignee).toMatchObject({ status: 'open', assignee: { name: 'Ana' } });
    expect(MessageSchema.parse(await visitorGetsReply)).toMatchObject({ id: sent.message.id, seq: sent.message.seq });
    expect((await visitorGetsJoinLine).author.type).toBe('system');
    expect(AgentConversationSchema.parse(await boSeesAssignment)).toMatchObject({ status: 'open', assigneeId: ana.id });
    expect((await boGetsReply).id).toBe(sent.message.id);

    const mine = await ana.client.call('conversation:list', { view: 'mine' });
    expect(mine.conversations.map((c) => c.id)).toEqual([conversationId]);

    // Bo replying now does not steal it: only unassigned conversations are claimed by a reply.
    await bo.client.send({ conversationId, body: 'Adding tracking link' });
    expect((await ana.client.call('conversation:open', { conversationId })).conversation.assigneeId).toBe(ana.id);
  });

  it('a private note reaches other agents but never the visitor, whose prevSeq skips it', async () => {
    const inbox = await createInbox(server, { routing: 'manual' });
    const ana = await onlineAgent(server, [inbox.id], { name: 'Ana' });
    const bo = await onlineAgent(server, [inbox.id], { name: 'Bo' });
    const shopper = await startConversation(server, inbox, 'Can I change the size?');
    const conversationId = shopper.conversation.id;
    // Bo holds the conversation open: he follows it.
    await bo.client.open(conversationId);

    const boGetsNote = nextEvent(bo.client, 'message:created', (m) => m.kind === 'note');
    const note = await ana.client.send({ conversationId, body: 'Check stock first', private: true });
    expect(MessageSchema.parse(note.message)).toMatchObject({ kind: 'note', body: 'Check stock first', author: { type: 'agent', id: ana.id } });
    expect(MessageSchema.parse(await boGetsNote)).toMatchObject({ id: note.message.id, seq: note.message.seq, prevSeq: note.message.seq - 1 });
    // A note does not claim the conversation.
    expect((await bo.client.call('conversation:open', { conversationId })).conversation.assigneeId).toBeNull();

    // The visitor's next message directly follows the note: for the visitor it follows their first message.
    const boGetsFollowUp = nextEvent(bo.client, 'message:created', (m) => m.body === 'Hello?');
    const followUp = await shopper.client.send({ body: 'Hello?' });
    expect(followUp.message).toMatchObject({ seq: note.message.seq + 1, prevSeq: note.message.seq - 1 });
    expect(await boGetsFollowUp).toMatchObject({ seq: note.message.seq + 1, prevSeq: note.message.seq });

    const visitorGetsReply = nextEvent(shopper.client, 'message:created', (m) => m.body === 'Yes, you can');
    const reply = await ana.client.send({ conversationId, body: 'Yes, you can' });
    const delivered = await visitorGetsReply;
    expect(reply.message.prevSeq).toBe(reply.message.seq - 1);
    await barrier(shopper.client);
    expect(shopper.log.mentioning(note.message.id)).toEqual([]);
    expect(JSON.stringify(shopper.log.events)).not.toContain('Check stock first');

    const visitorSync = await shopper.client.call('conversation:sync', { conversationId, afterSeq: 0 });
    expect(visitorSync.messages.some((m) => m.kind === 'note')).toBe(false);
    expect(visitorSync.lastSeq).toBe(reply.message.seq);
    const visible = visitorSync.messages.map((m) => m.seq);
    expect(delivered.prevSeq).toBe(visible[visible.indexOf(delivered.seq) - 1]);
    for (let i = 1; i < visitorSync.messages.length; i++) expect(visitorSync.messages[i]!.prevSeq).toBe(visitorSync.messages[i - 1]!.seq);
    const visitorHistory = await shopper.client.call('conversation:history', { conversationId });
    expect(visitorHistory.messages.map((m) => m.id)).toEqual(visitorSync.messages.map((m) => m.id));
  });

  it('conversation:sync and conversation:history give agents every message, notes included, with prevSeq = seq - 1', async () => {
    const inbox = await createInbox(server, { routing: 'manual' });
    const ana = await onlineAgent(server, [inbox.id], { name: 'Ana' });
    const shopper = await startConversation(server, inbox, 'one');
    const conversationId = shopper.conversation.id;
    await ana.client.send({ conversationId, body: 'note one', private: true });
    await shopper.client.send({ body: 'two' });
    await ana.client.send({ conversationId, body: 'reply' });
    await ana.client.send({ conversationId, body: 'note two', private: true });

    const sync = agentCommands['conversation:sync'].output.parse(await ana.client.call('conversation:sync', { conversationId, afterSeq: 0 }));
    const seqs = sync.messages.map((m) => m.seq);
    expect(seqs).toEqual(seqs.map((_, i) => i + 1));
    expect(sync.lastSeq).toBe(seqs.length);
    expect(sync.hasMore).toBe(false);
    for (const m of sync.messages) expect(m.prevSeq).toBe(m.seq - 1);
    expect(sync.messages.filter((m) => m.kind !== 'event').map((m) => [m.kind, m.body])).toEqual([
      ['text', 'one'],
      ['note', 'note one'],
      ['text', 'two'],
      ['text', 'reply'],
      ['note', 'note two'],
    ]);

    const after = await ana.client.call('conversation:sync', { conversationId, afterSeq: sync.lastSeq - 2 });
    expect(after.messages.map((m) => m.seq)).toEqual([sync.lastSeq - 1, sync.lastSeq]);

    const latest = agentCommands['conversation:history'].output.parse(await ana.client.call('conversation:history', { conversationId, limit: 2 }));
    expect(latest.messages.map((m) => m.seq)).toEqual([sync.lastSeq - 1, sync.lastSeq]);
    expect(latest.hasMore).toBe(true);
    const earlier = await ana.client.call('conversation:history', { conversationId, beforeSeq: sync.lastSeq - 1, limit: 50 });
    expect(earlier.messages.map((m) => m.seq)).toEqual(seqs.slice(0, -2));
    expect(earlier.hasMore).toBe(false);

    expectFailure(await ana.client.request('conversation:sync', { conversationId, afterSeq: -1 }), 'bad_request');
    expectFailure(await ana.client.request('conversation:sync', { conversationId: 'nope', afterSeq: 0 }), 'not_found');
    expectFailure(await ana.client.request('conversation:history', { conversationId: 'nope' }), 'not_found');
  });

  it('refuses a public reply to a resolved conversation (conflict), empty bodies and bodies over the inbox limit', async () => {
    const inbox = await createInbox(server, { routing: 'manual', maxMessageLength: 20 });
    const ana = await onlineAgent(server, [inbox.id], { name: 'Ana' });
    const shopper = await startConversation(server, inbox);
    const conversationId = shopper.conversation.id;

    expectFailure(await ana.client.request('message:send', { conversationId, clientMsgId: 'c-empty', body: '   ' }), 'bad_request');
    expectFailure(await ana.client.request('message:send', { conversationId, clientMsgId: 'c-long', body: 'x'.repeat(21) }), 'too_large');
    expectFailure(await ana.client.request('message:send', { conversationId: 'nope', clientMsgId: 'c-nope', body: 'hi' }), 'not_found');
    expectFailure(await ana.client.request('message:send', { conversationId, body: 'no clientMsgId' } as never), 'bad_request');

    // The same clientMsgId twice is one message.
    const first = await ana.client.call('message:send', { conversationId, clientMsgId: 'c-same', body: 'once' });
    const again = await ana.client.call('message:send', { conversationId, clientMsgId: 'c-same', body: 'once' });
    expect(again.message.id).toBe(first.message.id);
    const bodies = (await ana.client.call('conversation:sync', { conversationId, afterSeq: 0 })).messages.filter((m) => m.body === 'once');
    expect(bodies).toHaveLength(1);

    await ana.client.call('conversation:set-status', { conversationId, status: 'resolved' });
    expectFailure(await ana.client.request('message:send', { conversationId, clientMsgId: 'c-late', body: 'anything else?' }), 'conflict');
    const sync = await ana.client.call('conversation:sync', { conversationId, afterSeq: 0 });
    expect(sync.messages.some((m) => m.body === 'anything else?')).toBe(false);
  });

  it('typing:set tells the visitor (with the agent name) and agents who have the conversation open', async () => {
    const inbox = await createInbox(server, { routing: 'manual' });
    const ana = await onlineAgent(server, [inbox.id], { name: 'Ana Typing' });
    const bo = await onlineAgent(server, [inbox.id], { name: 'Bo' });
    const shopper = await startConversation(server, inbox);
    const conversationId = shopper.conversation.id;
    await bo.client.open(conversationId);

    const visitorSees = nextEvent(shopper.client, 'typing:changed', (t) => t.conversationId === conversationId);
    const boSees = nextEvent(bo.client, 'typing:changed', (t) => t.conversationId === conversationId);
    expect(await ana.client.call('typing:set', { conversationId, typing: true })).toEqual({});
    expect(await visitorSees).toEqual({ conversationId, typing: true, name: 'Ana Typing' });
    expect(await boSees).toMatchObject({ conversationId, typing: true, name: 'Ana Typing' });

    const stopped = nextEvent(shopper.client, 'typing:changed', (t) => t.typing === false);
    await ana.client.call('typing:set', { conversationId, typing: false });
    expect(await stopped).toMatchObject({ conversationId, name: 'Ana Typing' });

    expectFailure(await ana.client.request('typing:set', { conversationId: 'nope', typing: true }), 'not_found');
    expectFailure(await ana.client.request('typing:set', { conversationId, typing: 'yes' } as never), 'bad_request');
  });

  it('typing:changed carries the visitor draft to agents only when the inbox has live typing preview', async () => {
    for (const livePreview of [true, false]) {
      const inbox = await createInbox(server, { routing: 'manual', livePreview });
      const ana = await onlineAgent(server, [inbox.id]);
      const shopper = await startConversation(server, inbox);
      const conversationId = shopper.conversation.id;
      await ana.client.open(conversationId);
      const seen = nextEvent(ana.client, 'typing:changed', (t) => t.conversationId === conversationId);
      await shopper.client.call('typing:set', { conversationId, typing: true, draft: 'my order numb' });
      const event = await seen;
      expect(event).toMatchObject({ conversationId, typing: true });
      if (livePreview) expect(event.draft).toBe('my order numb');
      else expect(event).not.toHaveProperty('draft');
    }
  });

  it('read:set brings unread to 0 in the list rows (conversation:activity) and tells the visitor with read:changed', async () => {
    const inbox = await createInbox(server, { routing: 'manual' });
    const ana = await onlineAgent(server, [inbox.id], { name: 'Ana' });
    const bo = await onlineAgent(server, [inbox.id], { name: 'Bo' });
    const shopper = await startConversation(server, inbox, 'first');
    const conversationId = shopper.conversation.id;
    const second = await shopper.client.send({ body: 'second' });
    // Both hold it open (an agent reads what they have open), so both follow it.
    await ana.client.open(conversationId);
    await bo.client.open(conversationId);

    const listed = await ana.client.call('conversation:list', { view: 'unassigned' });
    expect(listed.conversations.find((c) => c.id === conversationId)?.unread).toBe(2);

    const readRow = (a: ConversationActivity) => a.conversations.some((c) => c.id === conversationId && c.unread === 0);
    const boSeesRead = nextEvent(bo.client, 'conversation:activity', readRow);
    const anaSeesRead = nextEvent(ana.client, 'conversation:activity', readRow);
    const visitorSeesRead = nextEvent(shopper.client, 'read:changed', (r) => r.conversationId === conversationId);
    const boSeesReceipt = nextEvent(bo.client, 'read:changed', (r) => r.conversationId === conversationId && r.by === 'agent');
    expect(await ana.client.call('read:set', { conversationId, seq: second.message.seq })).toEqual({});
    expect(ConversationActivitySchema.parse(await boSeesRead).inboxId).toBe(inbox.id);
    await anaSeesRead;
    expect(await visitorSeesRead).toMatchObject({ conversationId, seq: second.message.seq });

    // Other agents learn who read what; so do they when the visitor reads.
    expect(await boSeesReceipt).toEqual({ conversationId, seq: second.message.seq, by: 'agent' });
    const anaSeesVisitorRead = nextEvent(ana.client, 'read:changed', (r) => r.conversationId === conversationId && r.by === 'visitor');
    await shopper.client.call('read:set', { conversationId, seq: second.message.seq });
    expect(await anaSeesVisitorRead).toEqual({ conversationId, seq: second.message.seq, by: 'visitor' });

    // A newer visitor message is unread again.
    const unreadAgain = nextEvent(ana.client, 'conversation:activity', (a) => a.conversations.some((c) => c.id === conversationId && c.unread === 1));
    await shopper.client.send({ body: 'third' });
    await unreadAgain;

    expectFailure(await ana.client.request('read:set', { conversationId: 'nope', seq: 1 }), 'not_found');
    expectFailure(await ana.client.request('read:set', { conversationId, seq: -1 }), 'bad_request');
  });

  it('canned:list lists the responses admins create, and forgets deleted ones', async () => {
    const inbox = await createInbox(server, { routing: 'manual' });
    const ana = await onlineAgent(server, [inbox.id]);
    const token = await adminToken(server);
    const created = await server.api<{ response: { id: string } }>('POST', '/api/admin/canned', { shortcut: 'thanks', body: 'Thank you for your patience!' }, token);
    expect(created.status).toBe(201);

    const listed = agentCommands['canned:list'].output.parse(await ana.client.call('canned:list', {}));
    expect(listed.responses).toContainEqual({ id: created.body.response.id, shortcut: 'thanks', body: 'Thank you for your patience!' });

    expect((await server.api('DELETE', `/api/admin/canned/${created.body.response.id}`, undefined, token)).status).toBe(204);
    const after = await ana.client.call('canned:list', {});
    expect(after.responses.some((r) => r.id === created.body.response.id)).toBe(false);
  });
});
