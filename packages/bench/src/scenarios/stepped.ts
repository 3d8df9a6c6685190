import { cpus } from 'node:os';
import type { SlowFlushes } from '../load/disk.js';
import { AGENT_PROCESSES } from '../load/agents.js';
import { takeListUpdates } from '../load/list-updates.js';
import { runStep, type StepResult } from '../load/open-loop.js';
import { QUIET_MACHINE, settle } from '../load/settle.js';
import type { TracePoint } from '../load/trace.js';
import type { ScenarioResult } from '../report/result.js';
import { median } from '../stats.js';
import { gcDuring, gcOf } from '../targets/gc.js';
import { cpuOf, labelOf, orDash, shapeOf, type DeskSpec, type Desk, type Target, type TargetName } from '../targets/target.js';
import { inTurn, WARM_UP_MS, type RunContext } from './context.js';

export type SteppedSpec = {
  scenario: string;
  title: string;
  desk: DeskSpec;
  /**
   * The plain desk (the latency scenario's), on which each kefu target is also measured, on nodes of
   * its own and in turns with its own desk: the table gives each step's p99 and CPU a message as
   * ratios to it, run by run. Compared with the latency scenario's table instead, a figure met
   * another moment of the shared machine, minutes apart.
   */
  plain?: DeskSpec;
  rates: number[];
  targets: TargetName[];
  notes: string[];
};

/**
 * What a turn measures: a target on a desk. A kefu target of a scenario with a plain desk has a twin
 * on it, whose key `twin` names.
 */
type Entry = { key: string; target: TargetName; desk: DeskSpec; label: string; twin?: string };

function entriesOf(spec: SteppedSpec): Entry[] {
  return spec.targets.flatMap((name): Entry[] => {
    const own = { key: name, target: name, desk: spec.desk, label: labelOf(name) };
    if (!spec.plain || !shapeOf(name).startsWith('kefu')) return [own];
    const twin = { key: `${name}+plain`, target: name, desk: spec.plain, label: `${labelOf(name)}, plain desk` };
    return [{ ...own, twin: twin.key }, twin];
  });
}

/** Below this share delivered in time a target is saturated, and higher rates are not tried on it. */
const SATURATED = 0.5;

/**
 * Offered load stepped up, every target at each step in turn (so a slow moment of the shared machine
 * hits all of them; the turn's order reversed every other run), repeated `runs` times; the table shows
 * the median of each figure.
 */
export async function runStepped(ctx: RunContext, full: SteppedSpec): Promise<ScenarioResult> {
  const spec = { ...full, targets: ctx.chooseTargets(full.targets), rates: ctx.rates ?? full.rates };
  const entries = entriesOf(spec);
  const durationMs = ctx.quick ? 1_000 : 5_000;
  const drainMs = ctx.quick ? 3_000 : 15_000;
  // At the first step's rate (3 000 msgs/s on cold nodes: its first 0.75 s caught up, p99 104 to 149 ms
  // against 26 to 30 after the lower steps); a quarter of it in a quick run, which stays under two minutes.
  const warmUpMs = ctx.quick ? WARM_UP_MS / 4 : WARM_UP_MS;
  // By entry key (a target, or its twin on the plain desk).
  const desks = new Map<string, Desk>();
  const targets = new Map<string, Target>();
  const results = new Map<string, SteppedResult[]>();
  const waits: number[] = [];
  const coldP99 = new Map<string, number>();
  const setup = new Map<string, Setup>();
  takeListUpdates();
  try {
    for (const { key, target: name, desk } of entries) {
      const target = await ctx.startTarget(name);
      targets.set(key, target);
      const started = { at: performance.now(), cpu: cpuOf(target) };
      desks.set(key, await target.openDesk(desk, (text) => ctx.progress.update(`${spec.scenario} ${key} setup: ${text}`)));
      setup.set(key, { sec: (performance.now() - started.at) / 1000, serverCpuSec: (cpuOf(target).server - started.cpu.server) / 1000 });
    }
    for (const { key } of entries) {
      const label = `${spec.scenario} ${key} warm-up`;
      ctx.progress.update(`${label}: waiting for a quiet machine`);
      await settle();
      coldP99.set(key, (await runStep(desks.get(key)!, spec.rates[0]!, warmUpMs, ctx.progress, label, { drainMs })).latency.p99);
    }
    for (let run = 0; run < ctx.runs; run++) {
      const saturated = new Set<string>();
      for (const rate of spec.rates) {
        for (const { key } of inTurn(entries, run)) {
          if (saturated.has(key)) continue;
          const label = `${spec.scenario} run ${run + 1}/${ctx.runs} ${key}`;
          ctx.progress.update(`${label}: waiting for a quiet machine`);
          waits.push(await settle());
          const target = targets.get(key)!;
          const trace: TracePoint[] | undefined = ctx.keepTrace ? [] : undefined;
          const step = await measuredStep(ctx, run, target, () => runStep(desks.get(key)!, rate, durationMs, ctx.progress, label, { drainMs, cpu: () => cpuOf(target), trace }));
          if (trace) ctx.keepTrace?.(`${spec.scenario}-${key}-${rate}-run${run + 1}`, trace);
          if (step.delivered < step.sent * SATURATED) saturated.add(key);
          results.set(`${key}@${rate}`, [...(results.get(`${key}@${rate}`) ?? []), step]);
        }
      }
    }
  } finally {
    await Promise.allSettled([...desks.values()].map((desk) => desk.close()));
    // Every target stops, even when one of them fails to.
    await Promise.allSettled([...targets.values()].map((target) => target.stop()));
  }
  ctx.progress.done();
  return toResult(spec, entries, results, { durationMs, warmUpMs }, ctx.runs, waits, { coldP99, setup, listUpdates: takeListUpdates() });
}

/** A step of a run, the target's GC while it ran (its load and its drain), and the disk's slow flushes meanwhile. */
type SteppedResult = StepResult & { run: number; gc: ReturnType<typeof gcDuring>; slowFlushes: SlowFlushes };

async function measuredStep(ctx: RunContext, run: number, target: Target, step: () => Promise<StepResult>): Promise<SteppedResult> {
  const before = await gcOf(target);
  const started = performance.now();
  const result = await step();
  const ended = performance.now();
  return { ...result, run, gc: gcDuring(before, await gcOf(target), (ended - started) / 1000), slowFlushes: ctx.slowFlushes(started, ended) };
}

/** What the ratios to the plain desk read of a step. */
type Measured = Pick<SteppedResult, 'run' | 'cpuMsPerMessage'> & { latency: Pick<SteppedResult['latency'], 'p99'> };

/**
 * A step's p99 and CPU a message over its twin's on the plain desk, run by run (the two measured in
 * turns, the same minute), and the medians of those ratios; NaN without a twin or a run of both.
 */
export function ratiosToPlain(steps: Measured[], plain: Measured[] | undefined): { p99: number; cpu: number } {
  const pairs = steps.flatMap((step) => {
    const twin = plain?.find((other) => other.run === step.run);
    return twin ? [[step, twin] as const] : [];
  });
  const ratio = (pick: (s: Measured) => number) => median(pairs.map(([step, twin]) => pick(step) / pick(twin)));
  return { p99: ratio((s) => s.latency.p99), cpu: ratio((s) => s.cpuMsPerMessage) };
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

/** `1.07 ×`: a ratio to the plain desk; a dash where there is none. */
const ratioCell = (ratio: number): string => (Number.isNaN(ratio) ? '-' : `${ratio.toFixed(2)} ×`);

/** `12.3 (1)`: GC pause ms a second and full collections; a dash for a target without metrics. */
const gcCell = (m: ReturnType<typeof medianStep>): string => (Number.isNaN(m.gcMsPerSecond) ? '-' : `${m.gcMsPerSecond.toFixed(1)} (${m.majorGcs})`);

function toResult(
  spec: SteppedSpec,
  entries: Entry[],
  results: Map<string, SteppedResult[]>,
  { durationMs, warmUpMs }: { durationMs: number; warmUpMs: number },
  runs: number,
  waits: number[],
  { coldP99, setup, listUpdates }: { coldP99: Map<string, number>; setup: Map<string, Setup>; listUpdates: ReturnType<typeof takeListUpdates> },
): ScenarioResult {
  const rows = [];
  const raw: Record<string, (ReturnType<typeof medianStep> & { toPlain?: ReturnType<typeof ratiosToPlain> }) | null> = {};
  const withPlain = spec.plain !== undefined;
  const labelOfKey = (key: string) => entries.find((entry) => entry.key === key)?.label ?? key;
  for (const rate of spec.rates) {
    for (const { key, label, twin } of entries) {
      const steps = results.get(`${key}@${rate}`);
      const m = steps ? medianStep(steps) : null;
      const toPlain = steps && twin ? ratiosToPlain(steps, results.get(`${twin}@${rate}`)) : undefined;
      raw[`${key}@${rate}`] = m && { ...m, ...(toPlain && { toPlain }) };
      const ratioCells = withPlain ? [toPlain ? ratioCell(toPlain.p99) : '-', toPlain ? ratioCell(toPlain.cpu) : '-'] : [];
      rows.push(
        m
          ? [rate, label, m.offered, `${m.deliveredPct.toFixed(1)} %`, m.p50, m.p99, m.p999, m.ackP99, m.errors, m.cpuMsPerMessage, orDash(m.databaseCpuMsPerMessage), gcCell(m), `${m.machineBusyPct.toFixed(0)} %`, `${m.generatorLateP99.toFixed(1)} / ${m.generatorLateMax.toFixed(1)}`, ...ratioCells]
          : [rate, label, '-', 'saturated below', '-', '-', '-', '-', '-', '-', '-', '-', '-', '-', ...ratioCells.map(() => '-')],
      );
    }
  }
  const value = (key: string, rate: number) => raw[`${key}@${rate}`]?.p99 ?? NaN;
  return {
    scenario: spec.scenario,
    title: spec.title,
    columns: [
      'msgs/s', 'target', 'offered/s', 'delivered ≤ 2 s', 'p50 ms', 'p99 ms', 'p99.9 ms', 'ack p99 ms', 'errors', 'server CPU ms/msg', 'PostgreSQL CPU ms/msg', 'server GC ms/s (full GCs)', 'machine busy', 'generator late p99 / max ms',
      ...(withPlain ? ['p99 × plain desk', 'CPU × plain desk'] : []),
    ],
    rows,
    chart: {
      title: `${spec.title}: p99 shopper send → agent receives`,
      unit: 'p99 ms',
      log: true,
      groups: spec.rates.map((r) => `${r}/s`),
      series: entries.map(({ key, label }) => ({ name: label, values: spec.rates.map((rate) => value(key, rate)) })),
    },
    notes: [
      `${durationMs / 1000} s per step, median of ${runs} run(s); a target below ${SATURATED * 100} % delivered is not stepped further. Each scenario starts its targets (new processes, an empty database) and stops them at its end.`,
      `Each step starts once the machine is quiet (${QUIET_MACHINE}), so that one target's after-work does not run in the next one's step: waited ${(median(waits) / 1000).toFixed(1)} s per step (median), ${(Math.max(0, ...waits) / 1000).toFixed(1)} s at most.`,
      `Warm-up: each target first runs ${warmUpMs / 1000} s at ${spec.rates[0]} msgs/s on its fresh nodes, not counted in the steps; its p99 (cold nodes): ${[...coldP99].map(([key, p99]) => `${labelOfKey(key)} ${Number.isNaN(p99) ? '- (none delivered in time)' : `${p99.toFixed(1)} ms`}`).join(', ')}.`,
      'Server CPU ms/msg: user + system CPU time of the target\'s server processes (both nodes for two nodes; not PostgreSQL or Redis) over the step and its drain, per message sent. It depends little on what else runs on the machine, unlike the latencies.',
      'PostgreSQL CPU ms/msg: the same for all of the machine\'s PostgreSQL processes (the shapes on PostgreSQL only: kefu\'s two nodes and the durable relay\'s; what the other targets\' idle nodes ask of it meanwhile included).',
      'Server GC ms/s (full GCs): the pauses of V8\'s collections in the target\'s server processes per second of the step and its drain, and how many of them were full (mark-compact) collections; from each node\'s /metrics (medians; each run\'s own in the JSON, byRun). A full collection comes when enough has outlived the young generation, so a target\'s later runs meet more of them.',
      `Machine busy: the share of the machine's ${cpus().length} cores that every process together (the target, PostgreSQL, Redis, the load generator and its agents' processes) kept busy while the step's messages were sent, its drain not included. A message that waits between its hops waits for a core, so the tail grows with it.`,
      `Generator late p99 / max ms: how late the load generator's own event loops ran (ticks timed every millisecond; the latest of this process, which sends, and the agents' ${AGENT_PROCESSES} processes, which receive) while the step's messages were sent and received: a message read meanwhile was timed late by as much, so a step's p99 near this figure is partly the generator's own.`,
      `List updates: each kefu desk's first agent parses every event as a dashboard does; the others (dashboards of their own, simulated in the agents' processes) receive each \`conversation:activity\` whole but only count it: ${listUpdates.frames} of them, ${(listUpdates.chars / 2 ** 20).toFixed(1)} MB, over the scenario.`,
      `Setup, before the warm-up and not measured in the steps (${setupOf(spec.desk)}${spec.plain ? `; on the plain desk, ${setupOf(spec.plain)}` : ''}): ${[...setup].map(([key, { sec, serverCpuSec }]) => `${labelOfKey(key)} ${sec.toFixed(1)} s (server CPU ${serverCpuSec.toFixed(1)} s)`).join(', ')}.`,
      ...(withPlain
        ? [
            `p99 × plain desk, CPU × plain desk: each kefu target is also measured on the plain desk (the latency scenario's: ${setupOf(spec.plain!)}), on nodes of its own, in turns with this scenario's desk at every step; the ratios of the two, run by run, and their median. The issue's 1.2 × is judged on them: the latency scenario's table was measured minutes earlier, on another moment of the shared machine.`,
          ]
        : []),
      ...spec.notes,
    ],
    raw: { ...raw, coldP99: Object.fromEntries(coldP99), setup: Object.fromEntries(setup), listUpdates },
  };
}
