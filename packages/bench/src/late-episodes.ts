import { parseArgs } from 'node:util';
import { inEpisodes, lateEpisodes, readTrace } from './load/trace.js';
import { readProfile, selfTime, type SelfTime } from './profile.js';
import { createLatencies } from './stats.js';

/**
 * A step's late messages (npm run bench -- --trace) as the stretches they come in, and with a kefu
 * node's CPU profile of the same run (--profile) what its thread did in them against the rest of the
 * step: how busy, how much in samples over 2 ms (waiting for a core), which functions. Both are timed
 * on the machine's monotonic clock.
 * Usage: node packages/bench/dist/late-episodes.js TRACE.tsv [--over MS] [--profile FILE.cpuprofile] [--top N]
 */
const { positionals, values } = parseArgs({
  allowPositionals: true,
  options: { over: { type: 'string', default: '15' }, profile: { type: 'string' }, top: { type: 'string', default: '25' } },
});
const [file] = positionals;
if (!file) throw new Error('usage: late-episodes TRACE.tsv [--over MS] [--profile FILE.cpuprofile] [--top N]');
const over = Number(values.over);
const trace = readTrace(file);
if (trace.length === 0) throw new Error(`${file} holds no messages`);
const from = Math.min(...trace.map((p) => p.sentAt));
const to = Math.max(...trace.map((p) => p.sentAt + p.ms));
const episodes = lateEpisodes(trace, over);
const late = episodes.reduce((sum, e) => sum + e.late, 0);
const inside = episodes.reduce((sum, e) => sum + (e.to - e.from), 0);
// The p99 as the bench's tables give it.
const latencies = createLatencies();
trace.forEach((p) => latencies.record(p.ms));
const pct = (part: number, whole: number) => `${((100 * part) / whole).toFixed(1)} %`;

console.log(`${file}: ${trace.length} messages over ${((to - from) / 1000).toFixed(1)} s, p99 ${latencies.summary().p99.toFixed(2)} ms`);
console.log(`${late} over ${over} ms (${pct(late, trace.length)}), in ${episodes.length} stretches holding ${pct(inside, to - from)} of the time:`);
for (const e of episodes) console.log(`  at ${(e.from - from).toFixed(0).padStart(6)} ms, ${(e.to - e.from).toFixed(0).padStart(4)} ms long: ${String(e.late).padStart(4)} late, the worst ${e.worstMs.toFixed(1)} ms`);

if (values.profile) {
  const profile = readProfile(values.profile);
  const isLate = inEpisodes(episodes);
  const during = selfTime(profile, (at) => at >= from && at <= to && isLate(at));
  const rest = selfTime(profile, (at) => at >= from && at <= to && !isLate(at));
  const line = (title: string, pick: (time: SelfTime) => number) => console.log(`${title}: ${pct(pick(during), during.totalMs)} in them, ${pct(pick(rest), rest.totalMs)} outside`);
  console.log(`\n${values.profile}`);
  line('busy', (time) => time.totalMs - time.idleMs);
  line('in samples over 2 ms (waiting for a core, mostly)', (time) => time.longSamplesMs);
  console.log('\nself time by function: in them / outside');
  const keys = [...new Set([...during.byFunction.keys(), ...rest.byFunction.keys()])];
  const share = (time: SelfTime, key: string) => (100 * (time.byFunction.get(key) ?? 0)) / time.totalMs;
  keys
    .map((key) => ({ key, in: share(during, key), out: share(rest, key) }))
    .sort((a, b) => Math.max(b.in, b.out) - Math.max(a.in, a.out))
    .slice(0, Number(values.top))
    .forEach((row) => console.log(`${row.in.toFixed(1).padStart(5)} % ${row.out.toFixed(1).padStart(5)} %  ${row.key}`));
}
