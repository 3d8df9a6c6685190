import { shapeOf, type Target } from './target.js';

/** GC so far in a target's server processes: pause time (every kind) and full (major) collections. */
export type GcTotals = { pauseMs: number; majors: number };

const NONE: GcTotals = { pauseMs: NaN, majors: NaN };

/**
 * Read from each kefu node's GET /metrics (prom-client's default `nodejs_gc_duration_seconds`, by
 * kind) and summed over the nodes. The relays have no metrics: NaN. A reading that fails (or takes
 * over 5 s) is NaN too: a figure beside the step's, never a reason to fail it.
 */
export async function gcOf(target: Target): Promise<GcTotals> {
  if (!shapeOf(target.name).startsWith('kefu')) return NONE;
  try {
    const texts = await Promise.all(target.nodes.map(async (node) => (await fetch(`${node.url}/metrics`, { signal: AbortSignal.timeout(5_000) })).text()));
    return texts.map(gcTotalsOf).reduce((a, b) => ({ pauseMs: a.pauseMs + b.pauseMs, majors: a.majors + b.majors }));
  } catch {
    return NONE;
  }
}

/** The totals in one Prometheus text exposition; NaN when it has no GC histogram. */
export function gcTotalsOf(metrics: string): GcTotals {
  let pauseSeconds = NaN;
  let majors = NaN;
  for (const line of metrics.split('\n')) {
    const match = /^nodejs_gc_duration_seconds_(sum|count)\{kind="(\w+)"\} (\S+)$/.exec(line);
    if (!match) continue;
    const [, field, kind, value] = match;
    // The histogram has a kind only once one of its kind ran: none yet is 0.
    if (Number.isNaN(pauseSeconds)) [pauseSeconds, majors] = [0, 0];
    if (field === 'sum') pauseSeconds += Number(value);
    if (field === 'count' && kind === 'major') majors = Number(value);
  }
  return { pauseMs: pauseSeconds * 1000, majors };
}

/** What a step added: GC pause ms per second of the step, and major collections. */
export function gcDuring(before: GcTotals, after: GcTotals, seconds: number): { pauseMsPerSecond: number; majors: number } {
  return { pauseMsPerSecond: Math.round((10 * (after.pauseMs - before.pauseMs)) / seconds) / 10, majors: after.majors - before.majors };
}
