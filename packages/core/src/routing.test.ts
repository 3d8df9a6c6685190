import { describe, it, expect } from '@jest/globals';
import { chooseAgent, judgeCandidate } from './routing.js';
import type { AgentCandidate } from './routing.js';
import { makeAgent } from './test-fixtures.js';

describe('judgeCandidate', () => {
  it.each<{ label: string; agent: Partial<AgentCandidate>; eligible: boolean; why: string }>([
    { label: 'online with room', agent: {}, eligible: true, why: 'eligible' },
    { label: 'one slot left', agent: { load: 2, capacity: 3 }, eligible: true, why: 'eligible' },
    { label: 'away', agent: { status: 'away' }, eligible: false, why: 'away' },
    { label: 'offline', agent: { status: 'offline' }, eligible: false, why: 'offline' },
    { label: 'full', agent: { load: 3, capacity: 3 }, eligible: false, why: 'at capacity (3/3)' },
    { label: 'capacity lowered below load', agent: { load: 4, capacity: 2 }, eligible: false, why: 'over capacity (4/2)' },
    { label: 'zero capacity', agent: { load: 0, capacity: 0 }, eligible: false, why: 'at capacity (0/0)' },
    { label: 'not a member', agent: { isMember: false }, eligible: false, why: 'not a member of the inbox' },
    { label: 'deactivated', agent: { active: false }, eligible: false, why: 'deactivated' },
    // The most permanent reason wins, so admins fix the real cause first.
    { label: 'deactivated beats the rest', agent: { active: false, isMember: false, status: 'offline', load: 9 }, eligible: false, why: 'deactivated' },
    { label: 'non-member beats presence', agent: { isMember: false, status: 'away' }, eligible: false, why: 'not a member of the inbox' },
    { label: 'presence beats capacity', agent: { status: 'away', load: 3 }, eligible: false, why: 'away' },
  ])('$label → $why', ({ agent, eligible, why }) => {
    const verdict = judgeCandidate(makeAgent('ana', agent));
    expect(verdict).toMatchObject({ id: 'ana', name: 'Ana', eligible, why });
  });

  it('copies the facts the reason needs and nothing else', () => {
    const agent = makeAgent('ana', { load: 1, capacity: 4, lastAssignedAt: '2024-05-01T10:00:00.000Z' });
    expect(judgeCandidate(agent)).toEqual({
      id: 'ana',
      name: 'Ana',
      status: 'online',
      load: 1,
      capacity: 4,
      lastAssignedAt: '2024-05-01T10:00:00.000Z',
      eligible: true,
      why: 'eligible',
    });
  });
});

const EARLY = '2024-05-01T09:00:00.000Z';
const LATE = '2024-05-01T11:00:00.000Z';

describe('chooseAgent', () => {
  it.each<{ label: string; agents: AgentCandidate[]; chosen: string | null; summary: string }>([
    {
      label: 'lowest load wins',
      agents: [makeAgent('ana', { load: 1 }), makeAgent('bo', { load: 2 })],
      chosen: 'ana',
      summary: 'Ana: lowest load 1/3 among 2 eligible',
    },
    {
      label: 'load counts, not free slots',
      agents: [makeAgent('ana', { load: 2, capacity: 10 }), makeAgent('bo', { load: 1, capacity: 2 })],
      chosen: 'bo',
      summary: 'Bo: lowest load 1/2 among 2 eligible',
    },
    {
      label: 'tie goes to the one assigned longest ago',
      agents: [makeAgent('ana', { load: 1, lastAssignedAt: LATE }), makeAgent('bo', { load: 1, lastAssignedAt: EARLY })],
      chosen: 'bo',
      summary: 'Bo: lowest load 1/3 among 2 eligible; tie broken by longest since last assignment',
    },
    {
      label: 'never assigned counts as oldest',
      agents: [makeAgent('ana', { load: 0, lastAssignedAt: EARLY }), makeAgent('bo', { load: 0, lastAssignedAt: null })],
      chosen: 'bo',
      summary: 'Bo: lowest load 0/3 among 2 eligible; tie broken by longest since last assignment',
    },
    {
      label: 'times are compared as instants, not text',
      agents: [
        makeAgent('ana', { lastAssignedAt: '2024-05-01T10:30:00+02:00' }), // 08:30Z
        makeAgent('bo', { lastAssignedAt: '2024-05-01T09:00:00.000Z' }),
      ],
      chosen: 'ana',
      summary: 'Ana: lowest load 0/3 among 2 eligible; tie broken by longest since last assignment',
    },
    {
      label: 'full tie goes to the smaller id',
      agents: [makeAgent('cy', { lastAssignedAt: EARLY }), makeAgent('bo', { lastAssignedAt: EARLY })],
      chosen: 'bo',
      summary: 'Bo: lowest load 0/3 among 2 eligible; tie broken by id',
    },
    {
      label: 'full tie of never-assigned agents goes to the smaller id',
      agents: [makeAgent('cy'), makeAgent('ana'), makeAgent('bo')],
      chosen: 'ana',
      summary: 'Ana: lowest load 0/3 among 3 eligible; tie broken by id',
    },
    {
      label: 'ineligible agents are skipped even with lower load',
      agents: [
        makeAgent('ana', { status: 'away' }),
        makeAgent('bo', { status: 'offline' }),
        makeAgent('cy', { isMember: false }),
        makeAgent('di', { active: false }),
        makeAgent('ed', { load: 3, capacity: 3 }),
        makeAgent('fay', { load: 2 }),
      ],
      chosen: 'fay',
      summary: 'Fay: the only eligible agent, load 2/3',
    },
    {
      label: 'nobody eligible',
      agents: [makeAgent('ana', { status: 'away' }), makeAgent('bo', { load: 3 }), makeAgent('cy', { status: 'offline' })],
      chosen: null,
      summary: 'nobody eligible: 3 agents, none online with free capacity',
    },
    {
      label: 'one ineligible agent',
      agents: [makeAgent('ana', { capacity: 0 })],
      chosen: null,
      summary: 'nobody eligible: 1 agent, none online with free capacity',
    },
    { label: 'no agents at all', agents: [], chosen: null, summary: 'nobody eligible: no agents' },
  ])('$label', ({ agents, chosen, summary }) => {
    const { agentId, reason } = chooseAgent(agents);
    expect(agentId).toBe(chosen);
    expect(reason.chosenId).toBe(chosen);
    expect(reason.rule).toBe('auto_least_load');
    expect(reason.summary).toBe(summary);
    expect(reason.candidates.map((c) => c.id)).toEqual(agents.map((a) => a.id));
  });

  it('does not depend on the order of the candidates', () => {
    const agents = [makeAgent('cy', { load: 1 }), makeAgent('ana', { load: 1 }), makeAgent('bo', { load: 1 })];
    const forward = chooseAgent(agents).agentId;
    expect(chooseAgent([...agents].reverse()).agentId).toBe(forward);
    expect(forward).toBe('ana');
  });

  it('records a verdict per candidate with its reason', () => {
    const { reason } = chooseAgent([makeAgent('ana'), makeAgent('bo', { status: 'away' })]);
    expect(reason.candidates.map((c) => [c.id, c.eligible, c.why])).toEqual([
      ['ana', true, 'eligible'],
      ['bo', false, 'away'],
    ]);
  });

  it('does not mutate its input', () => {
    const agents = [makeAgent('bo'), makeAgent('ana')];
    const before = structuredClone(agents);
    chooseAgent(agents);
    expect(agents).toEqual(before);
  });
});
