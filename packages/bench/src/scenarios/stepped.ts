import { cpus } from 'node:os';
import type { SlowFlushes } from '../load/disk.js';
import { takeListUpdates } from '../load/list-updates.js';
import { runStep, type StepResult } from '../load/open-loop.js';
import { QUIET_MACHINE, settle } from '../load/settle.js';
import type { ScenarioResult } from '../report/result.js';
import { median } from '../stats.js';
import { gcDuring, gcOf } from '../targets/gc.js';
import { cpuOf, labelOf, orDash, type DeskSpec, type Desk, type Target, type TargetName } from '../targets/target.js';
import { inTurn, WARM_UP_MS, type RunContext } from './context.js';

export type SteppedSpec = { scenario: string; title: string; desk: DeskSpec; rates: number[]; targets: TargetName[]; notes: string[] };

/** Below this share delivered in time a target is saturated, and higher rates are not tried on it. */
const SATURATED = 0.5;

/**
 * Offered load stepped up, every target at each step in turn (so a slow moment of the shared machine
 * hits all of them; the turn's order reversed every other run), repeated `runs` times; the table shows
 * the median of each figure.
 */
export async function runStepped(ctx: RunContext, full: SteppedSpec): Promise<ScenarioResult> {
  const spec = { ...full, targets: ctx.chooseTargets(full.targets), rates: ctx.rates ?? full.rates };
  const durationMs = ctx.quick ? 1_000 : 5_000;
  const drainMs = ctx.quick ? 3_000 : 15_000;
  // At the first step's rate (3 000 msgs/s on cold nodes: its first 0.75 s caught up, p99 104 to 149 ms
  // against 26 to 30 after the lower steps); a quarter of it in a quick run, which stays under two minutes.
  const warmUpMs = ctx.quick ? WARM_UP_MS / 4 : WARM_UP_MS;
  const desks = new Map<TargetName, Desk>();
  const targets = new Map<TargetName, Target>();
  const results = new Map<string, SteppedResult[]>();
  const waits: number[] = [];
  const coldP99 = new Map<TargetName, number>();
  const setup = new Map<TargetName, Setup>();
  takeListUpdates();
  try {
    for (const name of spec.targets) {
      const target = await ctx.startTarget(name);
      targets.set(name, target);
      const started = { at: performance.now(), cpu: cpuOf(target) };
      desks.set(name, await target.openDesk(spec.desk, (text) => ctx.progress.update(`${spec.scenario} ${name} setup: ${text}`)));
      setup.set(name, { sec: (performance.now() - started.at) / 1000, serverCpuSec: (cpuOf(target).server - started.cpu.server) / 1000 });
    }
    for (const name of spec.targets) {
      const label = `${spec.scenario} ${name} warm-up`;
      ctx.progress.update(`${label}: waiting for a quiet machine`);
      await settle();
      coldP99.set(name, (await runStep(desks.get(name)!, spec.rates[0]!, warmUpMs, ctx.progress, label, drainMs)).latency.p99);
    }
    for (let run = 0; run < ctx.runs; run++) {
      const saturated = new Set<TargetName>();
      for (const rate of spec.rates) {
        for (const name of inTurn(spec.targets, run)) {
          if (saturated.has(name)) continue;
          const label = `${spec.scenario} run ${run + 1}/${ctx.runs} ${name}`;
          ctx.progress.update(`${label}: waiting for a quiet machine`);
          waits.push(await settle());
          const target = targets.get(name)!;
          const step = await measuredStep(ctx, target, () => runStep(desks.get(name)!, rate, durationMs, ctx.progress, label, drainMs, undefined, () => cpuOf(target)));
          if (step.delivered < step.sent * SATURATED) saturated.add(name);
          const key = `${name}@${rate}`;
          results.set(key, [...(results.get(key) ?? []), step]);
        }
      }
    }
  } finally {
    desks.forEach((desk) => desk.close());
    // Every target stops, even when one of them fails to.
    await Promise.allSettled([...targets.values()].map((target) => target.stop()));
  }
  ctx.progress.done();
  return toResult(spec, results, { durationMs, warmUpMs }, ctx.runs, waits, { coldP99, setup, listUpdates: takeListUpdates() });
}

/** A step, the target's GC while it ran (its load and its drain), and the disk's slow flushes meanwhile. */
type SteppedResult = StepResult & { gc: ReturnType<typeof gcDuring>; slowFlushes: SlowFlushes };

async function measuredStep(ctx: RunContext, target: Target, step: () => Promise<StepResult>): Promise<SteppedResult> {
  const before = await gcOf(target);
  const started = performance.now();
  const result = await step();
  const ended = performance.now();
  return { ...result, gc: gcDuring(before, await gcOf(target), (ended - started) / 1000), slowFlushes: ctx.slowFlushes(started, ended) };
}

function medianStep(steps: SteppedResult[]) {
  const pick = (f: (s: SteppedResult) => number) => median(steps.map(f));
  return {
    runs: steps.length,
    sent: pick((s) => s.sent),
    deliveredPct: pick((s) => (s.sent ? (100 * s.delivered) / s.sent : NaN)),
    p50: pick((s) => s.latency.p50),
    p99: pick((s) => s.latency.p99),
    p999: pick((s) => s.latency.p999),
    ackP99: pick((s) => s.ackP99),
    errors: pick((s) => s.errors),
    offered: pick((s) => s.offered),
    cpuMsPerMessage: pick((s) => s.cpuMsPerMessage),
    databaseCpuMsPerMessage: pick((s) => s.databaseCpuMsPerMessage),
    gcMsPerSecond: pick((s) => s.gc.pauseMsPerSecond),
    majorGcs: pick((s) => s.gc.majors),
    machineBusyPct: pick((s) => s.machineBusyPct),
    generatorLateP99: pick((s) => s.generatorLate.p99),
    generatorLateMax: pick((s) => s.generatorLate.max),
    // Each run's own figures, in order: a target's later runs find a larger database and an older heap
    // (twelfth and thirteenth rounds).
    // slowFlushes: the disk's flushes over 15 ms during the step (load/disk.ts), which every commit of the
    // PostgreSQL shape meanwhile waited behind.
    byRun: steps.map((s) => ({
      p50: s.latency.p50,
      p99: s.latency.p99,
      cpuMsPerMessage: s.cpuMsPerMessage,
      gcMsPerSecond: s.gc.pauseMsPerSecond,
      majorGcs: s.gc.majors,
      machineBusyPct: s.machineBusyPct,
      generatorLate: s.generatorLate,
      slowFlushes: s.slowFlushes,
    })),
  };
}

/** How long opening a target's desk took, and the CPU time of its server processes meanwhile. */
type Setup = { sec: number; serverCpuSec: number };

/** What opening a desk does: each shopper connects and sends a first message, which routing assigns or queues. */
const setupOf = (desk: DeskSpec): string =>
  `${desk.agents} agents connect, then ${desk.conversations} shoppers${desk.queued ? ` and ${desk.queued} more who stay queued` : ''} connect and send a first message each`;

/** `12.3 (1)`: GC pause ms a second and full collections; a dash for a target without metrics. */
const gcCell = (m: ReturnType<typeof medianStep>): string => (Number.isNaN(m.gcMsPerSecond) ? '-' : `${m.gcMsPerSecond.toFixed(1)} (${m.majorGcs})`);

function toResult(
  spec: SteppedSpec,
  results: Map<string, SteppedResult[]>,
  { durationMs, warmUpMs }: { durationMs: number; warmUpMs: number },
  runs: number,
  waits: number[],
  { coldP99, setup, listUpdates }: { coldP99: Map<TargetName, number>; setup: Map<TargetName, Setup>; listUpdates: ReturnType<typeof takeListUpdates> },
): ScenarioResult {
  const rows = [];
  const raw: Record<string, ReturnType<typeof medianStep> | null> = {};
  for (const rate of spec.rates) {
    for (const name of spec.targets) {
      const steps = results.get(`${name}@${rate}`);
      const m = steps ? medianStep(steps) : null;
      raw[`${name}@${rate}`] = m;
      rows.push(m ? [rate, labelOf(name), m.offered, `${m.deliveredPct.toFixed(1)} %`, m.p50, m.p99, m.p999, m.ackP99, m.errors, m.cpuMsPerMessage, orDash(m.databaseCpuMsPerMessage), gcCell(m), `${m.machineBusyPct.toFixed(0)} %`, `${m.generatorLateP99.toFixed(1)} / ${m.generatorLateMax.toFixed(1)}`] : [rate, labelOf(name), '-', 'saturated below', '-', '-', '-', '-', '-', '-', '-', '-', '-', '-']);
    }
  }
  const value = (name: TargetName, rate: number) => raw[`${name}@${rate}`]?.p99 ?? NaN;
  return {
    scenario: spec.scenario,
    title: spec.title,
    columns: ['msgs/s', 'target', 'offered/s', 'delivered ≤ 2 s', 'p50 ms', 'p99 ms', 'p99.9 ms', 'ack p99 ms', 'errors', 'server CPU ms/msg', 'PostgreSQL CPU ms/msg', 'server GC ms/s (full GCs)', 'machine busy', 'generator late p99 / max ms'],
    rows,
    chart: {
      title: `${spec.title}: p99 shopper send → agent receives`,
      unit: 'p99 ms',
      log: true,
      groups: spec.rates.map((r) => `${r}/s`),
      series: spec.targets.map((name) => ({ name: labelOf(name), values: spec.rates.map((rate) => value(name, rate)) })),
    },
    notes: [
      `${durationMs / 1000} s per step, median of ${runs} run(s); a target below ${SATURATED * 100} % delivered is not stepped further. Each scenario starts its targets (new processes, an empty database) and stops them at its end.`,
      `Each step starts once the machine is quiet (${QUIET_MACHINE}), so that one target's after-work does not run in the next one's step: waited ${(median(waits) / 1000).toFixed(1)} s per step (median), ${(Math.max(0, ...waits) / 1000).toFixed(1)} s at most.`,
      `Warm-up: each target first runs ${warmUpMs / 1000} s at ${spec.rates[0]} msgs/s on its fresh nodes, not counted in the steps; its p99 (cold nodes): ${[...coldP99].map(([name, p99]) => `${labelOf(name)} ${Number.isNaN(p99) ? '- (none delivered in time)' : `${p99.toFixed(1)} ms`}`).join(', ')}.`,
      'Server CPU ms/msg: user + system CPU time of the target\'s server processes (both nodes for two nodes; not PostgreSQL or Redis) over the step and its drain, per message sent. It depends little on what else runs on the machine, unlike the latencies.',
      'PostgreSQL CPU ms/msg: the same for all of the machine\'s PostgreSQL processes (the shapes on PostgreSQL only: kefu\'s two nodes and the durable relay\'s; what the other targets\' idle nodes ask of it meanwhile included).',
      'Server GC ms/s (full GCs): the pauses of V8\'s collections in the target\'s server processes per second of the step and its drain, and how many of them were full (mark-compact) collections; from each node\'s /metrics (medians; each run\'s own in the JSON, byRun). A full collection comes when enough has outlived the young generation, so a target\'s later runs meet more of them.',
      `Machine busy: the share of the machine's ${cpus().length} cores that every process together (the target, PostgreSQL, Redis, this load generator) kept busy while the step's messages were sent, its drain not included. A message that waits between its hops waits for a core, so the tail grows with it.`,
      'Generator late p99 / max ms: how late this load generator\'s own event loop ran (ticks timed every millisecond) while it sent the step\'s messages and received them: a message that arrived meanwhile was timed late by as much, so a step\'s p99 near this figure is partly the generator\'s own.',
      `List updates: each kefu desk's first agent parses every event as a dashboard does; the others (dashboards of their own, simulated in this one process) receive each \`conversation:activity\` whole but only count it: ${listUpdates.frames} of them, ${(listUpdates.chars / 2 ** 20).toFixed(1)} MB, over the scenario.`,
      `Setup, before the warm-up and not measured in the steps (${setupOf(spec.desk)}): ${[...setup].map(([name, { sec, serverCpuSec }]) => `${labelOf(name)} ${sec.toFixed(1)} s (server CPU ${serverCpuSec.toFixed(1)} s)`).join(', ')}.`,
      ...spec.notes,
    ],
    raw: { ...raw, coldP99: Object.fromEntries(coldP99), setup: Object.fromEntries(setup), listUpdates },
  };
}
