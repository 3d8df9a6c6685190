import { describe, expect, it } from '@jest/globals';
import { agentCommands, agentServerEvents } from './agent.js';
import { TypingChangedSchema } from './common-commands.js';
import { limits } from './limits.js';
import { MessageSchema } from './shapes.js';

const whisper = agentCommands['conversation:whisper'].input;
const viewers = agentServerEvents['conversation:viewers'];

describe('conversation:whisper', () => {
  it('takes a conversation, a clientMsgId and a body', () => {
    expect(whisper.parse({ conversationId: 'c1', clientMsgId: 'w1', body: 'Offer the refund' })).toEqual({ conversationId: 'c1', clientMsgId: 'w1', body: 'Offer the refund' });
  });

  it.each([
    ['no clientMsgId', { conversationId: 'c1', body: 'x' }],
    ['an empty clientMsgId', { conversationId: 'c1', clientMsgId: '', body: 'x' }],
    ['no conversation', { clientMsgId: 'w1', body: 'x' }],
    ['a body past the raw limit', { conversationId: 'c1', clientMsgId: 'w1', body: 'x'.repeat(limits.bodyRawMax + 1) }],
    ['a body that is not a string', { conversationId: 'c1', clientMsgId: 'w1', body: 42 }],
  ])('refuses %s', (_what, payload) => {
    expect(whisper.safeParse(payload).success).toBe(false);
  });
});

describe('conversation:viewers', () => {
  const viewer = { agentId: 'a1', name: 'Ana', role: 'agent', typing: true };

  it('lists agents with their role and whether they type', () => {
    expect(viewers.parse({ conversationId: 'c1', viewers: [viewer] }).viewers).toEqual([viewer]);
  });

  it('refuses an unknown role and a list longer than the limit', () => {
    expect(viewers.safeParse({ conversationId: 'c1', viewers: [{ ...viewer, role: 'visitor' }] }).success).toBe(false);
    expect(viewers.safeParse({ conversationId: 'c1', viewers: Array.from({ length: limits.viewersListed + 1 }, () => viewer) }).success).toBe(false);
  });
});

describe('additive fields', () => {
  const message = {
    id: 'm1',
    conversationId: 'c1',
    seq: 3,
    prevSeq: 2,
    clientMsgId: null,
    author: { type: 'agent', id: 'root', name: 'Admin' },
    kind: 'note',
    body: 'psst',
    attachments: [],
    createdAt: '2026-12-01T03:00:00.000Z',
  };

  it('a Message may name the agent a whisper was for, and older messages without it still parse', () => {
    expect(MessageSchema.parse({ ...message, whisperTo: 'a1' }).whisperTo).toBe('a1');
    expect(MessageSchema.parse(message).whisperTo).toBeUndefined();
  });

  it('typing:changed may say which agent types', () => {
    expect(TypingChangedSchema.parse({ conversationId: 'c1', typing: true, name: 'Ana', agentId: 'a1' }).agentId).toBe('a1');
  });

  it('whisper:received needs a whole conversation beside the message', () => {
    expect(agentServerEvents['whisper:received'].safeParse({ conversation: {}, message }).success).toBe(false);
  });
});
