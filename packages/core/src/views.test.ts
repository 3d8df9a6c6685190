import { describe, expect, it } from '@jest/globals';
import type { ConversationStatus, ConversationView } from '@kefu/protocol';
import { isInView, statusesIn } from './views.js';

describe('isInView', () => {
  const me = 'agent-1';
  it.each<[ConversationStatus, string | null, ConversationView[]]>([
    ['queued', null, ['unassigned', 'all']],
    ['open', me, ['mine', 'all']],
    ['open', 'agent-2', ['all']],
    ['snoozed', me, ['mine', 'all']],
    ['resolved', me, ['resolved']],
    ['resolved', null, ['resolved']],
  ])('%s assigned to %s is in %j', (status, assigneeId, views) => {
    const all: ConversationView[] = ['mine', 'unassigned', 'all', 'resolved'];
    expect(all.filter((view) => isInView({ status, assigneeId }, view, me))).toEqual(views);
  });
});

describe('statusesIn', () => {
  it.each<[ConversationView, ConversationStatus[]]>([
    ['resolved', ['resolved']],
    ['all', ['queued', 'open', 'snoozed']],
    ['mine', ['queued', 'open', 'snoozed']],
    ['unassigned', ['queued', 'open', 'snoozed']],
  ])('%s shows %j, the statuses isInView lets in', (view, statuses) => {
    expect(statusesIn(view)).toEqual(statuses);
    for (const status of statuses) expect(isInView({ status, assigneeId: null }, view, 'x') || isInView({ status, assigneeId: 'x' }, view, 'x')).toBe(true);
  });
});
