import { describe, it, expect } from '@jest/globals';
import { compareQueueEntries, frontOfQueueTime, frontOfQueueTimes, queuePositions, sortQueue } from './queue.js';
import type { QueueEntry } from './queue.js';
import { makeEntry } from './test-fixtures.js';

const T0 = '2024-05-01T10:00:00.000Z';
const T1 = '2024-05-01T10:01:00.000Z';
const NOW = '2024-05-01T12:00:00.000Z';

describe('compareQueueEntries', () => {
  it.each<{ label: string; a: QueueEntry; b: QueueEntry; sign: -1 | 0 | 1 }>([
    { label: 'higher priority first', a: makeEntry('x', T1, 5), b: makeEntry('y', T0, 1), sign: -1 },
    { label: 'lower priority after', a: makeEntry('x', T0, 0), b: makeEntry('y', T1, 2), sign: 1 },
    { label: 'negative priority after default', a: makeEntry('x', T0, -1), b: makeEntry('y', T1, 0), sign: 1 },
    { label: 'same priority: earlier queuedAt first', a: makeEntry('y', T0), b: makeEntry('x', T1), sign: -1 },
    { label: 'same priority: later queuedAt after', a: makeEntry('x', T1), b: makeEntry('y', T0), sign: 1 },
    { label: 'same time: smaller id first', a: makeEntry('a', T0), b: makeEntry('b', T0), sign: -1 },
    { label: 'same time: larger id after', a: makeEntry('b', T0), b: makeEntry('a', T0), sign: 1 },
    { label: 'identical', a: makeEntry('a', T0), b: makeEntry('a', T0), sign: 0 },
    { label: 'offsets compare as instants', a: makeEntry('x', '2024-05-01T11:30:00+02:00'), b: makeEntry('y', T0), sign: -1 },
    { label: 'unparsable queuedAt waits behind', a: makeEntry('a', 'garbage'), b: makeEntry('b', T1), sign: 1 },
  ])('$label', ({ a, b, sign }) => {
    expect(Math.sign(compareQueueEntries(a, b))).toBe(sign);
  });
});

describe('sortQueue', () => {
  it.each<{ label: string; entries: QueueEntry[]; order: string[] }>([
    { label: 'empty', entries: [], order: [] },
    { label: 'single', entries: [makeEntry('a', T0)], order: ['a'] },
    {
      label: 'priority, then time, then id',
      entries: [makeEntry('d', T0), makeEntry('c', T1, 1), makeEntry('b', T1), makeEntry('a', T1), makeEntry('e', T1, 2)],
      order: ['e', 'c', 'd', 'a', 'b'],
    },
  ])('$label', ({ entries, order }) => {
    expect(sortQueue(entries).map((e) => e.id)).toEqual(order);
  });

  it('ranks a long mixed queue as the rule says: priority, then the instant (unparsable last), then id', () => {
    const times = [T0, T1, '2024-05-01T11:30:00+02:00', 'garbage', '2024-05-01T10:00:00.000+00:00'];
    const entries = Array.from({ length: 60 }, (_, i) => makeEntry(`c${(i * 37) % 60}`, times[i % times.length]!, (i * 7) % 3));
    // The rule written out on its own, times parsed at every comparison as before change 71.
    const instant = (e: QueueEntry) => (Number.isNaN(Date.parse(e.queuedAt)) ? Infinity : Date.parse(e.queuedAt));
    const rule = (a: QueueEntry, b: QueueEntry) =>
      b.priority - a.priority || (instant(a) === instant(b) ? 0 : instant(a) < instant(b) ? -1 : 1) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
    expect(sortQueue(entries).map((e) => e.id)).toEqual([...entries].sort(rule).map((e) => e.id));
  });

  it('returns a new array and keeps the extra fields', () => {
    const entries = [{ ...makeEntry('b', T1), visitor: 'Vi' }, { ...makeEntry('a', T0), visitor: 'Wu' }];
    const sorted = sortQueue(entries);
    expect(sorted).not.toBe(entries);
    expect(entries.map((e) => e.id)).toEqual(['b', 'a']);
    expect(sorted.map((e) => e.visitor)).toEqual(['Wu', 'Vi']);
  });
});

describe('queuePositions', () => {
  it.each<{ label: string; entries: QueueEntry[]; positions: [string, number][] }>([
    { label: 'empty', entries: [], positions: [] },
    {
      label: '1-based in queue order',
      entries: [makeEntry('late', T1), makeEntry('urgent', T1, 3), makeEntry('early', T0)],
      positions: [['urgent', 1], ['early', 2], ['late', 3]],
    },
  ])('$label', ({ entries, positions }) => {
    expect([...queuePositions(entries)]).toEqual(positions);
  });
});

describe('frontOfQueueTime', () => {
  it.each<{ label: string; queue: QueueEntry[]; expected: string }>([
    { label: 'empty queue → now', queue: [], expected: NOW },
    { label: '1 ms before the only entry', queue: [makeEntry('a', T0)], expected: '2024-05-01T09:59:59.999Z' },
    {
      label: '1 ms before the earliest, whatever the order or priority',
      queue: [makeEntry('a', T1, 9), makeEntry('b', T0), makeEntry('c', T1)],
      expected: '2024-05-01T09:59:59.999Z',
    },
    { label: 'offsets are normalized to UTC', queue: [makeEntry('a', '2024-05-01T12:00:00+02:00')], expected: '2024-05-01T09:59:59.999Z' },
    { label: 'unparsable entries are ignored', queue: [makeEntry('a', 'garbage'), makeEntry('b', T1)], expected: '2024-05-01T10:00:59.999Z' },
    { label: 'only unparsable entries → now', queue: [makeEntry('a', 'garbage')], expected: NOW },
  ])('$label', ({ queue, expected }) => {
    expect(frontOfQueueTime(queue, NOW)).toBe(expected);
  });

  it('puts a requeued conversation at the front of its priority', () => {
    const queue = [makeEntry('waiting-1', T0), makeEntry('waiting-2', T1)];
    const requeued = makeEntry('zz-requeued', frontOfQueueTime(queue, NOW));
    expect(sortQueue([...queue, requeued]).map((e) => e.id)).toEqual(['zz-requeued', 'waiting-1', 'waiting-2']);
  });
});

describe('frontOfQueueTimes', () => {
  it('gives the same keys as placing each ahead of the queue, last first', () => {
    const queue = [makeEntry('waiting-1', T0), makeEntry('waiting-2', T1, 9)];
    const oneByOne: QueueEntry[] = [...queue];
    for (const id of ['c', 'b', 'a']) oneByOne.push(makeEntry(id, frontOfQueueTime(oneByOne, NOW)));
    const keys = frontOfQueueTimes(queue, 3, NOW);
    expect(keys).toEqual(['a', 'b', 'c'].map((id) => oneByOne.find((e) => e.id === id)!.queuedAt));
    expect(keys).toEqual(['2024-05-01T09:59:59.997Z', '2024-05-01T09:59:59.998Z', '2024-05-01T09:59:59.999Z']);
  });

  it('ends at now on an empty queue, and puts them in the order given ahead of the rest', () => {
    expect(frontOfQueueTimes([], 2, NOW)).toEqual([new Date(Date.parse(NOW) - 1).toISOString(), NOW]);
    const queue = [makeEntry('waiting', T0)];
    const requeued = frontOfQueueTimes(queue, 2, NOW).map((key, i) => makeEntry(`zz-${i}`, key));
    expect(sortQueue([...queue, ...requeued]).map((e) => e.id)).toEqual(['zz-0', 'zz-1', 'waiting']);
    expect(frontOfQueueTimes(queue, 0, NOW)).toEqual([]);
  });
});
