import { describe, it, expect } from '@jest/globals';
import type { ConversationStatus } from '@kefu/protocol';
import { startsNewConversation, statusesKeptBy, transition } from './status.js';
import type { StatusAction } from './status.js';

const ANA = 'agent-ana';
const statuses: ConversationStatus[] = ['queued', 'open', 'snoozed', 'resolved'];
const actions: StatusAction[] = ['assign', 'requeue', 'snooze', 'open', 'resolve', 'visitor_message'];

// Every cell of the machine, for a conversation with and without an assignee.
// A string is the expected status; { refuse } is a substring of the expected reason.
type Expected = ConversationStatus | { refuse: string };
const cells: { action: StatusAction; from: ConversationStatus; assigneeId: string | null; expected: Expected }[] = [
  { action: 'assign', from: 'queued', assigneeId: null, expected: 'open' },
  { action: 'assign', from: 'queued', assigneeId: ANA, expected: 'open' },
  { action: 'assign', from: 'open', assigneeId: ANA, expected: 'open' },
  { action: 'assign', from: 'open', assigneeId: null, expected: 'open' },
  { action: 'assign', from: 'snoozed', assigneeId: ANA, expected: 'snoozed' },
  { action: 'assign', from: 'snoozed', assigneeId: null, expected: 'snoozed' },
  { action: 'assign', from: 'resolved', assigneeId: ANA, expected: { refuse: 'resolved' } },
  { action: 'assign', from: 'resolved', assigneeId: null, expected: { refuse: 'resolved' } },

  { action: 'requeue', from: 'queued', assigneeId: null, expected: 'queued' },
  { action: 'requeue', from: 'queued', assigneeId: ANA, expected: 'queued' },
  { action: 'requeue', from: 'open', assigneeId: ANA, expected: 'queued' },
  { action: 'requeue', from: 'open', assigneeId: null, expected: 'queued' },
  { action: 'requeue', from: 'snoozed', assigneeId: ANA, expected: 'queued' },
  { action: 'requeue', from: 'snoozed', assigneeId: null, expected: 'queued' },
  { action: 'requeue', from: 'resolved', assigneeId: ANA, expected: { refuse: 'resolved' } },
  { action: 'requeue', from: 'resolved', assigneeId: null, expected: { refuse: 'resolved' } },

  { action: 'snooze', from: 'queued', assigneeId: null, expected: { refuse: 'claim it first' } },
  { action: 'snooze', from: 'queued', assigneeId: ANA, expected: { refuse: 'claim it first' } },
  { action: 'snooze', from: 'open', assigneeId: ANA, expected: 'snoozed' },
  { action: 'snooze', from: 'open', assigneeId: null, expected: 'snoozed' },
  { action: 'snooze', from: 'snoozed', assigneeId: ANA, expected: 'snoozed' },
  { action: 'snooze', from: 'snoozed', assigneeId: null, expected: 'snoozed' },
  { action: 'snooze', from: 'resolved', assigneeId: ANA, expected: { refuse: 'resolved' } },
  { action: 'snooze', from: 'resolved', assigneeId: null, expected: { refuse: 'resolved' } },

  { action: 'open', from: 'queued', assigneeId: null, expected: { refuse: 'claim it instead' } },
  { action: 'open', from: 'queued', assigneeId: ANA, expected: { refuse: 'claim it instead' } },
  { action: 'open', from: 'open', assigneeId: ANA, expected: 'open' },
  { action: 'open', from: 'open', assigneeId: null, expected: 'open' },
  { action: 'open', from: 'snoozed', assigneeId: ANA, expected: 'open' },
  { action: 'open', from: 'snoozed', assigneeId: null, expected: 'open' },
  { action: 'open', from: 'resolved', assigneeId: ANA, expected: 'open' },
  { action: 'open', from: 'resolved', assigneeId: null, expected: 'queued' },

  { action: 'resolve', from: 'queued', assigneeId: null, expected: 'resolved' },
  { action: 'resolve', from: 'queued', assigneeId: ANA, expected: 'resolved' },
  { action: 'resolve', from: 'open', assigneeId: ANA, expected: 'resolved' },
  { action: 'resolve', from: 'open', assigneeId: null, expected: 'resolved' },
  { action: 'resolve', from: 'snoozed', assigneeId: ANA, expected: 'resolved' },
  { action: 'resolve', from: 'snoozed', assigneeId: null, expected: 'resolved' },
  { action: 'resolve', from: 'resolved', assigneeId: ANA, expected: 'resolved' },
  { action: 'resolve', from: 'resolved', assigneeId: null, expected: 'resolved' },

  { action: 'visitor_message', from: 'queued', assigneeId: null, expected: 'queued' },
  { action: 'visitor_message', from: 'queued', assigneeId: ANA, expected: 'queued' },
  { action: 'visitor_message', from: 'open', assigneeId: ANA, expected: 'open' },
  { action: 'visitor_message', from: 'open', assigneeId: null, expected: 'open' },
  { action: 'visitor_message', from: 'snoozed', assigneeId: ANA, expected: 'open' },
  { action: 'visitor_message', from: 'snoozed', assigneeId: null, expected: 'open' },
  { action: 'visitor_message', from: 'resolved', assigneeId: ANA, expected: { refuse: 'resolved' } },
  { action: 'visitor_message', from: 'resolved', assigneeId: null, expected: { refuse: 'resolved' } },
];

describe('transition', () => {
  it.each(cells.filter((c) => typeof c.expected === 'string'))(
    '$action from $from (assignee $assigneeId) → $expected',
    ({ action, from, assigneeId, expected }) => {
      expect(transition({ status: from, assigneeId }, action)).toEqual({ ok: true, status: expected });
    },
  );

  it.each(cells.filter((c) => typeof c.expected !== 'string'))(
    '$action from $from (assignee $assigneeId) is refused',
    ({ action, from, assigneeId, expected }) => {
      const result = transition({ status: from, assigneeId }, action);
      expect(result.ok).toBe(false);
      if (result.ok || typeof expected === 'string') throw new Error('expected a refusal');
      expect(result.reason).toContain(expected.refuse);
    },
  );

  it('has a row for every action × status × assignee', () => {
    const covered = new Set(cells.map((c) => `${c.action}/${c.from}/${c.assigneeId}`));
    const all = actions.flatMap((a) => statuses.flatMap((s) => [`${a}/${s}/null`, `${a}/${s}/${ANA}`]));
    expect([...covered].sort()).toEqual(all.sort());
  });

  it("refuses a visitor message to a resolved conversation with exactly 'resolved'", () => {
    // The server matches on this reason to start a new conversation instead.
    expect(transition({ status: 'resolved', assigneeId: ANA }, 'visitor_message')).toEqual({
      ok: false,
      reason: 'resolved',
    });
  });
});

describe('startsNewConversation', () => {
  it.each([
    { status: 'queued', expected: false },
    { status: 'open', expected: false },
    { status: 'snoozed', expected: false },
    { status: 'resolved', expected: true },
  ] as const)('$status → $expected', ({ status, expected }) => {
    expect(startsNewConversation(status)).toBe(expected);
  });
});

describe('statusesKeptBy', () => {
  it('lists exactly the statuses the action accepts and keeps, with or without an assignee', () => {
    for (const action of actions) {
      const kept = statuses.filter((from) =>
        [ANA, null].every((assigneeId) => {
          const next = transition({ status: from, assigneeId }, action);
          return next.ok && next.status === from;
        }),
      );
      expect(statusesKeptBy(action)).toEqual(kept);
    }
    expect(statusesKeptBy('visitor_message')).toEqual(['queued', 'open']);
  });
});
