import { describe, expect, it } from '@jest/globals';
import type { Message } from '@kefu/protocol';
import { mergeMessages } from './message-list.js';

const message = (seq: number, body = `body ${seq}`): Message => ({
  id: `m${seq}`,
  conversationId: 'c1',
  seq,
  prevSeq: seq - 1,
  clientMsgId: null,
  author: { type: 'agent', id: 'x', name: 'Ana' },
  kind: 'text',
  body,
  attachments: [],
  createdAt: '2026-11-30T10:00:00.000Z',
});

describe('mergeMessages', () => {
  it('merges by seq: sorted, each seq once, a re-delivery never replaces', () => {
    const merged = mergeMessages([message(2), message(4)], [message(3), message(1), message(2, 'changed')]);
    expect(merged.map((m) => m.seq)).toEqual([1, 2, 3, 4]);
    expect(merged[1]?.body).toBe('body 2');
  });
});
