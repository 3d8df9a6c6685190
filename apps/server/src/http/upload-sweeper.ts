import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { deleteUnboundAttachments } from '@kefu/store';
import type { AppContext } from '../context.js';

export const uploadDir = (ctx: Pick<AppContext, 'config'>): string => join(ctx.config.dataDir, 'uploads');

/**
 * Removes uploads made before `createdBefore` that no message took: the row first (so no URL points
 * at a missing file for long), then the file. Returns how many went.
 */
export async function removeOrphanUploads(ctx: Pick<AppContext, 'config' | 'db'>, createdBefore: Date): Promise<number> {
  const ids = await ctx.db.inTurn((tx) => deleteUnboundAttachments(tx, createdBefore.toISOString()));
  await Promise.all(ids.map((id) => rm(join(uploadDir(ctx), id), { force: true })));
  return ids.length;
}

/**
 * An upload that is never sent (a closed tab, a script filling the disk) would stay forever: every
 * node sweeps, a few times per KEFU_UPLOAD_ORPHAN_TTL_MINUTES, what is older than that. Nodes
 * sweeping at once each delete different rows (one DELETE … RETURNING), and rm ignores a file gone.
 */
export function startUploadSweeper(ctx: Pick<AppContext, 'config' | 'db' | 'log'>): { stop(): Promise<void> } {
  const ttl = ctx.config.uploadOrphanTtlMs;
  let running: Promise<unknown> = Promise.resolve();
  const timer = setInterval(() => {
    running = running
      .then(() => removeOrphanUploads(ctx, new Date(Date.now() - ttl)))
      .then((removed) => removed > 0 && ctx.log.info({ removed }, 'removed uploads never sent'))
      .catch((err: unknown) => ctx.log.warn({ err }, 'upload sweep failed'));
  }, Math.max(50, Math.min(10 * 60_000, Math.floor(ttl / 4))));
  timer.unref();
  return {
    stop: async () => {
      clearInterval(timer);
      await running;
    },
  };
}
