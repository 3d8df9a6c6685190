import { describe, expect, it } from '@jest/globals';
import type { AgentConversation, AgentProfile, Message } from '@kefu/protocol';
import { isWatching, nameList, otherViewers, repliedMeanwhile } from '../lib/collision';

const message = (seq: number, author: Message['author'], kind: Message['kind'] = 'text'): Message => ({
  id: `m${seq}`,
  conversationId: 'c1',
  seq,
  prevSeq: seq - 1,
  clientMsgId: null,
  author,
  kind,
  body: `message ${seq}`,
  attachments: [],
  createdAt: '2026-12-01T03:00:00.000Z',
});
const ana = { type: 'agent', id: 'ana', name: 'Ana' } as const;
const bo = { type: 'agent', id: 'bo', name: 'Bo' } as const;
const shopper = { type: 'visitor', id: 'v1', name: 'Yan' } as const;

describe('repliedMeanwhile', () => {
  const history = [message(1, shopper), message(2, bo), message(3, ana), message(4, bo, 'note'), message(5, { type: 'system', id: null, name: null }, 'event'), message(6, bo)];

  it("names colleagues whose public replies came after the draft began, once each, never me, never notes or the shopper's", () => {
    expect(repliedMeanwhile(history, 1, 'ana')).toEqual(['Bo']);
    expect(repliedMeanwhile(history, 2, 'bo')).toEqual(['Ana']);
  });

  it('is empty when nothing new came from a colleague', () => {
    expect(repliedMeanwhile(history, 6, 'ana')).toEqual([]);
    expect(repliedMeanwhile(history.slice(0, 5), 2, 'ana')).toEqual([]);
  });
});

describe('the rest of the guard', () => {
  it('lists names in the language of the desk', () => {
    expect(nameList(['Bo'], 'en')).toBe('Bo');
    expect(nameList(['Ana', 'Bo'], 'en')).toBe('Ana and Bo');
    expect(nameList(['Ana', 'Bo'], 'zh-CN')).toBe('Ana和Bo');
  });

  it('leaves me out of the viewers', () => {
    const viewer = (agentId: string) => ({ agentId, name: agentId, role: 'agent' as const, typing: false });
    expect(otherViewers([viewer('ana'), viewer('bo')], 'ana')).toEqual([viewer('bo')]);
  });

  it('an admin watches what another agent holds and is not resolved', () => {
    const admin = { id: 'root', role: 'admin' } as AgentProfile;
    const agent = { id: 'ana', role: 'agent' } as AgentProfile;
    const held = { assigneeId: 'ana', status: 'open' } as AgentConversation;
    expect(isWatching(held, admin)).toBe(true);
    expect(isWatching(held, agent)).toBe(false);
    expect(isWatching({ ...held, assigneeId: null }, admin)).toBe(false);
    expect(isWatching({ ...held, assigneeId: 'root' }, admin)).toBe(false);
    expect(isWatching({ ...held, status: 'resolved' }, admin)).toBe(false);
  });
});
