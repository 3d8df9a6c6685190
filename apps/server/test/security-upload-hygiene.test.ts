import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { UploadOutputSchema, type Attachment } from '@kefu/protocol';
import { cleanFileName } from '../src/http/upload-routes.js';
import { removeOrphanUploads } from '../src/http/upload-sweeper.js';
import { startTestServer, type TestServer } from './harness.js';
import { createInbox, startConversation, testStore, upload, waitFor } from './kit.js';

describe('upload names are normalised before anything else looks at them', () => {
  it.each([
    ['photo\u202Egpj.exe', 'photogpj.exe'], // a right-to-left override would show "photoexe.jpg"
    ['\u2066evil\u2069.pdf', 'evil.pdf'],
    ['..\uFF0F..\uFF0Fetc\uFF0Fpasswd', 'passwd'], // fullwidth solidus: a path once normalised
    ['C:\\fakepath\\report.pdf', 'report.pdf'],
    ['\uFF41\uFF42\uFF43.png', 'abc.png'],
    ['\uFB01le.pdf', 'file.pdf'],
    ['zero\u200Bwidth\u200D.png', 'zerowidth.png'],
    ['line\u2028break\u2029.png', 'linebreak.png'],
    ['tab\tnew\nline\u0000.png', 'tabnewline.png'],
    ['say "hi".png', 'say hi.png'],
    ['\u202E\u200B', 'file'],
  ])('%j → %j', (name, expected) => {
    expect(cleanFileName(name)).toBe(expected);
  });

  it('cuts long names at 200 characters, never inside a surrogate pair', () => {
    expect(cleanFileName('😀'.repeat(300))).toBe('😀'.repeat(200));
  });
});

describe('uploads never bound to a message are removed', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({ store: testStore() });
  });
  afterAll(() => server.stop());

  const uploaded = async (token: string, name = 'pixel.png'): Promise<Attachment> => {
    const res = await upload(server, token, { name });
    expect(res.status).toBe(201);
    return UploadOutputSchema.parse(res.body).attachment;
  };
  const fileOf = (id: string) => join(server.dataDir, 'uploads', id);

  it('stores the cleaned name and serves it in Content-Disposition', async () => {
    const { token } = await server.login();
    const attachment = await uploaded(token, 'invoice\u202Efdp.exe');
    expect(attachment.name).toBe('invoicefdp.exe');
    const served = await fetch(`${server.url}${attachment.url}`);
    expect(served.headers.get('content-disposition')).toBe(`inline; filename*=UTF-8''invoicefdp.exe`);
  });

  it('removes the old unbound ones, file and row, and keeps those a message took and the recent ones', async () => {
    const inbox = await createInbox(server);
    const shopper = await startConversation(server, inbox, 'hi');
    const token = shopper.client.visitorToken!;
    const sent = await uploaded(token);
    const forgotten = await uploaded(token);
    await shopper.client.send({ body: 'see attached', attachmentIds: [sent.id] });

    expect(await removeOrphanUploads(server.ctx, new Date(Date.now() - 60_000))).toBe(0);
    const removed = await removeOrphanUploads(server.ctx, new Date(Date.now() + 1_000));
    expect(removed).toBeGreaterThanOrEqual(1);
    expect(existsSync(fileOf(forgotten.id))).toBe(false);
    expect((await fetch(`${server.url}${forgotten.url}`)).status).toBe(404);
    expect(existsSync(fileOf(sent.id))).toBe(true);
    expect((await fetch(`${server.url}${sent.url}`)).status).toBe(200);
    // Too late to send the forgotten one now: refused like any unknown id, nothing half-bound.
    const late = await shopper.client.request('message:send', { clientMsgId: 'late-1', body: 'and this', attachmentIds: [forgotten.id] });
    expect(late).toMatchObject({ ok: false, error: { code: 'bad_request' } });
  });
});

describe('the upload sweeper runs on its own (KEFU_UPLOAD_ORPHAN_TTL_MINUTES)', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({ store: testStore(), env: { KEFU_UPLOAD_ORPHAN_TTL_MINUTES: '0.005' } });
  });
  afterAll(() => server.stop());

  it('deletes an upload nobody sent once it is older than the setting', async () => {
    const { token } = await server.login();
    const res = await upload(server, token);
    const { attachment } = UploadOutputSchema.parse(res.body);
    const file = join(server.dataDir, 'uploads', attachment.id);
    expect(existsSync(file)).toBe(true);
    // The row goes first, then the file: wait for both.
    await waitFor('the sweeper to remove the upload, row and file', 10_000, (done) => {
      const timer = setInterval(() => {
        const row = server.ctx.db.db.selectFrom('attachments').select('id').where('id', '=', attachment.id).executeTakeFirst();
        void row.then((found) => found === undefined && !existsSync(file) && done(undefined));
      }, 50);
      return () => clearInterval(timer);
    });
    expect((await fetch(`${server.url}${attachment.url}`)).status).toBe(404);
  });
});
