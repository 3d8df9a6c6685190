import { readFileSync } from 'node:fs';

/**
 * Summarises a V8 .cpuprofile (from `npm run bench -- --profile`): self time by function and by
 * package, so a profile can be read without opening DevTools.
 * Usage: node packages/bench/dist/profile-summary.js FILE.cpuprofile [top]
 */
type Node = { id: number; callFrame: { functionName: string; url: string; lineNumber: number }; hitCount?: number };
type Profile = { nodes: Node[]; samples: number[]; timeDeltas: number[] };

const [file, topArg] = process.argv.slice(2);
if (!file) throw new Error('usage: profile-summary FILE.cpuprofile [top]');
const profile = JSON.parse(readFileSync(file, 'utf8')) as Profile;
const byId = new Map(profile.nodes.map((n) => [n.id, n]));
const selfMs = new Map<number, number>();
profile.samples.forEach((id, i) => selfMs.set(id, (selfMs.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0) / 1000));
const total = [...selfMs.values()].reduce((a, b) => a + b, 0);

const packageOf = (url: string): string => {
  if (!url) return '(native / idle / gc)';
  const modules = url.lastIndexOf('node_modules/');
  if (modules >= 0) return url.slice(modules + 13).split('/').slice(0, url.slice(modules + 13).startsWith('@') ? 2 : 1).join('/');
  const kefu = /\/(apps|packages)\/([^/]+)\//.exec(url);
  return kefu ? `kefu/${kefu[2]}` : url.startsWith('node:') ? 'node' : url;
};

const add = (map: Map<string, number>, key: string, ms: number) => map.set(key, (map.get(key) ?? 0) + ms);
const functions = new Map<string, number>();
const packages = new Map<string, number>();
for (const [id, ms] of selfMs) {
  const frame = byId.get(id)!.callFrame;
  add(functions, `${frame.functionName || '(anonymous)'} ${packageOf(frame.url)}:${frame.lineNumber + 1}`, ms);
  add(packages, packageOf(frame.url), ms);
}
const print = (title: string, map: Map<string, number>, top: number) => {
  console.log(`\n${title}`);
  for (const [key, ms] of [...map].sort((a, b) => b[1] - a[1]).slice(0, top)) console.log(`${((100 * ms) / total).toFixed(1).padStart(5)} %  ${key}`);
};
console.log(`${file}: ${(total / 1000).toFixed(1)} s sampled`);
print('self time by package', packages, 20);
print('self time by function', functions, Number(topArg ?? 40));
