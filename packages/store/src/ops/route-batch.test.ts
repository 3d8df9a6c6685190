import { describe, expect, it } from '@jest/globals';
import type { ConversationRow } from '../repos/conversations.js';
import type { MessageRow } from '../repos/messages.js';
import { emptyChanges } from './changes.js';
import { splitChanges } from './route-batch.js';

const conversation = (id: string, assignee: string | null) => ({ id, assignee_id: assignee, inbox_id: 'inbox' }) as ConversationRow;
const message = (id: string, conversationId: string) => ({ id, conversation_id: conversationId }) as MessageRow;

describe('splitChanges', () => {
  it('gives each caller its own conversation, messages and assignee, and the first one the rest', () => {
    const changes = emptyChanges();
    for (const row of [conversation('c1', 'a1'), conversation('c2', 'a2'), conversation('old', 'a1')]) {
      changes.conversations.set(row.id, row);
      changes.moved.add(row.id);
    }
    changes.messages.push(message('m1', 'c1'), message('m2', 'c2'), message('m3', 'old'));
    changes.agentIds.add('a1').add('a2').add('a3');
    changes.queues.set('inbox', 'whole');
    changes.assignees.set('a1', { name: 'Ann' }).set('a2', { name: 'Bo', avatarUrl: '/bo.png' });

    const [first, second] = splitChanges(changes, ['c1', 'c2']);
    expect([...first!.conversations.keys()]).toEqual(['c1', 'old']);
    expect(first!.messages.map((m) => m.id)).toEqual(['m1', 'm3']);
    expect([...first!.agentIds].sort()).toEqual(['a1', 'a3']);
    expect([...first!.queues]).toEqual([['inbox', 'whole']]);
    expect([...second!.conversations.keys()]).toEqual(['c2']);
    expect(second!.messages.map((m) => m.id)).toEqual(['m2']);
    expect([...second!.agentIds]).toEqual(['a2']);
    expect([...second!.moved]).toEqual(['c2']);
    expect(second!.queues.size).toBe(0);
    expect(Object.fromEntries(first!.assignees)).toEqual({ a1: { name: 'Ann' } });
    expect(Object.fromEntries(second!.assignees)).toEqual({ a2: { name: 'Bo', avatarUrl: '/bo.png' } });
  });
});
