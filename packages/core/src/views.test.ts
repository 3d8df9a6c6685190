import { describe, expect, it } from '@jest/globals';
import type { ConversationStatus, ConversationView } from '@kefu/protocol';
import { isInView } from './views.js';

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
