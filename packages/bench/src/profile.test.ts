import { describe, expect, it } from '@jest/globals';
import { packageOf, selfTime, topShares, type CpuProfile } from './profile.js';

const frame = (id: number, functionName: string, url = '') => ({ id, callFrame: { functionName, url, lineNumber: 9 } });

/** Samples 1 ms apart from 10 000 ms on (times in µs), but the fourth waited 5 ms for the next. */
const profile: CpuProfile = {
  nodes: [frame(1, '(idle)'), frame(2, 'send', '/srv/kefu/node_modules/ws/lib/sender.js'), frame(3, 'appendInTwoStatements', 'file:///srv/kefu/packages/store/dist/ops/append.js')],
  startTime: 10_000_000,
  samples: [1, 2, 3, 3, 2, 1],
  timeDeltas: [0, 1_000, 1_000, 1_000, 5_000, 1_000],
};

describe('selfTime', () => {
  it('counts each sample for the time until the next, by function and by package', () => {
    const time = selfTime(profile);
    expect(time.totalMs).toBe(9);
    expect(time.idleMs).toBe(1);
    expect(time.longSamplesMs).toBe(5);
    expect(time.byPackage.get('kefu/store')).toBe(6);
    expect(time.byFunction.get('send ws:10')).toBe(2);
  });

  it('reads only the samples taken within a stretch of the monotonic clock (ms)', () => {
    const time = selfTime(profile, (at) => at >= 10_001 && at < 10_003);
    expect(time.totalMs).toBe(2);
    expect([...time.byFunction.keys()]).toEqual(['send ws:10', 'appendInTwoStatements kefu/store:10']);
  });
});

describe('packageOf and topShares', () => {
  it('names where code comes from, and lists the largest shares first', () => {
    expect(packageOf('/x/node_modules/@socket.io/redis-adapter/dist/index.js')).toBe('@socket.io/redis-adapter');
    expect(packageOf('node:internal/stream_base_commons')).toBe('node');
    expect(packageOf('')).toBe('(native / idle / gc)');
    expect(topShares(new Map([['a', 1], ['b', 3]]), 8, 1)).toEqual([' 37.5 %  b']);
  });
});
