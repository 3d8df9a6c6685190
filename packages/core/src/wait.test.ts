import { describe, it, expect } from '@jest/globals';
import { estimateWaitSec, median, waitEstimator } from './wait.js';
import type { WaitInput } from './wait.js';

describe('estimateWaitSec', () => {
  it.each<{ label: string; input: WaitInput; expected: number | null }>([
    { label: 'nobody online → null', input: { position: 1, recentWaitsSec: [30, 40, 50], eligibleAgents: 0 }, expected: null },
    { label: 'nobody online, no samples → null', input: { position: 3, recentWaitsSec: [], eligibleAgents: 0 }, expected: null },
    { label: 'no samples → default 60 s', input: { position: 1, recentWaitsSec: [], eligibleAgents: 1 }, expected: 60 },
    { label: 'two samples are too few', input: { position: 1, recentWaitsSec: [5, 5], eligibleAgents: 1 }, expected: 60 },
    { label: 'custom default', input: { position: 2, recentWaitsSec: [1], eligibleAgents: 1, defaultWaitSec: 45 }, expected: 90 },
    { label: 'three samples → their median', input: { position: 1, recentWaitsSec: [100, 10, 40], eligibleAgents: 1 }, expected: 40 },
    { label: 'median resists an outlier', input: { position: 1, recentWaitsSec: [20, 30, 25, 3600, 22], eligibleAgents: 1 }, expected: 25 },
    { label: 'even count → mean of the middle two', input: { position: 1, recentWaitsSec: [10, 20, 30, 40], eligibleAgents: 1 }, expected: 25 },
    { label: 'scales with position', input: { position: 4, recentWaitsSec: [30, 30, 30], eligibleAgents: 1 }, expected: 120 },
    { label: 'divides by eligible agents', input: { position: 4, recentWaitsSec: [30, 30, 30], eligibleAgents: 2 }, expected: 60 },
    { label: 'rounds to the nearest second', input: { position: 1, recentWaitsSec: [10, 10, 10], eligibleAgents: 3 }, expected: 3 },
    { label: 'rounds half up', input: { position: 1, recentWaitsSec: [5, 5, 5], eligibleAgents: 2 }, expected: 3 },
    { label: 'instant waits → 0', input: { position: 2, recentWaitsSec: [0, 0, 0], eligibleAgents: 1 }, expected: 0 },
    {
      label: 'bad samples are ignored (then too few)',
      input: { position: 1, recentWaitsSec: [-5, Number.NaN, 10, 20, Number.POSITIVE_INFINITY], eligibleAgents: 1 },
      expected: 60,
    },
    {
      label: 'bad samples do not skew the median',
      input: { position: 1, recentWaitsSec: [-500, -400, 10, 20, 30], eligibleAgents: 1 },
      expected: 20,
    },
  ])('$label', ({ input, expected }) => {
    expect(estimateWaitSec(input)).toBe(expected);
  });

  it.each([0, 1, 2, 5, 17, 100])('is a non-negative integer at position %i', (position) => {
    const estimate = estimateWaitSec({ position, recentWaitsSec: [7, 13, 11, 9], eligibleAgents: 3 });
    expect(Number.isInteger(estimate)).toBe(true);
    expect(estimate).toBeGreaterThanOrEqual(0);
  });

  it('does not reorder the caller’s samples', () => {
    const samples = [30, 10, 20];
    estimateWaitSec({ position: 1, recentWaitsSec: samples, eligibleAgents: 1 });
    expect(samples).toEqual([30, 10, 20]);
  });
});

describe('waitEstimator', () => {
  it.each<{ input: Omit<WaitInput, 'position'>; estimates: [number, number | null][] }>([
    // median 52.5 s, two agents: 26.25 → 26, 52.5 → 53, 183.75 → 184
    { input: { recentWaitsSec: [30, 90, 60, 45], eligibleAgents: 2 }, estimates: [[1, 26], [2, 53], [7, 184], [1000, 26250]] },
    // fewer than three samples: the default a position, shared by the agents
    { input: { recentWaitsSec: [10], eligibleAgents: 3, defaultWaitSec: 30 }, estimates: [[1, 10], [4, 40]] },
    { input: { recentWaitsSec: [20, 40, 60], eligibleAgents: 0 }, estimates: [[1, null], [9, null]] },
  ])('estimates every position of one queue from one median ($input.eligibleAgents agents)', ({ input, estimates }) => {
    const estimate = waitEstimator(input);
    expect(estimates.map(([position]) => [position, estimate(position)])).toEqual(estimates);
    for (const [position, expected] of estimates) expect(estimateWaitSec({ ...input, position })).toBe(expected);
  });
});

describe('median', () => {
  it.each<{ values: number[]; expected: number | null }>([
    { values: [], expected: null },
    { values: [7], expected: 7 },
    { values: [1, 9], expected: 5 },
    { values: [3, 1, 2], expected: 2 },
    { values: [4, 1, 3, 2], expected: 2.5 },
  ])('median($values) = $expected', ({ values, expected }) => {
    expect(median(values)).toBe(expected);
  });
});
