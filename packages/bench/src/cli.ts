import { cpus, loadavg, totalmem } from 'node:os';
import { join } from 'node:path';
import { mkdirSync, rmSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { describeDisk, sampleDisk } from './load/disk.js';
import { writeTrace, type TracePoint } from './load/trace.js';
import { createProgress } from './progress.js';
import { toMarkdown, type ScenarioResult } from './report/result.js';
import { writeResult } from './report/write.js';
import type { RunContext } from './scenarios/context.js';
import { capacity } from './scenarios/capacity.js';
import { fanout, latency, queue } from './scenarios/latency.js';
import { recovery } from './scenarios/recovery.js';
import { routing } from './scenarios/routing.js';
import { widget } from './scenarios/widget.js';
import { startKefu } from './targets/kefu.js';
import { repoRoot } from './targets/process.js';
import { startDurableRelay, startRelay } from './targets/relay.js';
import { buildOf, shapeOf, type Target, type TargetName } from './targets/target.js';

const scenarios: Record<string, (ctx: RunContext) => Promise<ScenarioResult>> = {
  latency,
  queue,
  fanout,
  routing,
  recovery,
  capacity,
  widget,
};

const usage = `npm run bench [-- --quick] [--runs N] [--rates 500,1500,...] [--only latency,queue,...] [--out DIR] [--profile] [--trace] [--targets relay,kefu-1,kefu-2,durable-1,durable-2] [--compare NAME=DIR ...]
--rates: the offered loads (msgs/s) of the stepped scenarios (latency, queue, fan-out) instead of their own
--targets: durable-1 and durable-2 (a relay that acks only after its store's commit, on one node with SQLite or two with Redis + PostgreSQL: the simplest design with kefu's guarantees) run in the latency scenario, and only when named here
--compare: also measure the kefu build in DIR (laid out like this repository) as kefu-1@NAME / kefu-2@NAME
--profile: kefu nodes run with --cpu-prof; profiles land in DIR/profiles (read them with profile-summary.js)
--trace: each measured step of latency, queue and fan-out writes its messages (sent when, read how late) to DIR/traces (read them with late-episodes.js, beside a profile)
scenarios: ${Object.keys(scenarios).join(', ')}`;

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      quick: { type: 'boolean', default: false },
      runs: { type: 'string' },
      rates: { type: 'string' },
      only: { type: 'string' },
      out: { type: 'string', default: join(repoRoot, 'bench-results') },
      profile: { type: 'boolean', default: false },
      trace: { type: 'boolean', default: false },
      targets: { type: 'string' },
      compare: { type: 'string', multiple: true },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) return console.log(usage);
  const chosen = values.only ? values.only.split(',') : Object.keys(scenarios);
  const unknown = chosen.filter((name) => !scenarios[name]);
  if (unknown.length > 0) throw new Error(`unknown scenario(s): ${unknown.join(', ')}\n${usage}`);

  const compare = new Map((values.compare ?? []).map((entry) => entry.split('=') as [string, string]));
  const progress = createProgress();
  const startTarget = (name: TargetName): Promise<Target> => {
    const nodeArgs = values.profile ? () => ['--cpu-prof', '--cpu-prof-dir', join(values.out, 'profiles')] : undefined;
    const root = buildOf(name) ? compare.get(buildOf(name)!) : undefined;
    const shape = shapeOf(name);
    if (shape === 'relay') return startRelay();
    if (shape === 'durable-1' || shape === 'durable-2') return startDurableRelay(shape);
    return startKefu(name, { nodeArgs, root });
  };
  rmSync(join(values.out, 'summary.md'), { force: true });
  mkdirSync(values.out, { recursive: true });
  const disk = await sampleDisk(values.out);
  const ctx: RunContext = {
    quick: values.quick,
    runs: Number(values.runs ?? (values.quick ? 1 : 3)),
    rates: values.rates === undefined ? undefined : ratesOf(values.rates),
    progress,
    chooseTargets: (targets) => {
      // The durable relays only when --targets names them: they are a reference, not a target of issue 6.
      const chosen = targets.filter((name) => (values.targets ? values.targets.split(',').includes(name) : !name.startsWith('durable')));
      return chosen.flatMap((name) => [name, ...(name.startsWith('kefu') ? [...compare.keys()].map((build) => `${name}@${build}`) : [])]);
    },
    log: (text) => console.log(text),
    startTarget,
    keepTrace: values.trace ? keepTraceIn(join(values.out, 'traces')) : undefined,
    slowFlushes: (from, to) => disk.slowBetween(from, to),
  };
  const meta = {
    command: `npm run bench -- ${process.argv.slice(2).join(' ')}`.trim(),
    startedAt: new Date().toISOString(),
    machine: { cpus: cpus().length, cpu: cpus()[0]?.model, memoryGiB: Math.round(totalmem() / 2 ** 30), node: process.version, loadavg: loadavg() },
  };
  console.log(`kefu bench: ${chosen.join(', ')}${values.quick ? ' (quick)' : ''}, ${ctx.runs} run(s) per step; load average ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);
  const begin = Date.now();
  try {
    for (const name of chosen) {
      const scenarioBegin = Date.now();
      disk.take();
      const result = await scenarios[name]!(ctx);
      const flushes = disk.take();
      progress.done();
      console.log(`\n${toMarkdown(result)}\n(${name}: ${((Date.now() - scenarioBegin) / 1000).toFixed(0)} s; ${describeDisk(flushes)})`);
      writeResult(values.out, result, { ...meta, flushesMeanwhile: flushes, loadavgAfter: loadavg() });
    }
  } finally {
    progress.done();
    await disk.stop();
  }
  console.log(`\ndone in ${((Date.now() - begin) / 1000).toFixed(0)} s; results in ${values.out}`);
}

/** Writes each step's trace to DIR/NAME.tsv. */
function keepTraceIn(dir: string): (name: string, trace: TracePoint[]) => void {
  mkdirSync(dir, { recursive: true });
  return (name, trace) => writeTrace(join(dir, `${name}.tsv`), trace);
}

/** `--rates 500,1500`: whole numbers of messages per second, at least one. */
function ratesOf(text: string): number[] {
  const rates = text.split(',').map(Number);
  if (rates.some((rate) => !Number.isSafeInteger(rate) || rate <= 0)) throw new Error(`--rates wants messages per second like 500,1500, not ${text}\n${usage}`);
  return rates;
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error instanceof Error ? (error.stack ?? error.message) : error);
    process.exit(1);
  },
);
