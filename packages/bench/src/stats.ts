import * as hdr from 'hdr-histogram-js';

/** Latencies in microseconds, 1 µs to 60 s at 3 significant digits: exact enough for p99.9. */
export type Latencies = { record(ms: number): void; count(): number; summary(): LatencySummary };
export type LatencySummary = { p50: number; p99: number; p999: number; max: number };

export function createLatencies(): Latencies {
  const histogram = hdr.build({ lowestDiscernibleValue: 1, highestTrackableValue: 60_000_000, numberOfSignificantValueDigits: 3 });
  const ms = (us: number) => Math.round(us) / 1000;
  return {
    record: (value) => histogram.recordValue(Math.max(1, Math.round(value * 1000))),
    count: () => histogram.totalCount,
    summary: () =>
      histogram.totalCount === 0
        ? { p50: NaN, p99: NaN, p999: NaN, max: NaN }
        : {
            p50: ms(histogram.getValueAtPercentile(50)),
            p99: ms(histogram.getValueAtPercentile(99)),
            p999: ms(histogram.getValueAtPercentile(99.9)),
            max: ms(histogram.maxValue),
          },
  };
}

export const median = (values: number[]): number => {
  const sorted = values.filter((v) => Number.isFinite(v)).sort((a, b) => a - b);
  if (sorted.length === 0) return NaN;
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
};
