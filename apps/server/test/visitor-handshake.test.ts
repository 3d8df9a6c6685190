import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { KefuClientError } from '@kefu/client';
import { VisitorSessionSchema } from '@kefu/protocol';
import { startTestServer, type TestServer } from './harness.js';
import { identityHash } from '../src/auth/identity.js';
import { createInbox, expectOk, onlineAgent, patchInbox, testStore, visitorOf } from './kit.js';

/** PROTOCOL.md, "Visitor namespace": handshake auth and the `session` event. */
describe('visitor handshake', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({ store: testStore() });
  });
  afterAll(() => server.stop());

  const refusal = async (promise: Promise<unknown>) => {
    const error = await promise.then(
      () => null,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(KefuClientError);
    return (error as KefuClientError).code;
  };

  it('refuses an unknown inboxKey with connect_error "unauthorized"', async () => {
    const { client } = visitorOf(server, 'no-such-inbox');
    const message = await new Promise<string>((resolve) => client.socket.on('connect_error', (e) => resolve(e.message)));
    expect(message).toBe('unauthorized');
    expect(await refusal(client.ready())).toBe('unauthorized');
    expect(client.session).toBeNull();
  });

  it('refuses a handshake without a usable inboxKey with "unauthorized"', async () => {
    expect(await refusal(visitorOf(server, '').client.ready())).toBe('unauthorized');
  });

  it('checks the Origin header against the inbox allowed origins', async () => {
    const inbox = await createInbox(server);
    await patchInbox(server, inbox.id, { allowedOrigins: ['https://shop.example', 'https://other-shop.example:8443'] });
    const withOrigin = (origin?: string) =>
      visitorOf(server, inbox.key, origin ? { socketOptions: { extraHeaders: { Origin: origin } } } : {}).client.ready();

    expect(await refusal(withOrigin('https://evil.example'))).toBe('forbidden');
    expect(await refusal(withOrigin('https://shop.example.evil.example'))).toBe('forbidden');
    expect(await refusal(withOrigin())).toBe('forbidden');
    const listed = VisitorSessionSchema.parse(await withOrigin('https://shop.example'));
    expect(listed.inbox.id).toBe(inbox.id);
    expect((await withOrigin('https://other-shop.example:8443')).inbox.id).toBe(inbox.id);

    // An empty list lets every origin in again.
    await patchInbox(server, inbox.id, { allowedOrigins: [] });
    expect((await withOrigin('https://evil.example')).inbox.id).toBe(inbox.id);
    expect((await withOrigin()).inbox.id).toBe(inbox.id);
  });

  it('checks the embedding page (hostOrigin) when the socket comes from the widget iframe of the web app', async () => {
    const inbox = await createInbox(server);
    await patchInbox(server, inbox.id, { allowedOrigins: ['https://shop.example'] });
    const fromFrame = (hostOrigin?: string) =>
      visitorOf(server, inbox.key, {
        socketOptions: { extraHeaders: { Origin: 'http://localhost:3000' } },
        ...(hostOrigin ? { hostOrigin } : {}),
      }).client.ready();

    expect((await fromFrame('https://shop.example')).inbox.id).toBe(inbox.id);
    expect(await refusal(fromFrame('https://evil.example'))).toBe('forbidden');
    expect(await refusal(fromFrame())).toBe('forbidden');
    // Outside the web app's origin, hostOrigin counts for nothing: the socket's own Origin is checked.
    const spoofed = visitorOf(server, inbox.key, { socketOptions: { extraHeaders: { Origin: 'https://evil.example' } }, hostOrigin: 'https://shop.example' });
    expect(await refusal(spoofed.client.ready())).toBe('forbidden');
  });

  it('gives a new anonymous visitor to a handshake without a token, with a valid session', async () => {
    const inbox = await createInbox(server, { greeting: 'Welcome to the shop', csatEnabled: false, maxMessageLength: 1234, widgetColor: '#123456', language: 'zh-CN' });
    const a = VisitorSessionSchema.parse(await visitorOf(server, inbox.key).client.ready());
    const b = VisitorSessionSchema.parse(await visitorOf(server, inbox.key).client.ready());
    expect(a.visitor).toEqual({ id: expect.any(String), name: null, email: null });
    expect(b.visitor.id).not.toBe(a.visitor.id);
    expect(a.visitorToken).not.toBe(b.visitorToken);
    expect(a.conversation).toBeNull();
    expect(a.inbox).toMatchObject({
      id: inbox.id,
      name: inbox.name,
      greeting: 'Welcome to the shop',
      online: false,
      maxMessageLength: 1234,
      csatEnabled: false,
      widgetColor: '#123456',
      language: 'zh-CN',
    });
  });

  it('resumes the same visitor and its conversation from a valid visitorToken', async () => {
    const inbox = await createInbox(server);
    const first = visitorOf(server, inbox.key).client;
    const session = await first.ready();
    const sent = await first.send({ body: 'Where is my parcel?' });
    first.close();

    const again = visitorOf(server, inbox.key, { visitorToken: session.visitorToken }).client;
    const resumed = VisitorSessionSchema.parse(await again.ready());
    expect(resumed.visitor.id).toBe(session.visitor.id);
    expect(resumed.conversation).toMatchObject({ id: sent.conversation.id, status: 'queued', lastSeq: sent.message.seq });
    const history = expectOk(await again.request('conversation:history', { conversationId: sent.conversation.id }));
    expect(history.messages.map((m) => m.body)).toEqual(['Where is my parcel?']);
  });

  it('gives a new visitor for a token that is garbage or belongs to another inbox', async () => {
    const shopA = await createInbox(server);
    const shopB = await createInbox(server);
    const inA = await visitorOf(server, shopA.key).client.ready();

    const garbage = await visitorOf(server, shopA.key, { visitorToken: 'not.a.token' }).client.ready();
    expect(garbage.visitor.id).not.toBe(inA.visitor.id);

    const tampered = await visitorOf(server, shopA.key, { visitorToken: `${inA.visitorToken.slice(0, -4)}AAAA` }).client.ready();
    expect(tampered.visitor.id).not.toBe(inA.visitor.id);

    const inB = VisitorSessionSchema.parse(await visitorOf(server, shopB.key, { visitorToken: inA.visitorToken }).client.ready());
    expect(inB.visitor.id).not.toBe(inA.visitor.id);
    expect(inB.inbox.id).toBe(shopB.id);
    expect(inB.conversation).toBeNull();
    // And the original token still resumes in its own inbox.
    expect((await visitorOf(server, shopA.key, { visitorToken: inA.visitorToken }).client.ready()).visitor.id).toBe(inA.visitor.id);
  });

  it('resumes a verified identity on another device and refuses a wrong hash', async () => {
    // The server's own identityHash signs below; pin it to PROTOCOL.md's hex(HMAC-SHA256(secret, externalId))
    // with the published HMAC-SHA256 example, so the hash a customer's backend computes keeps working.
    expect(identityHash('key', 'The quick brown fox jumps over the lazy dog')).toBe('f7bc83f430538424b13298e6aa6fb143ef4d59a14946175997479dbc2d1a3cd8');
    const secret = 'identity-secret-0123456789';
    const inbox = await createInbox(server);
    await patchInbox(server, inbox.id, { identitySecret: secret });
    const identity = { externalId: 'customer-42', name: 'Mia Chen', email: 'mia@example.com', hash: identityHash(secret, 'customer-42') };

    const laptop = visitorOf(server, inbox.key, { identity }).client;
    const first = VisitorSessionSchema.parse(await laptop.ready());
    expect(first.visitor).toMatchObject({ name: 'Mia Chen', email: 'mia@example.com' });
    const sent = await laptop.send({ body: 'Started on my laptop' });

    // A second device, with nothing but the identity: same visitor, same conversation and history.
    const phone = visitorOf(server, inbox.key, { identity: { externalId: 'customer-42', hash: identity.hash } }).client;
    const second = VisitorSessionSchema.parse(await phone.ready());
    expect(second.visitor.id).toBe(first.visitor.id);
    expect(second.conversation).toMatchObject({ id: sent.conversation.id, lastSeq: sent.message.seq });
    const sync = expectOk(await phone.request('conversation:sync', { conversationId: sent.conversation.id, afterSeq: 0 }));
    expect(sync.messages.map((m) => m.body)).toEqual(['Started on my laptop']);

    // Another customer is another visitor.
    const other = await visitorOf(server, inbox.key, { identity: { externalId: 'customer-43', hash: identityHash(secret, 'customer-43') } }).client.ready();
    expect(other.visitor.id).not.toBe(first.visitor.id);
    expect(other.conversation).toBeNull();

    const wrongHash = { externalId: 'customer-42', hash: identityHash('some-other-secret-000', 'customer-42') };
    expect(await refusal(visitorOf(server, inbox.key, { identity: wrongHash }).client.ready())).toBe('unauthorized');
    const otherId = { externalId: 'customer-42', hash: identityHash(secret, 'customer-99') };
    expect(await refusal(visitorOf(server, inbox.key, { identity: otherId }).client.ready())).toBe('unauthorized');
    expect(await refusal(visitorOf(server, inbox.key, { identity: { externalId: 'customer-42', hash: 'zz' } }).client.ready())).toBe('unauthorized');
  });

  it('refuses an identity for an inbox that has no identity secret', async () => {
    const inbox = await createInbox(server);
    const identity = { externalId: 'customer-1', hash: identityHash('identity-secret-0123456789', 'customer-1') };
    expect(await refusal(visitorOf(server, inbox.key, { identity }).client.ready())).toBe('unauthorized');
  });

  it('reports inbox.online from whether a member agent is online', async () => {
    const inbox = await createInbox(server);
    const online = async () => VisitorSessionSchema.parse(await visitorOf(server, inbox.key).client.ready()).inbox.online;
    expect(await online()).toBe(false);

    // An agent of another inbox does not count.
    const elsewhere = await createInbox(server);
    await onlineAgent(server, [elsewhere.id], { name: 'Elsewhere' });
    expect(await online()).toBe(false);

    const ana = await onlineAgent(server, [inbox.id], { name: 'Ana' });
    expect(await online()).toBe(true);
    await ana.client.call('agent:set-status', { status: 'away' });
    expect(await online()).toBe(false);
    await ana.client.call('agent:set-status', { status: 'online' });
    expect(await online()).toBe(true);
  });
});
