import { describe, expect, it } from '@jest/globals';
import { ratiosToPlain } from './stepped.js';

const step = (run: number, p99: number, cpuMsPerMessage: number) => ({ run, latency: { p99 }, cpuMsPerMessage });

describe('ratiosToPlain', () => {
  it('divides each run by its twin of the same run on the plain desk, and takes the median', () => {
    const queue = [step(0, 12, 0.3), step(1, 30, 0.33), step(2, 8, 0.36)];
    // Listed out of order: a step pairs with the twin of its own run, not with the one at its index.
    const plain = [step(2, 8, 0.3), step(0, 10, 0.3), step(1, 10, 0.3)];
    const ratios = ratiosToPlain(queue, plain);
    expect(ratios.p99).toBeCloseTo(1.2); // 1.2, 3, 1
    expect(ratios.cpu).toBeCloseTo(1.1); // 1, 1.1, 1.2
  });

  it('leaves out a run whose twin did not run (saturated), and is NaN with no twin at all', () => {
    expect(ratiosToPlain([step(0, 20, 0.4), step(1, 90, 0.9)], [step(0, 10, 0.2)])).toEqual({ p99: 2, cpu: 2 });
    expect(ratiosToPlain([step(0, 20, 0.4)], undefined)).toEqual({ p99: NaN, cpu: NaN });
  });
});
