export type WaitInput = {
  position: number;
  recentWaitsSec: number[];
  eligibleAgents: number;
  defaultWaitSec?: number;
};

// Fewer samples than this say more about luck than about the desk, so the default is used.
const MIN_SAMPLES = 3;
const DEFAULT_WAIT_SEC = 60;

export function median(values: number[]): number | null {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  const upper = sorted[mid];
  if (upper === undefined) return null;
  const lower = sorted.length % 2 === 0 ? sorted[mid - 1] : upper;
  return ((lower ?? upper) + upper) / 2;
}

function baseWaitSec(recentWaitsSec: number[], defaultWaitSec: number): number {
  // A negative or non-finite sample is a clock glitch, not a wait; it must not skew the median.
  const samples = recentWaitsSec.filter((s) => Number.isFinite(s) && s >= 0);
  if (samples.length < MIN_SAMPLES) return defaultWaitSec;
  return median(samples) ?? defaultWaitSec;
}

/**
 * Estimated wait for a queued visitor; null when nobody can take the conversation, so the
 * widget offers to leave a message instead of promising a wait.
 */
export function estimateWaitSec(input: WaitInput): number | null {
  return waitEstimator(input)(input.position);
}

/** estimateWaitSec for every position of one queue: the median of the recent waits is taken once. */
export function waitEstimator(input: Omit<WaitInput, 'position'>): (position: number) => number | null {
  if (input.eligibleAgents <= 0) return () => null;
  const base = baseWaitSec(input.recentWaitsSec, input.defaultWaitSec ?? DEFAULT_WAIT_SEC);
  return (position) => Math.max(0, Math.round((base * position) / input.eligibleAgents));
}
