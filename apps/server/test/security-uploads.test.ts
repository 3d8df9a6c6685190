import { readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { UploadOutputSchema } from '@kefu/protocol';
import { startTestServer, type TestServer } from './harness.js';
import { TINY_PNG, expectHttpError, testStore, upload } from './kit.js';

/** The upload path: the file is stored before its row, and a failed row takes its file away. */
describe('security: an attachment row never exists without its file', () => {
  let server: TestServer;
  let token: string;
  let uploads: string;
  beforeAll(async () => {
    server = await startTestServer({ store: testStore() });
    token = (await server.login()).token;
    uploads = join(server.dataDir, 'uploads');
  });
  afterAll(() => server.stop());

  const attachmentIds = async () => (await server.ctx.db.db.selectFrom('attachments').select('id').execute()).map((r) => r.id).sort();

  it('when the file cannot be written, answers 500 and inserts no row', async () => {
    // A plain file where the uploads directory should be: the write fails for real (even as root).
    writeFileSync(uploads, 'not a directory');
    try {
      expectHttpError(await upload(server, token), 'internal');
      expect(await attachmentIds()).toEqual([]);
    } finally {
      rmSync(uploads, { force: true });
    }
  });

  it('stores the file under the id of its row, and serves it', async () => {
    const res = await upload<unknown>(server, token);
    expect(res.status).toBe(201);
    const { attachment } = UploadOutputSchema.parse(res.body);
    expect(await attachmentIds()).toEqual([attachment.id]);
    expect(readdirSync(uploads)).toEqual([attachment.id]);
    const served = await fetch(`${server.url}${attachment.url}`);
    expect(served.status).toBe(200);
    expect(Buffer.from(await served.arrayBuffer())).toEqual(TINY_PNG);
  });

  it('when the row cannot be inserted, answers 500 and removes the file it wrote', async () => {
    const rows = await attachmentIds();
    const files = readdirSync(uploads).sort();
    expect(files).toEqual(rows);
    // The table is away for a moment: the insert fails for real.
    await server.ctx.db.db.schema.alterTable('attachments').renameTo('attachments_away').execute();
    try {
      expectHttpError(await upload(server, token), 'internal');
    } finally {
      await server.ctx.db.db.schema.alterTable('attachments_away').renameTo('attachments').execute();
    }
    expect(readdirSync(uploads).sort()).toEqual(files);
    expect(await attachmentIds()).toEqual(rows);
    // And uploads work again.
    expect((await upload(server, token)).status).toBe(201);
  });
});
