import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { newClientMsgId } from '@kefu/client';
import { AttachmentSchema, MessageSchema, VisitorConversationSchema, limits, visitorCommands, type Message } from '@kefu/protocol';
import { openDatabase } from '@kefu/store';
import { startTestServer, type TestServer } from './harness.js';
import { createInbox, expectFailure, expectOk, onlineAgent, patchInbox, raw, testStore, TINY_PNG, upload, visitorOf } from './kit.js';

const sendOutput = visitorCommands['message:send'].output;
const syncOutput = visitorCommands['conversation:sync'].output;
const historyOutput = visitorCommands['conversation:history'].output;

/** PROTOCOL.md, visitor `message:send`, `conversation:sync`, `conversation:history`, private notes. */
describe('visitor messages', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({
      store: testStore(),
      // The paging test sends a few hundred commands within seconds.
      env: { KEFU_RATE_LIMIT_POINTS: '5000' },
    });
  });
  afterAll(() => server.stop());

  const send = async (client: ReturnType<typeof visitorOf>['client'], payload: Record<string, unknown>) =>
    raw(client, 'message:send', { clientMsgId: newClientMsgId(), ...payload });

  describe('message:send', () => {
    it('queues a new conversation when no agent is online, with position and no wait estimate', async () => {
      const inbox = await createInbox(server);
      const first = visitorOf(server, inbox.key).client;
      await first.ready();
      const a = sendOutput.parse(expectOk(await send(first, { body: 'Anyone there?' })));
      expect(a.conversation).toMatchObject({ status: 'queued', assignee: null, lastSeq: a.message.seq, queue: { position: 1, estimatedWaitSec: null } });
      expect(a.message).toMatchObject({
        conversationId: a.conversation.id,
        seq: 1,
        prevSeq: 0,
        kind: 'text',
        body: 'Anyone there?',
        attachments: [],
        author: { type: 'visitor', id: (await first.ready()).visitor.id },
      });

      const second = visitorOf(server, inbox.key).client;
      const b = sendOutput.parse(expectOk(await send(second, { body: 'Hello?' })));
      expect(b.conversation.id).not.toBe(a.conversation.id);
      expect(b.conversation).toMatchObject({ status: 'queued', queue: { position: 2, estimatedWaitSec: null } });

      // A later message of the same visitor joins the same unresolved conversation.
      const c = sendOutput.parse(expectOk(await send(first, { body: 'Still waiting' })));
      expect(c.conversation.id).toBe(a.conversation.id);
      expect(c.message).toMatchObject({ seq: 2, prevSeq: 1 });
      expect(c.conversation).toMatchObject({ status: 'queued', lastSeq: 2, queue: { position: 1 } });
    });

    it('the SDK names the open conversation in its sends, and starts a new one when that was resolved meanwhile', async () => {
      const inbox = await createInbox(server);
      const { client } = visitorOf(server, inbox.key);
      await client.ready();
      const named: (string | undefined)[] = [];
      client.socket.onAnyOutgoing((event: string, payload: { conversationId?: string }) => {
        if (event === 'message:send') named.push(payload.conversationId);
      });
      const first = await client.send({ body: 'one' });
      const second = await client.send({ body: 'two' });
      expect(second.conversation.id).toBe(first.conversation.id);
      // Resolved behind the client's back: no conversation:updated tells it.
      const db = openDatabase(server.store.config);
      await db.db.updateTable('conversations').set({ status: 'resolved' }).where('id', '=', first.conversation.id).execute();
      await db.close();
      const third = await client.send({ body: 'three' });
      expect(third.conversation.id).not.toBe(first.conversation.id);
      expect(third.message.seq).toBe(1);
      // The first message names none; the second names its conversation; the third does, is refused, and goes again without.
      expect(named).toEqual([undefined, first.conversation.id, first.conversation.id, undefined]);
    });

    it('routes a new conversation to the online agent, whose name the visitor sees', async () => {
      const inbox = await createInbox(server);
      await onlineAgent(server, [inbox.id], { name: 'Bruno' });
      const { client } = visitorOf(server, inbox.key);
      const sent = sendOutput.parse(expectOk(await send(client, { body: 'Hi' })));
      expect(sent.conversation).toMatchObject({ status: 'open', assignee: { name: 'Bruno' }, queue: null });
      expect(sent.conversation.lastSeq).toBeGreaterThanOrEqual(sent.message.seq);
    });

    it('trims the body; an empty body is bad_request; a body over the inbox limit is too_large', async () => {
      const inbox = await createInbox(server);
      const { client } = visitorOf(server, inbox.key);
      const trimmed = sendOutput.parse(expectOk(await send(client, { body: ' \n\t Hello there \r\n ' })));
      expect(trimmed.message.body).toBe('Hello there');

      expectFailure(await send(client, { body: '' }), 'bad_request');
      expectFailure(await send(client, { body: '   \n\t ' }), 'bad_request');

      await patchInbox(server, inbox.id, { maxMessageLength: 10 });
      expect((await visitorOf(server, inbox.key).client.ready()).inbox.maxMessageLength).toBe(10);
      expectFailure(await send(client, { body: '12345678901' }), 'too_large');
      // The limit applies after trimming.
      expect(sendOutput.parse(expectOk(await send(client, { body: '   1234567890   ' }))).message.body).toBe('1234567890');
      // The same into the named conversation (on PostgreSQL the one-statement send checks it in SQL).
      const conversationId = trimmed.conversation.id;
      expectFailure(await send(client, { body: '12345678901', conversationId }), 'too_large');
      expectFailure(await send(client, { body: ' \n ', conversationId }), 'bad_request');
      expect(sendOutput.parse(expectOk(await send(client, { body: '  1234567890 ', conversationId }))).message.body).toBe('1234567890');

      const sync = syncOutput.parse(expectOk(await raw(client, 'conversation:sync', { conversationId, afterSeq: 0 })));
      expect(sync.messages.map((m) => m.body)).toEqual(['Hello there', '1234567890', '1234567890']);
    });

    it('answers bad_request to payloads that fail validation', async () => {
      const inbox = await createInbox(server);
      const { client } = visitorOf(server, inbox.key);
      await client.ready();
      expectFailure(await raw(client, 'message:send'), 'bad_request');
      expectFailure(await raw(client, 'message:send', 'hello'), 'bad_request');
      expectFailure(await raw(client, 'message:send', { body: 'no clientMsgId' }), 'bad_request');
      expectFailure(await raw(client, 'message:send', { clientMsgId: '', body: 'x' }), 'bad_request');
      expectFailure(await send(client, { body: 42 }), 'bad_request');
      expectFailure(await send(client, { body: 'x', attachmentIds: 'a1' }), 'bad_request');
      expectFailure(await send(client, { body: 'x'.repeat(limits.bodyRawMax + 1) }), 'bad_request');
      expectFailure(await send(client, { body: 'x', attachmentIds: Array.from({ length: 11 }, (_, i) => `a${i}`) }), 'bad_request');
      expectFailure(await send(client, { body: 'a\u0000b' }), 'bad_request');
      expectFailure(await raw(client, 'message:send', null), 'bad_request');
      expectFailure(await raw(client, 'message:send', [{ clientMsgId: 'x', body: 'x' }]), 'bad_request');
      // Nothing was stored by any of them.
      expect((await visitorOf(server, inbox.key, { visitorToken: client.visitorToken! }).client.ready()).conversation).toBeNull();
    });

    it('is idempotent per clientMsgId: a repeat returns the original message and stores nothing', async () => {
      const inbox = await createInbox(server);
      const { client } = visitorOf(server, inbox.key);
      const clientMsgId = newClientMsgId();
      const first = sendOutput.parse(expectOk(await raw(client, 'message:send', { clientMsgId, body: 'Only once' })));
      const again = sendOutput.parse(expectOk(await raw(client, 'message:send', { clientMsgId, body: 'Only once' })));
      expect(again.message).toEqual(first.message);
      expect(again.conversation.id).toBe(first.conversation.id);

      // Concurrent repeats of a second message converge on one message too.
      const otherId = newClientMsgId();
      const racing = await Promise.all([1, 2, 3].map(() => raw(client, 'message:send', { clientMsgId: otherId, conversationId: first.conversation.id, body: 'Twice?' })));
      const ids = new Set(racing.map((r) => sendOutput.parse(expectOk(r)).message.id));
      expect(ids.size).toBe(1);

      const sync = syncOutput.parse(expectOk(await raw(client, 'conversation:sync', { conversationId: first.conversation.id, afterSeq: 0 })));
      expect(sync.messages.map((m) => [m.seq, m.body, m.clientMsgId])).toEqual([
        [1, 'Only once', clientMsgId],
        [2, 'Twice?', otherId],
      ]);
      expect(sync.lastSeq).toBe(2);
    });

    it('refuses a resolved conversation with conflict; without an id a new conversation starts', async () => {
      const inbox = await createInbox(server);
      const ana = await onlineAgent(server, [inbox.id], { name: 'Ana' });
      const { client } = visitorOf(server, inbox.key);
      const first = sendOutput.parse(expectOk(await send(client, { body: 'Order 1 question' })));
      await ana.client.call('conversation:set-status', { conversationId: first.conversation.id, status: 'resolved' });

      expectFailure(await send(client, { conversationId: first.conversation.id, body: 'One more thing' }), 'conflict');
      const next = sendOutput.parse(expectOk(await send(client, { body: 'Order 2 question' })));
      expect(next.conversation.id).not.toBe(first.conversation.id);
      expect(next.conversation.status).not.toBe('resolved');
      expect(next.message).toMatchObject({ seq: 1, prevSeq: 0, body: 'Order 2 question' });
      // The session now points at the new, unresolved conversation.
      const session = await visitorOf(server, inbox.key, { visitorToken: client.visitorToken! }).client.ready();
      expect(session.conversation?.id).toBe(next.conversation.id);
    });

    it("answers not_found for someone else's conversation, and for one that does not exist", async () => {
      const inbox = await createInbox(server);
      const owner = visitorOf(server, inbox.key).client;
      const theirs = sendOutput.parse(expectOk(await send(owner, { body: 'Private matter' })));
      const stranger = visitorOf(server, inbox.key).client;
      await stranger.ready();
      expectFailure(await send(stranger, { conversationId: theirs.conversation.id, body: 'Let me in' }), 'not_found');
      expectFailure(await send(stranger, { conversationId: 'no-such-conversation', body: 'Hello' }), 'not_found');
      // A visitor of another inbox cannot reach it either.
      const elsewhere = visitorOf(server, (await createInbox(server)).key).client;
      expectFailure(await send(elsewhere, { conversationId: theirs.conversation.id, body: 'Hello' }), 'not_found');

      const sync = syncOutput.parse(expectOk(await raw(owner, 'conversation:sync', { conversationId: theirs.conversation.id, afterSeq: 0 })));
      expect(sync.messages.map((m) => m.body)).toEqual(['Private matter']);
    });

    it('sends an uploaded attachment; a foreign or reused attachment id is bad_request', async () => {
      const inbox = await createInbox(server);
      const ana = await onlineAgent(server, [inbox.id], { name: 'Ana' });
      const { client } = visitorOf(server, inbox.key);
      const session = await client.ready();

      const uploaded = await upload(server, session.visitorToken);
      expect(uploaded.status).toBe(201);
      const attachment = AttachmentSchema.parse((uploaded.body as { attachment: unknown }).attachment);
      expect(attachment).toMatchObject({ name: 'pixel.png', mime: 'image/png', size: TINY_PNG.length, width: 1, height: 1 });

      // Attachment only: an empty body is fine when something is attached.
      const sent = sendOutput.parse(expectOk(await send(client, { body: '  ', attachmentIds: [attachment.id] })));
      expect(sent.message.body).toBe('');
      expect(sent.message.attachments).toEqual([attachment]);
      const file = await fetch(`${server.url}${new URL(attachment.url, server.url).pathname}`);
      expect(file.status).toBe(200);
      expect(Buffer.from(await file.arrayBuffer())).toEqual(TINY_PNG);

      // The agent sees it too.
      const opened = await ana.client.call('conversation:open', { conversationId: sent.conversation.id });
      expect(opened.messages.find((m) => m.id === sent.message.id)?.attachments).toEqual([attachment]);

      // Used once, it cannot be attached again.
      expectFailure(await send(client, { body: 'again', attachmentIds: [attachment.id] }), 'bad_request');

      // Someone else's upload (another visitor's, or an agent's) cannot be attached.
      const other = visitorOf(server, inbox.key).client;
      const foreign = AttachmentSchema.parse(((await upload(server, (await other.ready()).visitorToken)).body as { attachment: unknown }).attachment);
      expectFailure(await send(client, { body: 'look', attachmentIds: [foreign.id] }), 'bad_request');
      const agentFile = AttachmentSchema.parse(((await upload(server, ana.token)).body as { attachment: unknown }).attachment);
      expectFailure(await send(client, { body: 'look', attachmentIds: [agentFile.id] }), 'bad_request');
      expectFailure(await send(client, { body: 'look', attachmentIds: ['no-such-attachment'] }), 'bad_request');

      // None of the refused sends left a message behind; the other visitor can still use its own upload.
      const sync = syncOutput.parse(expectOk(await raw(client, 'conversation:sync', { conversationId: sent.conversation.id, afterSeq: 0 })));
      expect(sync.messages.filter((m) => m.author.type === 'visitor').map((m) => m.id)).toEqual([sent.message.id]);
      const own = sendOutput.parse(expectOk(await send(other, { body: 'mine', attachmentIds: [foreign.id] })));
      expect(own.message.attachments.map((a) => a.id)).toEqual([foreign.id]);
    });

    it('refuses an upload without a valid token', async () => {
      expect((await upload(server, 'not-a-token')).status).toBe(401);
    });
  });

  describe('conversation:sync and conversation:history', () => {
    it('pages through more than 200 messages in ascending seq order', async () => {
      const inbox = await createInbox(server);
      // With an agent online the conversation is open, so each send skips the queue bookkeeping.
      await onlineAgent(server, [inbox.id], { name: 'Ana' });
      const { client } = visitorOf(server, inbox.key);
      const first = sendOutput.parse(expectOk(await send(client, { body: 'm1' })));
      const conversationId = first.conversation.id;
      // Sent 30 at a time: all of them at once would only queue up behind the conversation's row lock.
      const bodies = Array.from({ length: 229 }, (_, i) => `m${i + 2}`);
      for (let i = 0; i < bodies.length; i += 30) {
        const acks = await Promise.all(bodies.slice(i, i + 30).map((body) => send(client, { conversationId, body })));
        acks.forEach((r) => expectOk(r));
      }
      // The routing line ("Ana joined the conversation") is a public message too.
      const total = bodies.length + 2;

      const page1 = syncOutput.parse(expectOk(await raw(client, 'conversation:sync', { conversationId, afterSeq: 0 })));
      expect(page1.messages).toHaveLength(200);
      expect(page1.hasMore).toBe(true);
      expect(page1.lastSeq).toBe(total);
      expect(page1.messages.map((m) => m.seq)).toEqual(Array.from({ length: 200 }, (_, i) => i + 1));
      expect(page1.messages.every((m) => m.prevSeq === m.seq - 1)).toBe(true);

      const page2 = syncOutput.parse(expectOk(await raw(client, 'conversation:sync', { conversationId, afterSeq: 200 })));
      expect(page2.hasMore).toBe(false);
      expect(page2.messages.map((m) => m.seq)).toEqual(Array.from({ length: total - 200 }, (_, i) => i + 201));
      const all = [...page1.messages, ...page2.messages];
      expect(all.filter((m) => m.kind === 'event')).toHaveLength(1);
      expect(all.filter((m) => m.kind === 'text').map((m) => m.body).sort()).toEqual(['m1', ...bodies].sort());

      const tail = syncOutput.parse(expectOk(await raw(client, 'conversation:sync', { conversationId, afterSeq: total - 3 })));
      expect(tail).toMatchObject({ hasMore: false, lastSeq: total });
      expect(tail.messages.map((m) => m.seq)).toEqual([total - 2, total - 1, total]);
      const none = syncOutput.parse(expectOk(await raw(client, 'conversation:sync', { conversationId, afterSeq: total })));
      expect(none).toEqual({ messages: [], lastSeq: total, hasMore: false });

      // History walks backwards in pages, each ascending.
      const latest = historyOutput.parse(expectOk(await raw(client, 'conversation:history', { conversationId })));
      expect(latest.messages.map((m) => m.seq)).toEqual(Array.from({ length: 50 }, (_, i) => total - 49 + i));
      expect(latest.hasMore).toBe(true);
      const older = historyOutput.parse(expectOk(await raw(client, 'conversation:history', { conversationId, beforeSeq: 11, limit: 4 })));
      expect(older).toMatchObject({ hasMore: true });
      expect(older.messages.map((m) => m.seq)).toEqual([7, 8, 9, 10]);
      const oldest = historyOutput.parse(expectOk(await raw(client, 'conversation:history', { conversationId, beforeSeq: 4, limit: 10 })));
      expect(oldest).toMatchObject({ hasMore: false });
      expect(oldest.messages.map((m) => m.seq)).toEqual([1, 2, 3]);
      const exact = historyOutput.parse(expectOk(await raw(client, 'conversation:history', { conversationId, beforeSeq: 4, limit: 3 })));
      expect(exact.messages.map((m) => m.seq)).toEqual([1, 2, 3]);
      expect(exact.hasMore).toBe(false);
      const max = historyOutput.parse(expectOk(await raw(client, 'conversation:history', { conversationId, limit: 200 })));
      expect(max.messages.map((m) => m.seq)).toEqual(Array.from({ length: 200 }, (_, i) => total - 199 + i));
      expect(max.hasMore).toBe(true);
    });

    it('validates sync and history payloads and hides other visitors’ conversations', async () => {
      const inbox = await createInbox(server);
      const owner = visitorOf(server, inbox.key).client;
      const { conversation } = sendOutput.parse(expectOk(await send(owner, { body: 'mine' })));
      const conversationId = conversation.id;
      expectFailure(await raw(owner, 'conversation:sync', { conversationId }), 'bad_request');
      expectFailure(await raw(owner, 'conversation:sync', { conversationId, afterSeq: -1 }), 'bad_request');
      expectFailure(await raw(owner, 'conversation:sync', { conversationId, afterSeq: 1.5 }), 'bad_request');
      expectFailure(await raw(owner, 'conversation:history', { conversationId, limit: 0 }), 'bad_request');
      expectFailure(await raw(owner, 'conversation:history', { conversationId, limit: 201 }), 'bad_request');
      expectFailure(await raw(owner, 'conversation:history', { conversationId, beforeSeq: 0 }), 'bad_request');
      expectFailure(await raw(owner, 'conversation:sync', { conversationId: 'a\u0000b', afterSeq: 0 }), 'bad_request');
      // Bounds far past any seq are valid and simply match nothing (or everything).
      const far = Number.MAX_SAFE_INTEGER;
      expect(expectOk(await raw(owner, 'conversation:sync', { conversationId, afterSeq: far }))).toEqual({ messages: [], lastSeq: 1, hasMore: false });
      const all = historyOutput.parse(expectOk(await raw(owner, 'conversation:history', { conversationId, beforeSeq: far })));
      expect(all.messages.map((m) => m.body)).toEqual(['mine']);

      const stranger = visitorOf(server, inbox.key).client;
      await stranger.ready();
      expectFailure(await raw(stranger, 'conversation:sync', { conversationId, afterSeq: 0 }), 'not_found');
      expectFailure(await raw(stranger, 'conversation:history', { conversationId }), 'not_found');
      expectFailure(await raw(stranger, 'conversation:sync', { conversationId: 'nope', afterSeq: 0 }), 'not_found');
    });

    it('never shows private notes to the visitor, and prevSeq skips them', async () => {
      const inbox = await createInbox(server);
      const ana = await onlineAgent(server, [inbox.id], { name: 'Ana' });
      const { client, log } = visitorOf(server, inbox.key);
      const opening = sendOutput.parse(expectOk(await send(client, { body: 'My order is late' })));
      const conversationId = opening.conversation.id;
      await ana.client.open(conversationId);

      const beforeNotes = log.mark();
      const note1 = MessageSchema.parse((await ana.client.send({ conversationId, body: 'VIP customer, be nice', private: true })).message);
      const note2 = MessageSchema.parse((await ana.client.send({ conversationId, body: 'Check the warehouse', private: true })).message);
      expect(note1.kind).toBe('note');
      const reply = MessageSchema.parse((await ana.client.send({ conversationId, body: 'Sorry, it ships today' })).message);
      const visible = opening.conversation.lastSeq;

      // Socket.IO keeps the order of one socket's events: once the reply is in, a note would have come before it.
      const replyEvent = await log.wait('message:created', (m) => m.id === reply.id, { from: beforeNotes });
      MessageSchema.parse(replyEvent);
      expect(log.all('message:created', beforeNotes).map((m) => m.id)).toEqual([reply.id]);
      expect(note2.seq).toBe(note1.seq + 1);
      expect(reply.seq).toBe(note2.seq + 1);
      expect(replyEvent).toMatchObject({ seq: reply.seq, prevSeq: visible, kind: 'text', author: { type: 'agent', id: ana.id, name: 'Ana' } });
      // The agent's copy of the reply counts the notes.
      expect(reply.prevSeq).toBe(note2.seq);

      const isNote = (m: Message) => m.kind === 'note' || m.body.includes('VIP') || m.body.includes('warehouse');
      const sync = syncOutput.parse(expectOk(await raw(client, 'conversation:sync', { conversationId, afterSeq: 0 })));
      expect(sync.messages.some(isNote)).toBe(false);
      expect(sync.messages.at(-1)).toMatchObject({ id: reply.id, prevSeq: visible });
      expect(sync.lastSeq).toBe(reply.seq);
      const afterNotes = syncOutput.parse(expectOk(await raw(client, 'conversation:sync', { conversationId, afterSeq: visible })));
      expect(afterNotes.messages.map((m) => m.id)).toEqual([reply.id]);
      const history = historyOutput.parse(expectOk(await raw(client, 'conversation:history', { conversationId })));
      expect(history.messages.some(isNote)).toBe(false);
      expect(history.messages.at(-1)?.id).toBe(reply.id);

      // A note as the newest message does not move the visitor's lastSeq.
      const note3 = (await ana.client.send({ conversationId, body: 'Follow up tomorrow', private: true })).message;
      const latest = syncOutput.parse(expectOk(await raw(client, 'conversation:sync', { conversationId, afterSeq: reply.seq })));
      expect(latest).toEqual({ messages: [], lastSeq: reply.seq, hasMore: false });
      const session = await visitorOf(server, inbox.key, { visitorToken: client.visitorToken! }).client.ready();
      expect(VisitorConversationSchema.parse(session.conversation)).toMatchObject({ id: conversationId, lastSeq: reply.seq });
      const next = MessageSchema.parse((await ana.client.send({ conversationId, body: 'Tracking: 123' })).message);
      expect(next.seq).toBe(note3.seq + 1);
      const nextEvent = await log.wait('message:created', (m) => m.id === next.id);
      expect(nextEvent.prevSeq).toBe(reply.seq);
      expect(log.all('message:created').some(isNote)).toBe(false);
    });
  });
});
