import { describe, expect, it } from '@jest/globals';
import { setTimeout as wait } from 'node:timers/promises';
import { generatorLag, latestOf } from './generator-lag.js';

/** Keeps the event loop busy for `ms`, as a burst of frames to read would. */
const block = (ms: number) => {
  const until = performance.now() + ms;
  while (performance.now() < until);
};

describe('generatorLag', () => {
  it('reports how long the event loop was held up, and the 99th percentile of its ticks apart', async () => {
    const lag = generatorLag();
    await wait(200);
    block(40);
    await wait(200);
    const late = lag.stop();
    expect(late.max).toBeGreaterThanOrEqual(38);
    // One held-up tick among a few hundred does not make the 99th percentile.
    expect(late.p99).toBeLessThan(late.max);
  });

  it('counts only what happened between its start and stop', async () => {
    block(200);
    const lag = generatorLag();
    await wait(100);
    expect(lag.stop().max).toBeLessThan(150);
  });
});

describe('latestOf', () => {
  it('takes each figure from the loop that was latest in it, and nothing from none', () => {
    expect(latestOf([{ p99: 1.5, max: 9 }, { p99: 2.5, max: 4 }])).toEqual({ p99: 2.5, max: 9 });
    expect(latestOf([])).toEqual({ p99: 0, max: 0 });
  });
});
