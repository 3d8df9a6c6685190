import { describe, expect, it } from '@jest/globals';
import { agentCommands } from './agent.js';
import { limits } from './limits.js';

const search = agentCommands['conversation:search'];
const colleagues = agentCommands['inbox:agents'];

describe('conversation:search', () => {
  it.each(['refund', '  退款  ', 'ana@example.com', '4711', 'x'.repeat(limits.searchQueryLength)])('accepts the query %j', (query) => {
    expect(search.input.safeParse({ query }).success).toBe(true);
  });

  it.each(['', '   ', '%%', '"*()', 'x'.repeat(limits.searchQueryLength + 1)])('refuses the query %j', (query) => {
    expect(search.input.safeParse({ query }).success).toBe(false);
  });

  it('trims the query, bounds the limit and the cursor', () => {
    expect(search.input.parse({ query: ' refund ' }).query).toBe('refund');
    expect(search.input.safeParse({ query: 'a', limit: limits.searchMaxLimit + 1 }).success).toBe(false);
    expect(search.input.safeParse({ query: 'a', limit: 0 }).success).toBe(false);
    expect(search.input.safeParse({ query: 'a', cursor: 'c'.repeat(201) }).success).toBe(false);
  });

  it('describes each hit as text with its field', () => {
    const conversation = {
      id: 'c1', number: 1, inboxId: 'i1', status: 'open', assigneeId: null, visitor: { id: 'v1', name: null, email: null },
      lastSeq: 1, lastMessage: null, unread: 0, queuedAt: null, createdAt: 't', updatedAt: 't',
    };
    const hit = { conversation, match: { field: 'message', text: '<b>hi</b>', messageId: 'm1', seq: 1, createdAt: 't' } };
    expect(search.output.parse({ results: [hit], nextCursor: null }).results[0]?.match.text).toBe('<b>hi</b>');
    expect(search.output.safeParse({ results: [{ ...hit, match: { ...hit.match, field: 'html' } }], nextCursor: null }).success).toBe(false);
  });
});

describe('inbox:agents', () => {
  it('needs an inbox id', () => {
    expect(colleagues.input.safeParse({ inboxId: 'i1' }).success).toBe(true);
    expect(colleagues.input.safeParse({}).success).toBe(false);
    expect(colleagues.input.safeParse({ inboxId: '' }).success).toBe(false);
  });
});
