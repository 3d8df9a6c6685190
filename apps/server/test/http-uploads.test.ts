import { randomBytes } from 'node:crypto';
import { deflateSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { MessageSchema, UploadOutputSchema, type Attachment } from '@kefu/protocol';
import { createInbox, expectFailure, expectHttpError, nextEvent, onlineAgent, startConversation, testStore, upload as uploadFile, within } from './kit.js';
import { startTestServer, type TestServer } from './harness.js';

const MAX_BYTES = 4_096;

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});
function crc32(bytes: Buffer): number {
  let crc = 0xffffffff;
  for (const byte of bytes) crc = CRC_TABLE[(crc ^ byte) & 0xff]! ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}
function chunk(type: string, data: Buffer): Buffer {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([length, body, crc]);
}

/** A real RGB PNG of the given size; `noise` fills it with random pixels so it does not compress. */
function png(width: number, height: number, noise = false): Buffer {
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header.set([8, 2, 0, 0, 0], 8); // 8-bit, truecolour, deflate, no filter, no interlace
  const rows = Array.from({ length: height }, () => Buffer.concat([Buffer.from([0]), noise ? randomBytes(width * 3) : Buffer.alloc(width * 3, 0xcc)]));
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', header),
    chunk('IDAT', deflateSync(Buffer.concat(rows))),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

describe('HTTP uploads', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({ store: testStore(), env: { KEFU_UPLOAD_MAX_BYTES: String(MAX_BYTES) } });
  });
  afterAll(() => server.stop());

  /** Sent as application/octet-stream: the server must tell the type from the bytes. */
  const upload = (bytes: Buffer, name: string, token?: string, field?: string) =>
    uploadFile<{ attachment: Attachment }>(server, token, { bytes, name, field, type: 'application/octet-stream' });

  it('accepts a real PNG from an agent (201): mime from the bytes, with width and height, and serves it back', async () => {
    const { token } = await server.login();
    const bytes = png(3, 2);
    const res = await upload(bytes, 'tiny.dat', token);
    expect(res.status).toBe(201);
    const { attachment } = UploadOutputSchema.parse(res.body);
    expect(attachment).toMatchObject({ name: 'tiny.dat', mime: 'image/png', size: bytes.length, width: 3, height: 2 });

    const served = await fetch(`${server.url}${attachment.url}`);
    expect(served.status).toBe(200);
    expect(served.headers.get('content-type')).toBe('image/png');
    expect(served.headers.get('x-content-type-options')).toBe('nosniff');
    expect(Buffer.from(await served.arrayBuffer()).equals(bytes)).toBe(true);
  });

  it('accepts uploads with a visitor token, and the attachment travels with a message', async () => {
    const inbox = await createInbox(server, { routing: 'manual' });
    const agent = await onlineAgent(server, [inbox.id], { name: 'Ana' });
    const shopper = await startConversation(server, inbox);
    const visitorUpload = await upload(png(1, 1), 'photo.png', shopper.client.visitorToken);
    expect(visitorUpload.status).toBe(201);
    expect(visitorUpload.body.attachment).toMatchObject({ mime: 'image/png', width: 1, height: 1 });

    const agentUpload = await upload(png(4, 4), 'label.png', agent.token);
    const arrived = nextEvent(shopper.client, 'message:created', (m) => m.attachments.length > 0);
    await agent.client.send({ conversationId: shopper.conversation.id, body: 'Here is your label', attachmentIds: [agentUpload.body.attachment.id] });
    const message = MessageSchema.parse(await within(arrived, 'message with attachment'));
    expect(message.attachments).toEqual([agentUpload.body.attachment]);
    // An upload belongs to one message, and only its uploader can attach it.
    const reuse = await agent.client.request('message:send', { conversationId: shopper.conversation.id, clientMsgId: 'reuse', body: 'again', attachmentIds: [agentUpload.body.attachment.id] });
    expectFailure(reuse, 'bad_request');
    const foreign = await agent.client.request('message:send', { conversationId: shopper.conversation.id, clientMsgId: 'foreign', body: 'x', attachmentIds: [visitorUpload.body.attachment.id] });
    expectFailure(foreign, 'bad_request');
  });

  it('refuses a text file named .png (400), a file over KEFU_UPLOAD_MAX_BYTES (413), a missing file field (400)', async () => {
    const { token } = await server.login();
    expectHttpError(await upload(Buffer.from('just some text, honestly not an image\n'), 'fake.png', token), 'bad_request');
    const big = png(64, 64, true);
    expect(big.length).toBeGreaterThan(MAX_BYTES);
    expectHttpError(await upload(big, 'big.png', token), 'too_large');
    expectHttpError(await upload(png(1, 1), 'wrong-field.png', token, 'picture'), 'bad_request');
    expectHttpError(await server.api('POST', '/api/uploads', { file: 'not multipart' }, token), 'bad_request');
  });

  it('lets the web app (KEFU_WEB_ORIGINS) upload from the browser, and no other origin', async () => {
    const preflight = (origin: string) =>
      fetch(`${server.url}/api/uploads`, {
        method: 'OPTIONS',
        headers: { Origin: origin, 'Access-Control-Request-Method': 'POST', 'Access-Control-Request-Headers': 'authorization' },
      });
    const fromWeb = await preflight('http://localhost:3000');
    expect(fromWeb.status).toBe(204);
    expect(fromWeb.headers.get('access-control-allow-origin')).toBe('http://localhost:3000');
    expect(fromWeb.headers.get('access-control-allow-headers')?.toLowerCase()).toContain('authorization');
    const fromElsewhere = await preflight('https://evil.example');
    expect(fromElsewhere.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('refuses uploads without a valid token (401), and answers 404 for an unknown id', async () => {
    expectHttpError(await upload(png(1, 1), 'a.png'), 'unauthorized');
    expectHttpError(await upload(png(1, 1), 'a.png', 'not-a-token'), 'unauthorized');
    const { token } = await server.login();
    await server.api('POST', '/api/auth/logout', undefined, token);
    expectHttpError(await upload(png(1, 1), 'a.png', token), 'unauthorized');

    const missing = await fetch(`${server.url}/api/uploads/NoSuchUploadId123`);
    expectHttpError({ status: missing.status, body: await missing.json() }, 'not_found');
  });
});
