import type { PresenceStatus } from '@kefu/protocol';
import { hasFreeCapacity } from './load.js';
import { compareIds, compareTimes } from './time.js';

export type AgentCandidate = {
  id: string;
  name: string;
  status: PresenceStatus; // effective status: 'online' | 'away' | 'offline'
  active: boolean; // deactivated agents are never eligible
  isMember: boolean; // member of the conversation's inbox
  capacity: number;
  load: number;
  lastAssignedAt: string | null; // ISO; null = never assigned
};

export type CandidateVerdict = {
  id: string;
  name: string;
  status: PresenceStatus;
  load: number;
  capacity: number;
  lastAssignedAt: string | null;
  eligible: boolean;
  why: string;
};

export type AssignmentRule =
  | 'auto_least_load'
  | 'claim'
  | 'transfer'
  | 'reply'
  | 'admin_assign'
  | 'requeue'
  | 'offline_requeue';

/** Recorded with every assignment so that "why did this go to Ana" has an answer. */
export type AssignmentReason = {
  rule: AssignmentRule;
  chosenId: string | null;
  candidates: CandidateVerdict[];
  summary: string;
};

// The first failing check is the one reported, from the most permanent to the most transient.
function explainIneligibility(c: AgentCandidate): string | null {
  if (!c.active) return 'deactivated';
  if (!c.isMember) return 'not a member of the inbox';
  if (c.status !== 'online') return c.status;
  if (!hasFreeCapacity(c.load, c.capacity)) {
    const word = c.load > c.capacity ? 'over' : 'at';
    return `${word} capacity (${c.load}/${c.capacity})`;
  }
  return null;
}

export function judgeCandidate(c: AgentCandidate): CandidateVerdict {
  const why = explainIneligibility(c);
  return {
    id: c.id,
    name: c.name,
    status: c.status,
    load: c.load,
    capacity: c.capacity,
    lastAssignedAt: c.lastAssignedAt,
    eligible: why === null,
    why: why ?? 'eligible',
  };
}

// Never-assigned agents (null) count as assigned longest ago, so newcomers get work first.
function compareByLastAssigned(a: CandidateVerdict, b: CandidateVerdict): number {
  return compareTimes(a.lastAssignedAt, b.lastAssignedAt, -Infinity);
}

/** Routing order: lowest load, then longest since last assignment, then id for determinism. */
export function compareEligible(a: CandidateVerdict, b: CandidateVerdict): number {
  return a.load - b.load || compareByLastAssigned(a, b) || compareIds(a.id, b.id);
}

function describeTieBreak(winner: CandidateVerdict, runnerUp: CandidateVerdict | undefined): string {
  if (!runnerUp || runnerUp.load !== winner.load) return '';
  if (compareByLastAssigned(winner, runnerUp) !== 0) return '; tie broken by longest since last assignment';
  return '; tie broken by id';
}

function summarizeChoice(ranked: CandidateVerdict[]): string {
  const [winner, runnerUp] = ranked;
  if (!winner) return '';
  const load = `${winner.load}/${winner.capacity}`;
  if (ranked.length === 1) return `${winner.name}: the only eligible agent, load ${load}`;
  const tie = describeTieBreak(winner, runnerUp);
  return `${winner.name}: lowest load ${load} among ${ranked.length} eligible${tie}`;
}

function summarizeNobody(total: number): string {
  if (total === 0) return 'nobody eligible: no agents';
  const agents = total === 1 ? '1 agent' : `${total} agents`;
  return `nobody eligible: ${agents}, none online with free capacity`;
}

/** Auto-routing: the eligible agent with the lowest load, ties to the one assigned longest ago. */
export function chooseAgent(candidates: AgentCandidate[]): { agentId: string | null; reason: AssignmentReason } {
  const verdicts = candidates.map(judgeCandidate);
  const ranked = verdicts.filter((v) => v.eligible).sort(compareEligible);
  const chosenId = ranked[0]?.id ?? null;
  const summary = chosenId === null ? summarizeNobody(verdicts.length) : summarizeChoice(ranked);
  return { agentId: chosenId, reason: { rule: 'auto_least_load', chosenId, candidates: verdicts, summary } };
}
