import { parseArgs } from 'node:util';
import { readProfile, selfTime, topShares } from './profile.js';

/**
 * Summarises a V8 .cpuprofile (from `npm run bench -- --profile`): self time by function and by
 * package, so a profile can be read without opening DevTools. `--from` and `--to` (ms on the machine's
 * monotonic clock, as the bench's traces give them: --trace) read one stretch of it, a step say,
 * instead of the process's whole life, which a scenario's setup fills.
 * Usage: node packages/bench/dist/profile-summary.js FILE.cpuprofile [top] [--from MS] [--to MS]
 */
const { positionals, values } = parseArgs({ allowPositionals: true, options: { from: { type: 'string' }, to: { type: 'string' } } });
const [file, topArg] = positionals;
if (!file) throw new Error('usage: profile-summary FILE.cpuprofile [top] [--from MS] [--to MS]');
const from = Number(values.from ?? -Infinity);
const to = Number(values.to ?? Infinity);
const time = selfTime(readProfile(file), (at) => at >= from && at < to);
console.log(`${file}: ${(time.totalMs / 1000).toFixed(1)} s sampled, idle ${((100 * time.idleMs) / time.totalMs).toFixed(1)} %`);
console.log('\nself time by package');
topShares(time.byPackage, time.totalMs, 20).forEach((line) => console.log(line));
console.log('\nself time by function');
topShares(time.byFunction, time.totalMs, Number(topArg ?? 40)).forEach((line) => console.log(line));
