import { describe, expect, it } from '@jest/globals';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inEpisodes, lateEpisodes, readTrace, writeTrace } from './trace.js';

const point = (sentAt: number, ms: number) => ({ sentAt, ms });

describe('lateEpisodes', () => {
  it('joins late messages whose lateness overlaps or nearly does, and leaves the rest apart', () => {
    const trace = [point(0, 2), point(100, 20), point(110, 30), point(138, 16), point(300, 3), point(500, 40), point(1_000, 16)];
    expect(lateEpisodes(trace, 15)).toEqual([
      { from: 100, to: 154, late: 3, worstMs: 30 },
      { from: 500, to: 540, late: 1, worstMs: 40 },
      { from: 1_000, to: 1_016, late: 1, worstMs: 16 },
    ]);
  });

  it('takes the messages in the order they were sent, however they were read', () => {
    expect(lateEpisodes([point(130, 20), point(100, 40)], 15)).toEqual([{ from: 100, to: 150, late: 2, worstMs: 40 }]);
  });

  it('finds none when no message is late', () => {
    expect(lateEpisodes([point(0, 15), point(1, 3)], 15)).toEqual([]);
  });
});

describe('inEpisodes', () => {
  it('says whether a time falls within one of them, ends included', () => {
    const within = inEpisodes([
      { from: 100, to: 154, late: 3, worstMs: 30 },
      { from: 500, to: 540, late: 1, worstMs: 40 },
    ]);
    expect([99, 100, 154, 155, 499, 520, 540, 541].map(within)).toEqual([false, true, true, false, false, true, true, false]);
  });
});

describe('a trace file', () => {
  it('reads back what was written', () => {
    const dir = mkdtempSync(join(tmpdir(), 'kefu-trace-'));
    try {
      const trace = [point(1_234_567.125, 2.5), point(1_234_568, 17.25)];
      writeTrace(join(dir, 't.tsv'), trace);
      expect(readTrace(join(dir, 't.tsv'))).toEqual(trace);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
