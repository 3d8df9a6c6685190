import { describe, expect, it } from '@jest/globals';
import type { Message, VisitorConversation } from '@kefu/protocol';
import { initialState, offersRating, viewOf, type ChatState } from './chat-state.js';

const inbox = (online: boolean, csatEnabled = true): NonNullable<ChatState['inbox']> => ({ id: 'i', name: 'Shop', greeting: '', online, maxMessageLength: 100, csatEnabled });
const conversation = (status: VisitorConversation['status']): VisitorConversation => ({ id: 'c', status, assignee: null, lastSeq: 1, queue: null, createdAt: '2026-11-30T10:00:00.000Z' });
const one = [{ id: 'm1' } as Message];

describe('chat view', () => {
  it.each<[string, Partial<ChatState>, ReturnType<typeof viewOf>]>([
    ['before the session', {}, 'connecting'],
    ['online, nothing yet', { inbox: inbox(true) }, 'chat'],
    ['away, nothing yet', { inbox: inbox(false) }, 'away-form'],
    ['away, a conversation in progress', { inbox: inbox(false), conversation: conversation('queued'), messages: one }, 'chat'],
    ['away, after a resolved one', { inbox: inbox(false), conversation: conversation('resolved') }, 'away-form'],
    ['away, message just left', { inbox: inbox(false), leftAwayMessage: true }, 'chat'],
    ['away since the shopper started writing', { inbox: inbox(false), composing: true }, 'chat'],
  ])('%s', (_, patch, view) => {
    expect(viewOf({ ...initialState, ...patch })).toBe(view);
  });

  it('offers a rating only for a resolved conversation of an inbox that asks for one', () => {
    const base = { ...initialState, messages: one };
    expect(offersRating({ ...base, inbox: inbox(true), conversation: conversation('resolved') })).toBe(true);
    expect(offersRating({ ...base, inbox: inbox(true), conversation: conversation('open') })).toBe(false);
    expect(offersRating({ ...base, inbox: inbox(true, false), conversation: conversation('resolved') })).toBe(false);
  });
});
