import { describe, it, expect } from '@jest/globals';
import { effectiveStatus, isGraceExpired, selectLeavingRequeue, selectOfflineRequeue } from './presence.js';
import type { RequeueCandidate } from './presence.js';

const GRACE = 60_000;
const NOW = 1_714_557_600_000;

describe('isGraceExpired / effectiveStatus', () => {
  it.each<{ label: string; chosen: 'online' | 'away'; lastSeenAt: number | null; expired: boolean; status: string }>([
    { label: 'connected right now', chosen: 'online', lastSeenAt: NOW, expired: false, status: 'online' },
    { label: 'connected right now, away', chosen: 'away', lastSeenAt: NOW, expired: false, status: 'away' },
    { label: 'dropped 1 s ago', chosen: 'online', lastSeenAt: NOW - 1_000, expired: false, status: 'online' },
    { label: 'exactly at the grace limit', chosen: 'online', lastSeenAt: NOW - GRACE, expired: false, status: 'online' },
    { label: '1 ms past the grace', chosen: 'online', lastSeenAt: NOW - GRACE - 1, expired: true, status: 'offline' },
    { label: 'away and gone for an hour', chosen: 'away', lastSeenAt: NOW - 3_600_000, expired: true, status: 'offline' },
    { label: 'never seen', chosen: 'online', lastSeenAt: null, expired: true, status: 'offline' },
    { label: 'never seen, away', chosen: 'away', lastSeenAt: null, expired: true, status: 'offline' },
    // Another node's clock may run slightly ahead; a future timestamp still means "just seen".
    { label: 'seen slightly in the future', chosen: 'online', lastSeenAt: NOW + 500, expired: false, status: 'online' },
  ])('$label → $status', ({ chosen, lastSeenAt, expired, status }) => {
    expect(isGraceExpired(lastSeenAt, NOW, GRACE)).toBe(expired);
    expect(effectiveStatus(chosen, lastSeenAt, NOW, GRACE)).toBe(status);
  });

  it.each([
    { graceMs: 0, lastSeenAt: NOW, expected: 'online' },
    { graceMs: 0, lastSeenAt: NOW - 1, expected: 'offline' },
    { graceMs: 5_000, lastSeenAt: NOW - 4_999, expected: 'online' },
    { graceMs: 5_000, lastSeenAt: NOW - 5_001, expected: 'offline' },
  ])('grace $graceMs ms, seen $lastSeenAt → $expected', ({ graceMs, lastSeenAt, expected }) => {
    expect(effectiveStatus('online', lastSeenAt, NOW, graceMs)).toBe(expected);
  });
});

describe('selectOfflineRequeue', () => {
  it.each<{ label: string; conversations: RequeueCandidate[]; expected: string[] }>([
    { label: 'none', conversations: [], expected: [] },
    { label: 'open in auto inbox goes back', conversations: [{ id: 'c1', status: 'open', routing: 'auto' }], expected: ['c1'] },
    { label: 'open in manual inbox stays', conversations: [{ id: 'c1', status: 'open', routing: 'manual' }], expected: [] },
    { label: 'snoozed stays', conversations: [{ id: 'c1', status: 'snoozed', routing: 'auto' }], expected: [] },
    { label: 'resolved stays', conversations: [{ id: 'c1', status: 'resolved', routing: 'auto' }], expected: [] },
    { label: 'queued is already queued', conversations: [{ id: 'c1', status: 'queued', routing: 'auto' }], expected: [] },
    {
      label: 'mixed, keeps input order',
      conversations: [
        { id: 'c3', status: 'open', routing: 'auto' },
        { id: 'c2', status: 'open', routing: 'manual' },
        { id: 'c1', status: 'open', routing: 'auto' },
        { id: 'c4', status: 'snoozed', routing: 'auto' },
      ],
      expected: ['c3', 'c1'],
    },
  ])('$label', ({ conversations, expected }) => {
    expect(selectOfflineRequeue(conversations)).toEqual(expected);
  });
});

describe('selectLeavingRequeue', () => {
  it('takes back what the agent holds (open or snoozed), not what is queued or resolved, in input order', () => {
    const conversations = [
      { id: 'c1', status: 'snoozed' },
      { id: 'c2', status: 'resolved' },
      { id: 'c3', status: 'open' },
      { id: 'c4', status: 'queued' },
    ] as const;
    expect(selectLeavingRequeue([...conversations])).toEqual(['c1', 'c3']);
  });
});
