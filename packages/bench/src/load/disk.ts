import { open, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { sleep } from '../progress.js';
import { createLatencies } from '../stats.js';

/** PostgreSQL's WAL page: what one commit writes and flushes at least. */
const PAGE = Buffer.alloc(8192, 1);
/** Between two flushes: about 50 a second, light beside PostgreSQL's own hundreds. */
const PAUSE_MS = 20;
/** A flush this long would by itself exceed the p99 target of the PostgreSQL shape. */
const SLOW_MS = 15;

export type DiskFlushes = { flushes: number; p50: number; p99: number; max: number; slow: number; error?: string };

/** The flushes over SLOW_MS that ended within a span of time: how many, and the longest (ms). */
export type SlowFlushes = { count: number; longestMs: number };

/**
 * Flushes an 8 kB write (fdatasync, as PostgreSQL's commits do with `wal_sync_method = fdatasync`)
 * in `dir` (the results directory: on this machine the same disk as PostgreSQL's) about 50 times a
 * second while the bench runs. Every acked message of the PostgreSQL shape waits for such a flush,
 * and a flush that stalls holds every commit behind it, so a step's p99 cannot be lower than the
 * disk's stalls during it; each scenario's results record them (`take()`: the flushes since the last
 * take), and each step those that ended during it (`slowBetween`, in `performance.now()` time).
 */
export async function sampleDisk(dir: string) {
  const path = join(dir, `.disk-sample-${process.pid}`);
  const file = await open(path, 'w');
  let flushes = createLatencies();
  let slow: { endedAt: number; ms: number }[] = [];
  let failed: string | undefined;
  let running = true;
  const loop = (async () => {
    while (running) {
      await file.write(PAGE, 0, PAGE.length, 0);
      const start = performance.now();
      await file.datasync();
      const took = performance.now() - start;
      flushes.record(took);
      if (took > SLOW_MS) slow.push({ endedAt: performance.now(), ms: took });
      await sleep(PAUSE_MS);
    }
  })().catch((error: unknown) => {
    // A disk that refuses the writes leaves the samples short and says why, not the bench stopped.
    failed = error instanceof Error ? error.message : String(error);
  });
  return {
    take(): DiskFlushes {
      const { p50, p99, max } = flushes.summary();
      const result = { flushes: flushes.count(), p50, p99, max, slow: slow.length, ...(failed ? { error: failed } : {}) };
      flushes = createLatencies();
      slow = [];
      return result;
    },
    slowBetween(from: number, to: number): SlowFlushes {
      const during = slow.filter((flush) => flush.endedAt >= from && flush.endedAt <= to);
      return { count: during.length, longestMs: Math.max(0, ...during.map((flush) => Math.round(flush.ms * 10) / 10)) };
    },
    async stop(): Promise<void> {
      running = false;
      await loop;
      await file.close();
      await rm(path, { force: true });
    },
  };
}

/** Timed from the bench's process, so a flush includes its wait for a core: what a commit meanwhile would have waited. */
export const describeDisk = (disk: DiskFlushes): string =>
  `flushes meanwhile (8 kB writes, each flushed as a commit is, ${1000 / PAUSE_MS} a second, timed from the bench's process): ${disk.flushes}, p50 ${disk.p50} ms, p99 ${disk.p99}, max ${disk.max}; ${disk.slow} over ${SLOW_MS} ms${disk.error ? `; sampling stopped: ${disk.error}` : ''}`;
