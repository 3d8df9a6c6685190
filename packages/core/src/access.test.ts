import { describe, expect, it } from '@jest/globals';
import {
  adminAccess,
  assignmentAccess,
  conversationAccess,
  inboxAccess,
  searchScope,
  statusChangeAccess,
  whisperAccess,
  type Actor,
  type AgentActor,
  type ConversationFacts,
} from './access.js';

const visitor: Actor = { type: 'visitor', id: 'v1', inboxId: 'shop' };
const otherVisitor: Actor = { type: 'visitor', id: 'v2', inboxId: 'shop' };
const member: AgentActor = { type: 'agent', id: 'ana', role: 'agent', inboxIds: ['shop'] };
const colleague: AgentActor = { type: 'agent', id: 'bo', role: 'agent', inboxIds: ['shop'] };
const outsider: AgentActor = { type: 'agent', id: 'cy', role: 'agent', inboxIds: ['other'] };
const admin: AgentActor = { type: 'agent', id: 'root', role: 'admin', inboxIds: [] };

const free: ConversationFacts = { visitorId: 'v1', inboxId: 'shop', assigneeId: null };
const anas: ConversationFacts = { ...free, assigneeId: 'ana' };

const outcome = (decision: ReturnType<typeof conversationAccess>) => (decision.ok ? 'ok' : decision.code);

describe('conversationAccess', () => {
  it.each([
    ['its visitor', visitor, 'ok'],
    ['another visitor of the inbox', otherVisitor, 'not_found'],
    ['a member agent', member, 'ok'],
    ['an agent of another inbox', outsider, 'not_found'],
    ['an admin of no inbox', admin, 'ok'],
  ] as const)('%s', (_who, actor, expected) => {
    expect(outcome(conversationAccess(actor, anas))).toBe(expected);
  });

  it('a missing conversation is not_found for everybody, admins included', () => {
    for (const actor of [visitor, member, admin]) expect(outcome(conversationAccess(actor, null))).toBe('not_found');
  });
});

describe('statusChangeAccess and assignmentAccess (on a conversation the actor can see)', () => {
  it.each([
    // actor, conversation, status change, claim (target = actor), transfer to a third agent, requeue
    ['assignee', member, anas, 'ok', 'ok', 'ok', 'ok'],
    ['colleague, assigned to another', colleague, anas, 'forbidden', 'forbidden', 'forbidden', 'forbidden'],
    ['colleague, unassigned', colleague, free, 'ok', 'ok', 'forbidden', 'forbidden'],
    ['admin', admin, anas, 'ok', 'ok', 'ok', 'ok'],
  ] as const)('%s', (_who, actor, conversation, status, claim, transfer, requeue) => {
    expect(outcome(statusChangeAccess(actor, conversation))).toBe(status);
    expect(outcome(assignmentAccess(actor, conversation, actor.id))).toBe(claim);
    expect(outcome(assignmentAccess(actor, conversation, 'dee'))).toBe(transfer);
    expect(outcome(assignmentAccess(actor, conversation, null))).toBe(requeue);
  });
});

describe('inboxAccess and adminAccess', () => {
  it('answers not_found for an inbox the agent is no member of; admins see every inbox', () => {
    expect(outcome(inboxAccess(member, 'shop'))).toBe('ok');
    expect(outcome(inboxAccess(outsider, 'shop'))).toBe('not_found');
    expect(outcome(inboxAccess(admin, 'shop'))).toBe('ok');
  });

  it('lets only admins administer', () => {
    expect([visitor, member, outsider, admin].map((actor) => outcome(adminAccess(actor)))).toEqual(['forbidden', 'forbidden', 'forbidden', 'ok']);
  });
});

describe('whisperAccess', () => {
  const live = { ...anas, status: 'open' };
  it.each([
    ['an admin, to the agent holding a live conversation', admin, live, 'ok'],
    ['an admin, to a snoozed one', admin, { ...live, status: 'snoozed' }, 'ok'],
    ['the assignee themselves (an agent)', member, live, 'forbidden'],
    ['a colleague of the inbox', colleague, live, 'forbidden'],
    ['an admin, when nobody holds it', admin, { ...free, status: 'queued' }, 'conflict'],
    ['an admin, to a resolved conversation', admin, { ...live, status: 'resolved' }, 'conflict'],
    ['an admin who holds it', admin, { ...live, assigneeId: 'root' }, 'conflict'],
  ] as const)('%s', (_who, actor, conversation, expected) => {
    expect(outcome(whisperAccess(actor, conversation))).toBe(expected);
  });
});

describe('searchScope', () => {
  it.each([
    ['a member agent', member, ['shop']],
    ['an agent of another inbox', outsider, ['other']],
    ['an admin (member of none)', admin, ['shop', 'other', 'third']],
    ['an agent of no inbox', { ...member, inboxIds: [] }, []],
  ])('%s searches %j', (_who, actor, expected) => {
    expect(searchScope(actor, ['shop', 'other', 'third'])).toEqual(expected);
  });
});
