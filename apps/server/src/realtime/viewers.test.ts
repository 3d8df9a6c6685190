import { describe, expect, it } from '@jest/globals';
import { limits } from '@kefu/protocol';
import { viewersOf } from './viewers.js';

const socket = (agentId: string, name: string, viewing?: { conversationId: string; typing: boolean }) => ({ agentId, name, role: 'agent' as const, viewing });

describe('viewersOf', () => {
  it('lists the sockets viewing this conversation, once per agent, typing if any of their tabs types, sorted by name', () => {
    const viewers = viewersOf('c1', [
      socket('b', 'Bo', { conversationId: 'c1', typing: false }),
      socket('a', 'Ana', { conversationId: 'c1', typing: false }),
      socket('b', 'Bo', { conversationId: 'c1', typing: true }),
      socket('a', 'Ana', { conversationId: 'c1', typing: false }),
    ]);
    expect(viewers).toEqual([
      { agentId: 'a', name: 'Ana', role: 'agent', typing: false },
      { agentId: 'b', name: 'Bo', role: 'agent', typing: true },
    ]);
  });

  it('leaves out sockets still in the room that moved on to another conversation, or view none', () => {
    expect(viewersOf('c1', [socket('a', 'Ana', { conversationId: 'c2', typing: true }), socket('b', 'Bo')])).toEqual([]);
  });

  it('names at most the protocol limit', () => {
    const many = Array.from({ length: limits.viewersListed + 5 }, (_, i) => socket(`a${i}`, `Agent ${String(i).padStart(3, '0')}`, { conversationId: 'c1', typing: false }));
    expect(viewersOf('c1', many)).toHaveLength(limits.viewersListed);
  });
});
