import { describe, expect, it } from '@jest/globals';
import type { Message } from '@kefu/protocol';
import { countUnread, groupByDay, lastSeenOwnSeq, textOn, waitMinutes } from './timeline.js';

const message = (seq: number, authorType: Message['author']['type'] = 'agent', extra: Partial<Message> = {}): Message => ({
  id: `m${seq}`,
  conversationId: 'c1',
  seq,
  prevSeq: seq - 1,
  clientMsgId: null,
  author: { type: authorType, id: authorType === 'system' ? null : 'x', name: 'Ana' },
  kind: 'text',
  body: `body ${seq}`,
  attachments: [],
  createdAt: '2026-11-30T10:00:00.000Z',
  ...extra,
});

describe('timeline', () => {
  it('counts unread shop messages after the read mark, not the shopper’s own or notes', () => {
    const list = [message(1, 'visitor'), message(2), message(3, 'system', { kind: 'event' }), message(4, 'agent', { kind: 'note' }), message(5, 'visitor')];
    expect(countUnread(list, 0)).toBe(2);
    expect(countUnread(list, 2)).toBe(1);
    expect(countUnread(list, 5)).toBe(0);
  });

  it('puts "Seen" under the latest own message the shop has read', () => {
    const list = [message(1, 'visitor'), message(2), message(3, 'visitor'), message(4, 'visitor')];
    expect(lastSeenOwnSeq(list, 0)).toBeNull();
    expect(lastSeenOwnSeq(list, 3)).toBe(3);
    expect(lastSeenOwnSeq(list, 9)).toBe(4);
  });

  it('groups by local day: today, yesterday, then dates', () => {
    const now = new Date(2026, 10, 30, 15, 0);
    const at = (d: Date) => ({ t: d.toISOString() });
    const items = [at(new Date(2026, 10, 20, 9)), at(new Date(2026, 10, 29, 23, 59)), at(new Date(2026, 10, 30, 0, 1)), at(new Date(2026, 10, 30, 14))];
    const groups = groupByDay(items, (i) => i.t, now);
    expect(groups.map((g) => g.label.kind)).toEqual(['date', 'yesterday', 'today']);
    expect(groups.map((g) => g.items.length)).toEqual([1, 1, 2]);
  });

  it.each([
    [0, 0],
    [59, 0],
    [60, 1],
    [150, 3],
  ])('a wait of %is shows as %i minutes', (seconds, minutes) => {
    expect(waitMinutes(seconds)).toBe(minutes);
  });

  it.each([
    ['#2563eb', '#fff'],
    ['#ffffff', '#000'],
    ['#facc15', '#000'],
    ['#111827', '#fff'],
  ])('text on %s is %s', (accent, text) => {
    expect(textOn(accent)).toBe(text);
  });
});
