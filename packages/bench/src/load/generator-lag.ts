import { monitorEventLoopDelay } from 'node:perf_hooks';

/** Milliseconds the load generator's event loop ran late: the 99th percentile of its ticks, and the most. */
export type GeneratorLate = { p99: number; max: number };

/** The load generator's event loop is timed every millisecond. */
const RESOLUTION_MS = 1;

/**
 * Times the load generator's own event loop from now until `stop`. A message the generator reads
 * while busy with other sockets' frames (fifty simulated dashboards' list updates, say) is timed late
 * by as much, so a step's latencies cannot be told from the generator's own delays unless these are
 * known. Node's histogram holds each tick's whole interval, so the resolution is taken off.
 */
export function generatorLag(): { stop(): GeneratorLate } {
  const histogram = monitorEventLoopDelay({ resolution: RESOLUTION_MS });
  histogram.enable();
  const late = (ns: number) => Math.max(0, Math.round((ns / 1e6 - RESOLUTION_MS) * 100) / 100);
  return {
    stop() {
      histogram.disable();
      return { p99: late(histogram.percentile(99)), max: late(histogram.max) };
    },
  };
}

/** The latest of several event loops' lateness (the sender's, the agents' processes'): each figure's most. */
export const latestOf = (lates: GeneratorLate[]): GeneratorLate => ({
  p99: Math.max(0, ...lates.map((late) => late.p99)),
  max: Math.max(0, ...lates.map((late) => late.max)),
});
