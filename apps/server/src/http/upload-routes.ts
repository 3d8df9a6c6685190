import { createReadStream } from 'node:fs';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import multipart from '@fastify/multipart';
import { IdSchema, KefuError, parseOrThrow } from '@kefu/protocol';
import { findAttachment, findVisitor, insertAttachment, newAttachmentId, toAttachment } from '@kefu/store';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { fileTypeFromBuffer } from 'file-type';
import { imageSize } from 'image-size';
import { z } from 'zod';
import type { AppContext } from '../context.js';
import { authenticateAgentToken } from '../realtime/agent-handshake.js';
import { bearerOf } from './guards.js';
import { uploadDir } from './upload-sweeper.js';

/** What shoppers and agents may share: common images and PDF, recognised from the bytes, not the name. */
const ALLOWED_TYPES = new Set(['image/png', 'image/jpeg', 'image/gif', 'image/webp', 'application/pdf']);
const IMAGE_TYPES = new Set(['image/png', 'image/jpeg', 'image/gif', 'image/webp']);

/**
 * Keeps a display name: Unicode NFKC first (a fullwidth ／ becomes a / and is cut like one), then no
 * path, no control or format characters (bidi overrides that make `gpj.exe` read `exe.jpg`,
 * zero-width joiners, line separators), no quotes, at most 200 characters.
 */
export function cleanFileName(name: string): string {
  const base = name.normalize('NFKC').split(/[\\/]/).pop() ?? '';
  const clean = Array.from(base.replace(/[\p{Cc}\p{Cf}\p{Zl}\p{Zp}"]/gu, '').trim()).slice(0, 200).join('');
  return clean || 'file';
}

async function uploader(ctx: AppContext, request: FastifyRequest): Promise<{ type: 'visitor' | 'agent'; id: string }> {
  const token = bearerOf(request);
  const visitor = await ctx.tokens.verifyVisitor(token);
  if (visitor) {
    if (!(await findVisitor(ctx.db.db, visitor.visitorId))) throw new KefuError('unauthorized', 'unknown visitor');
    return { type: 'visitor', id: visitor.visitorId };
  }
  const { agent } = await authenticateAgentToken(ctx, token);
  return { type: 'agent', id: agent.id };
}

function dimensionsOf(mime: string, bytes: Buffer): { width: number | null; height: number | null } {
  if (!IMAGE_TYPES.has(mime)) return { width: null, height: null };
  try {
    const size = imageSize(bytes);
    return { width: size.width ?? null, height: size.height ?? null };
  } catch {
    return { width: null, height: null };
  }
}

/**
 * The multipart parser (busboy) throws plain errors, without an HTTP status, for a body it cannot
 * read (no boundary, cut off mid-part): those are the client's fault, not ours.
 */
function malformed(error: unknown): never {
  if (error instanceof Error && !('statusCode' in error)) throw new KefuError('bad_request', `malformed multipart body: ${error.message}`);
  throw error;
}

export function uploadRoutes(ctx: AppContext) {
  const dir = uploadDir(ctx);
  return async (app: FastifyInstance) => {
    await app.register(multipart, { limits: { fileSize: ctx.config.uploadMaxBytes, files: 1, fields: 5, parts: 6 } });

    app.post('/api/uploads', async (request, reply) => {
      const owner = await uploader(ctx, request);
      if (!(await ctx.uploadLimiter.consume(`${owner.type}:${owner.id}`))) throw new KefuError('rate_limited', 'too many uploads; wait a minute');
      if (!request.isMultipart()) throw new KefuError('bad_request', 'send multipart/form-data with a "file" field');
      const file = await request.file().catch(malformed);
      if (!file || file.fieldname !== 'file') throw new KefuError('bad_request', 'missing the "file" field');
      const bytes = await file.toBuffer().catch((error: { code?: string }) => {
        if (error.code === 'FST_REQ_FILE_TOO_LARGE') throw new KefuError('too_large', `files are limited to ${ctx.config.uploadMaxBytes} bytes`);
        return malformed(error);
      });
      const detected = await fileTypeFromBuffer(bytes);
      if (!detected || !ALLOWED_TYPES.has(detected.mime)) throw new KefuError('bad_request', 'only PNG, JPEG, GIF, WebP images and PDF files are accepted');
      // The file first, then its row: a row (and so a URL) never exists without its file.
      const id = newAttachmentId();
      const path = join(dir, id);
      await mkdir(dir, { recursive: true });
      await writeFile(path, bytes, { flag: 'wx' }).catch(async (error: { code?: string }) => {
        // A write cut short (disk full) leaves no partial file; 'wx' never overwrites someone else's.
        if (error.code !== 'EEXIST') await rm(path, { force: true });
        throw error;
      });
      const row = await ctx.db.inTurn((tx) => insertAttachment(tx, {
        id,
        owner_type: owner.type,
        owner_id: owner.id,
        name: cleanFileName(file.filename),
        mime: detected.mime,
        size: bytes.length,
        ...dimensionsOf(detected.mime, bytes),
      })).catch(async (error: unknown) => {
        await rm(path, { force: true });
        throw error;
      });
      return reply.status(201).send({ attachment: toAttachment(row) });
    });

    app.get('/api/uploads/:id', async (request, reply) => {
      const { id } = parseOrThrow(z.object({ id: IdSchema.regex(/^[A-Za-z0-9_-]+$/) }), request.params);
      const row = await findAttachment(ctx.db.db, id);
      if (!row) throw new KefuError('not_found', 'no such file');
      const disposition = IMAGE_TYPES.has(row.mime) ? 'inline' : 'attachment';
      return reply
        .header('Content-Type', row.mime)
        .header('X-Content-Type-Options', 'nosniff')
        .header('Content-Security-Policy', "default-src 'none'; sandbox")
        .header('Content-Disposition', `${disposition}; filename*=UTF-8''${encodeURIComponent(row.name)}`)
        .header('Cache-Control', 'private, max-age=31536000, immutable')
        .send(createReadStream(join(dir, row.id)));
    });
  };
}
