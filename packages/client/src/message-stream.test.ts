import { describe, expect, it } from '@jest/globals';
import type { Message } from '@kefu/protocol';
import { deferred, type Deferred } from './deferred.js';
import { MessageStream, type SyncPage } from './message-stream.js';

const conv = 'c1';

function message(seq: number, prevSeq = seq - 1, conversationId = conv): Message {
  return {
    id: `m${seq}`,
    conversationId,
    seq,
    prevSeq,
    clientMsgId: null,
    author: { type: 'agent', id: 'a1', name: 'Ann' },
    kind: 'text',
    body: `message ${seq}`,
    attachments: [],
    createdAt: '2025-01-01T00:00:00.000Z',
  };
}

/** A sync whose answers the test releases by hand, recording how many calls overlap. */
class ControlledSync {
  readonly calls: { afterSeq: number; answer: Deferred<SyncPage> }[] = [];
  inFlight = 0;
  maxInFlight = 0;
  private readonly arrivals: (() => void)[] = [];

  readonly fn = async (_conversationId: string, afterSeq: number): Promise<SyncPage> => {
    const answer = deferred<SyncPage>();
    this.calls.push({ afterSeq, answer });
    this.inFlight++;
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
    this.arrivals.splice(0).forEach((notify) => notify());
    try {
      return await answer.promise;
    } finally {
      this.inFlight--;
    }
  };

  /** Resolves when call number `n` (1-based) has been made. */
  called(n: number): Promise<void> {
    if (this.calls.length >= n) return Promise.resolve();
    return new Promise((resolve) => this.arrivals.push(() => void this.called(n).then(resolve)));
  }
}

function streamWith(sync: (id: string, afterSeq: number) => Promise<SyncPage>) {
  const errors: unknown[] = [];
  const stream = new MessageStream(sync, (error) => errors.push(error));
  const seqs: number[] = [];
  stream.onMessage((m) => seqs.push(m.seq));
  return { stream, seqs, errors };
}

const noSync = (): Promise<SyncPage> => Promise.reject(new Error('unexpected sync'));

describe('MessageStream', () => {
  it('delivers contiguous messages in order and drops duplicates', async () => {
    const { stream, seqs, errors } = streamWith(noSync);
    stream.watch(conv, 0);
    await Promise.all([1, 2, 2, 1, 3].map((seq) => stream.ingest(message(seq))));
    expect(seqs).toEqual([1, 2, 3]);
    expect(errors).toEqual([]);
  });

  it('follows prevSeq, not seq + 1, since visitors never see private notes', async () => {
    const { stream, seqs } = streamWith(noSync);
    stream.watch(conv, 1);
    await stream.ingest(message(4, 1));
    expect(seqs).toEqual([4]);
  });

  it('ignores conversations it does not watch, and stops after unwatch', async () => {
    const { stream, seqs } = streamWith(noSync);
    await stream.ingest(message(1, 0, 'other'));
    stream.watch(conv, 0);
    await stream.ingest(message(1));
    stream.unwatch(conv);
    await stream.ingest(message(2));
    expect(seqs).toEqual([1]);
  });

  it('keeps one sync in flight per conversation and delivers each missing message once', async () => {
    const sync = new ControlledSync();
    const { stream, seqs } = streamWith(sync.fn);
    stream.watch(conv, 1);
    // Two gapped broadcasts and a reconnect resync, all at once.
    const work = Promise.all([stream.ingest(message(4)), stream.ingest(message(6)), stream.resync(conv)]);
    await sync.called(1);
    sync.calls[0]?.answer.resolve({ messages: [message(2), message(3), message(4)], lastSeq: 4, hasMore: false });
    // 6 still has a gap (5 was committed after the first page was read): a second sync, after the first.
    await sync.called(2);
    expect(sync.calls[1]?.afterSeq).toBe(4);
    sync.calls[1]?.answer.resolve({ messages: [message(5), message(6)], lastSeq: 6, hasMore: false });
    await sync.called(3);
    expect(sync.calls[2]?.afterSeq).toBe(6);
    sync.calls[2]?.answer.resolve({ messages: [], lastSeq: 6, hasMore: false });
    await work;
    expect(seqs).toEqual([2, 3, 4, 5, 6]);
    expect(sync.maxInFlight).toBe(1);
  });

  it('reports a failed sync and fills the gap on the next one', async () => {
    let fail = true;
    const sync = async (_id: string, afterSeq: number): Promise<SyncPage> => {
      if (fail) throw new Error('no ack');
      return { messages: [message(2), message(3)].filter((m) => m.seq > afterSeq), lastSeq: 3, hasMore: false };
    };
    const { stream, seqs, errors } = streamWith(sync);
    stream.watch(conv, 1);
    await stream.ingest(message(3));
    expect(seqs).toEqual([]);
    expect(errors).toHaveLength(1);
    fail = false;
    await stream.resync(conv);
    expect(seqs).toEqual([2, 3]);
  });

  it('keeps delivering to other listeners when one throws', async () => {
    const { stream, seqs, errors } = streamWith(noSync);
    stream.onMessage(() => {
      throw new Error('listener bug');
    });
    stream.watch(conv, 0);
    await stream.ingest(message(1));
    await stream.ingest(message(2));
    expect(seqs).toEqual([1, 2]);
    expect(errors).toHaveLength(2);
  });
});
