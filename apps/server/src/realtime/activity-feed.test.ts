import { afterEach, describe, expect, it, jest } from '@jest/globals';
import type { ConversationActivityItem } from '@kefu/protocol';
import { createActivityFeed, createBatchFeed } from './activity-feed.js';

const item = (id: string, lastSeq: number): ConversationActivityItem => ({
  id,
  status: 'open',
  assigneeId: null,
  lastSeq,
  lastMessage: null,
  unread: 0,
  updatedAt: '2026-01-01T00:00:00.000Z',
});

describe('activity feed', () => {
  it('coalesces a window into one batch per inbox, each conversation once in its latest state', () => {
    const sent: [string, ConversationActivityItem[]][] = [];
    const feed = createActivityFeed((inboxId, rows) => sent.push([inboxId, rows]), 60_000);
    feed.add('inbox-a', item('c1', 1));
    feed.add('inbox-a', item('c2', 1));
    feed.add('inbox-a', item('c1', 2));
    feed.add('inbox-b', item('c3', 7));
    expect(sent).toEqual([]);
    feed.flush();
    expect(sent).toEqual([
      ['inbox-a', [item('c1', 2), item('c2', 1)]],
      ['inbox-b', [item('c3', 7)]],
    ]);
  });

  it('starts a new window after a flush and sends nothing when nothing changed', () => {
    const sent: string[] = [];
    const feed = createActivityFeed((inboxId) => sent.push(inboxId), 60_000);
    feed.flush();
    expect(sent).toEqual([]);
    feed.add('inbox-a', item('c1', 1));
    feed.flush();
    feed.add('inbox-a', item('c1', 2));
    feed.flush();
    expect(sent).toEqual(['inbox-a', 'inbox-a']);
  });
});

describe('activity feed in parts', () => {
  afterEach(() => {
    jest.useRealTimers();
  });
  const ids = (rows: ConversationActivityItem[]) => rows.map((row) => `${row.id}@${row.lastSeq}`);

  it('sends a window with more rows than a part holds in parts: the first at once, the others spread over the next window', () => {
    jest.useFakeTimers();
    const sent: string[][] = [];
    const feed = createActivityFeed((_, rows) => sent.push(ids(rows)), 90, 2);
    for (const id of ['c1', 'c2', 'c3', 'c4', 'c5']) feed.add('inbox-a', item(id, 1));
    jest.advanceTimersByTime(89);
    expect(sent).toEqual([]);
    jest.advanceTimersByTime(1);
    expect(sent).toEqual([['c1@1', 'c2@1']]);
    jest.advanceTimersByTime(30);
    expect(sent).toEqual([['c1@1', 'c2@1'], ['c3@1', 'c4@1']]);
    jest.advanceTimersByTime(30);
    expect(sent).toEqual([['c1@1', 'c2@1'], ['c3@1', 'c4@1'], ['c5@1']]);
    jest.advanceTimersByTime(1_000);
    expect(sent).toHaveLength(3);
  });

  it('sends what is left of a window before anything newer, so no row overtakes a newer one', () => {
    jest.useFakeTimers();
    const sent: [string, string[]][] = [];
    const feed = createActivityFeed((inboxId, rows) => sent.push([inboxId, ids(rows)]), 90, 2);
    for (const id of ['c1', 'c2', 'c3', 'c4', 'c5']) feed.add('inbox-a', item(id, 1));
    feed.add('inbox-b', item('c9', 1));
    jest.advanceTimersByTime(90);
    feed.add('inbox-a', item('c5', 2));
    feed.flush();
    expect(sent).toEqual([
      ['inbox-a', ['c1@1', 'c2@1']],
      ['inbox-a', ['c3@1', 'c4@1']],
      ['inbox-a', ['c5@1']],
      ['inbox-b', ['c9@1']],
      ['inbox-a', ['c5@2']],
    ]);
  });
});

describe('batch feed (agent loads, queues)', () => {
  const keysFeed = (publish: (keys: string[]) => Promise<void>, windowMs: number) => {
    const feed = createBatchFeed<true>((batch) => publish([...batch.keys()]), () => true, windowMs);
    return { add: (keys: Iterable<string>) => feed.add([...keys].map((key) => [key, true] as const)), flush: feed.flush };
  };

  it('publishes the agents of a window once each, in one call, and nothing for an empty window', async () => {
    const calls: string[][] = [];
    const feed = keysFeed(async (ids) => void calls.push(ids), 60_000);
    await feed.flush();
    expect(calls).toEqual([]);
    feed.add(['a1']);
    feed.add(new Set(['a2', 'a1']));
    expect(calls).toEqual([]);
    await feed.flush();
    feed.add(['a2']);
    await feed.flush();
    expect(calls).toEqual([['a1', 'a2'], ['a2']]);
  });

  it('merges what one window added for a key, and starts the next window afresh', async () => {
    const calls: [string, number][][] = [];
    const feed = createBatchFeed<number>(async (batch) => void calls.push([...batch]), Math.min, 60_000);
    feed.add([['inbox-a', 5], ['inbox-b', 2]]);
    feed.add([['inbox-a', 3]]);
    feed.add([['inbox-a', 4]]);
    await feed.flush();
    feed.add([['inbox-a', 9]]);
    await feed.flush();
    expect(calls).toEqual([[['inbox-a', 3], ['inbox-b', 2]], [['inbox-a', 9]]]);
  });

  it('publishes by itself when the window ends', async () => {
    let published: (ids: string[]) => void = () => undefined;
    const done = new Promise<string[]>((resolve) => (published = resolve));
    const feed = keysFeed(async (ids) => published(ids), 10);
    feed.add(['a1']);
    await expect(done).resolves.toEqual(['a1']);
  });

  it('flush waits for a publish already running, and publishes run one at a time', async () => {
    const log: string[] = [];
    let finishFirst: () => void = () => undefined;
    const first = new Promise<void>((resolve) => (finishFirst = resolve));
    const feed = keysFeed(async (ids) => {
      log.push(`start ${ids.join()}`);
      if (ids.includes('a1')) await first;
      log.push(`end ${ids.join()}`);
    }, 60_000);
    feed.add(['a1']);
    const running = feed.flush();
    feed.add(['a2']);
    let flushed = false;
    const final = feed.flush().then(() => (flushed = true));
    await new Promise(setImmediate); // every microtask has run: only the first publish holds it
    expect(flushed).toBe(false);
    finishFirst();
    await final;
    await running;
    expect(log).toEqual(['start a1', 'end a1', 'start a2', 'end a2']);
  });
});
