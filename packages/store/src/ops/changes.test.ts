import { describe, expect, it } from '@jest/globals';
import type { ConversationRow } from '../repos/conversations.js';
import { emptyChanges, mergeChanges, mergeQueueMoves, noteConversation } from './changes.js';

const T0 = '2026-01-01T10:00:00.000Z';
const T1 = '2026-01-01T10:01:00.000Z';
const row = (id: string, status: ConversationRow['status'], queueKey: string | null, priority = 0) =>
  ({ id, inbox_id: 'inbox', status, assignee_id: null, priority, queued_at: queueKey, queue_key: queueKey, created_at: T0, snooze_until: null }) as ConversationRow;
const entry = (id: string, queuedAt: string, priority = 0) => expect.objectContaining({ id, queuedAt, priority });

describe('queue moves', () => {
  it('a conversation that joins moves the queue from its own place; the earlier of two joins wins', () => {
    const changes = emptyChanges();
    noteConversation(changes, row('late', 'queued', T1));
    expect(changes.queues.get('inbox')).toEqual(entry('late', T1));
    noteConversation(changes, row('early', 'queued', T0), row('early', 'open', null));
    noteConversation(changes, row('later', 'queued', T1));
    expect(changes.queues.get('inbox')).toEqual(entry('early', T0));
  });

  it('one that leaves the queue, or moves within it, moves the whole queue', () => {
    const left = emptyChanges();
    noteConversation(left, row('c', 'open', null), row('c', 'queued', T0));
    expect(left.queues.get('inbox')).toBe('whole');
    const raised = emptyChanges();
    noteConversation(raised, row('c', 'queued', T0, 5), row('c', 'queued', T0));
    expect(raised.queues.get('inbox')).toBe('whole');
    const rekeyed = emptyChanges();
    noteConversation(rekeyed, { ...row('c', 'queued', T1), queue_key: T0 }, row('c', 'queued', T1));
    expect(rekeyed.queues.get('inbox')).toBe('whole');
  });

  it('one that was not queued and is not now moves no queue', () => {
    const changes = emptyChanges();
    noteConversation(changes, row('c', 'resolved', null), row('c', 'open', null));
    noteConversation(changes, row('d', 'open', T1));
    expect(changes.queues.size).toBe(0);
  });

  it('a message in a queued conversation moves nothing', () => {
    const changes = emptyChanges();
    noteConversation(changes, row('c', 'queued', T0), row('c', 'queued', T0));
    expect(changes.queues.size).toBe(0);
  });

  it('merges as the queue order says: priority first, then time, and whole over any place', () => {
    const [early, late, urgent] = [{ id: 'a', queuedAt: T0, priority: 0 }, { id: 'b', queuedAt: T1, priority: 0 }, { id: 'c', queuedAt: T1, priority: 2 }];
    expect(mergeQueueMoves(late, early)).toBe(early);
    expect(mergeQueueMoves(early, urgent)).toBe(urgent);
    expect(mergeQueueMoves(early, 'whole')).toBe('whole');
    expect(mergeQueueMoves('whole', early)).toBe('whole');
    const merged = mergeChanges(emptyChanges(), emptyChanges());
    merged.queues.set('inbox', late);
    const other = emptyChanges();
    other.queues.set('inbox', early).set('other', 'whole');
    expect([...mergeChanges(merged, other).queues]).toEqual([['inbox', early], ['other', 'whole']]);
  });
});
