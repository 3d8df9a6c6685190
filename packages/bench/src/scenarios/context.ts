import type { Progress } from '../progress.js';
import type { Target, TargetName } from '../targets/target.js';

export type RunContext = {
  quick: boolean;
  /** Repetitions of each measured step; figures are their medians. */
  runs: number;
  progress: Progress;
  /** The long-lived targets, started once for the latency-type scenarios. */
  target(name: TargetName): Promise<Target>;
  log(text: string): void;
};
