import type { SlowFlushes } from '../load/disk.js';
import type { TracePoint } from '../load/trace.js';
import type { Progress } from '../progress.js';
import type { Target, TargetName } from '../targets/target.js';

/**
 * How long each scenario first runs its fresh targets, not counted, before it measures them: fresh
 * nodes serve their first messages several times slower (V8 compiles the path, each new PostgreSQL
 * connection loads its catalog), and that second alone made a step's p99. Its own p99 is reported as
 * the cold nodes' figure.
 */
export const WARM_UP_MS = 1_000;

export type RunContext = {
  quick: boolean;
  /** Repetitions of each measured step; figures are their medians. */
  runs: number;
  /** --rates: the offered loads of the stepped scenarios instead of their own. */
  rates?: number[] | undefined;
  progress: Progress;
  /** The scenario's targets as chosen by --targets, plus the --compare builds of each kefu shape. */
  chooseTargets(targets: TargetName[]): TargetName[];
  /**
   * A new process (or two) of the named target, its build and flags, for the caller to stop. Every
   * scenario starts its own: a target's later runs are slower than its first (a larger database, an
   * older heap), so a scenario on targets another one used first would be compared with it unfairly.
   */
  startTarget(name: TargetName): Promise<Target>;
  /** With --trace: keeps a measured step's messages, each sent when and read how late (load/trace.ts). */
  keepTrace?: ((name: string, trace: TracePoint[]) => void) | undefined;
  /** The disk's flushes over 15 ms that ended between two `performance.now()` times (load/disk.ts). */
  slowFlushes(from: number, to: number): SlowFlushes;
  log(text: string): void;
};

/**
 * The targets in the order one run measures them: reversed every other run, so that no target (no
 * build of a --compare) is always measured first. In routing, measured one after the other, the first
 * target paid about 8 % more CPU a conversation than the second, whichever build it was (twenty-second
 * round, docs/benchmarks.md).
 */
export const inTurn = <T>(targets: readonly T[], run: number): T[] => (run % 2 === 0 ? [...targets] : [...targets].reverse());
