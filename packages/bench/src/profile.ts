import { readFileSync } from 'node:fs';

/** A V8 .cpuprofile (`node --cpu-prof`), as much of it as the bench reads. */
export type CpuProfile = {
  nodes: { id: number; callFrame: { functionName: string; url: string; lineNumber: number } }[];
  /** Microseconds on the machine's monotonic clock, as `clock()` (load/clock.ts) reads it in milliseconds. */
  startTime: number;
  samples: number[];
  timeDeltas: number[];
};

export const readProfile = (file: string): CpuProfile => JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;

/** Where a frame's code comes from: a package of node_modules, one of kefu's, Node's own, or native. */
export function packageOf(url: string): string {
  if (!url) return '(native / idle / gc)';
  const modules = url.lastIndexOf('node_modules/');
  if (modules >= 0) {
    const path = url.slice(modules + 13);
    return path.split('/').slice(0, path.startsWith('@') ? 2 : 1).join('/');
  }
  const kefu = /\/(apps|packages)\/([^/]+)\//.exec(url);
  return kefu ? `kefu/${kefu[2]}` : url.startsWith('node:') ? 'node' : url;
}

/**
 * Self time, in ms, by function and by package; and how much of it was in samples over 2 ms long (the
 * profiler samples every millisecond: such a sample is mostly the thread waiting for a core).
 */
export type SelfTime = { totalMs: number; idleMs: number; longSamplesMs: number; byFunction: Map<string, number>; byPackage: Map<string, number> };

const LONG_SAMPLE_MS = 2;

/**
 * The profile's self time over the samples taken at a time (ms on `clock()`) for which `within` holds,
 * all of them without it. A sample's time is the gap to the next one: a thread that was off its core
 * shows as one long sample of whatever it was running.
 */
export function selfTime(profile: CpuProfile, within: (atMs: number) => boolean = () => true): SelfTime {
  const frames = new Map(profile.nodes.map((node) => [node.id, node.callFrame]));
  const result: SelfTime = { totalMs: 0, idleMs: 0, longSamplesMs: 0, byFunction: new Map(), byPackage: new Map() };
  const add = (map: Map<string, number>, key: string, ms: number) => map.set(key, (map.get(key) ?? 0) + ms);
  let at = profile.startTime;
  profile.samples.forEach((id, i) => {
    at += profile.timeDeltas[i] ?? 0;
    if (!within(at / 1000)) return;
    const ms = (profile.timeDeltas[i + 1] ?? 0) / 1000;
    const frame = frames.get(id)!;
    result.totalMs += ms;
    if (frame.functionName === '(idle)') result.idleMs += ms;
    if (ms > LONG_SAMPLE_MS) result.longSamplesMs += ms;
    add(result.byFunction, `${frame.functionName || '(anonymous)'} ${packageOf(frame.url)}:${frame.lineNumber + 1}`, ms);
    add(result.byPackage, packageOf(frame.url), ms);
  });
  return result;
}

/** The `top` largest entries of `map` as lines of their share of `totalMs`. */
export function topShares(map: Map<string, number>, totalMs: number, top: number): string[] {
  return [...map]
    .sort((a, b) => b[1] - a[1])
    .slice(0, top)
    .map(([key, ms]) => `${((100 * ms) / totalMs).toFixed(1).padStart(5)} %  ${key}`);
}
