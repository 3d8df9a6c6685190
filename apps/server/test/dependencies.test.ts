import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { repoRoot } from './cluster-harness.js';

/**
 * The real-time stack parses what anonymous strangers send: every installed copy of these packages
 * must be past the published advisories below (GitHub advisory database), read from the installed
 * package.json files, not from what package.json asks for.
 */
const fixedIn: Record<string, { version: string; advisories: string[] }> = {
  'socket.io': { version: '4.6.2', advisories: ['CVE-2024-38355 unhandled error event crash', 'CVE-2020-28481 CORS misconfiguration'] },
  'engine.io': { version: '6.4.2', advisories: ['CVE-2023-31125 uncaught exception', 'CVE-2022-41940 uncaught exception', 'CVE-2022-21676 resource exhaustion'] },
  'socket.io-parser': { version: '4.2.3', advisories: ['CVE-2023-32695 insufficient validation', 'CVE-2022-2421 insufficient validation'] },
  ws: { version: '8.17.1', advisories: ['CVE-2024-37890 DoS by many HTTP headers', 'CVE-2021-32640 ReDoS in Sec-Websocket-Protocol'] },
};

const parse = (version: string) => version.split(/[.+-]/).slice(0, 3).map(Number);
/** a ≥ b for x.y.z versions (pre-release tags count as the release: none is installed here). */
function atLeast(a: string, b: string): boolean {
  const [x, y] = [parse(a), parse(b)];
  for (let i = 0; i < 3; i++) if ((x[i] ?? 0) !== (y[i] ?? 0)) return (x[i] ?? 0) > (y[i] ?? 0);
  return true;
}

/** Every installed copy of `name` under the workspace's node_modules folders, nested ones included. */
function installedCopies(name: string): { path: string; version: string }[] {
  const found: { path: string; version: string }[] = [];
  const visit = (modules: string, depth: number) => {
    if (depth > 6) return;
    let entries: string[];
    try {
      entries = readdirSync(modules);
    } catch {
      return;
    }
    for (const entry of entries) {
      const dir = join(modules, entry);
      if (entry.startsWith('@')) {
        visit(dir, depth);
        continue;
      }
      if (entry === name) {
        const manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { version: string };
        found.push({ path: dir, version: manifest.version });
      }
      const nested = join(dir, 'node_modules');
      if (statSync(dir).isDirectory()) visit(nested, depth + 1);
    }
  };
  const roots = [join(repoRoot, 'node_modules')];
  for (const group of ['apps', 'packages']) for (const ws of readdirSync(join(repoRoot, group))) roots.push(join(repoRoot, group, ws, 'node_modules'));
  for (const root of roots) visit(root, 0);
  return found;
}

describe('dependencies past their published advisories', () => {
  it.each(Object.entries(fixedIn))('%s: every installed copy is at least the fixed version', (name, { version }) => {
    const copies = installedCopies(name);
    expect(copies.length).toBeGreaterThan(0);
    const vulnerable = copies.filter((copy) => !atLeast(copy.version, version));
    expect(vulnerable).toEqual([]);
  });

  it('compares versions numerically', () => {
    expect([atLeast('8.17.1', '8.17.1'), atLeast('8.9.0', '8.17.1'), atLeast('10.0.0', '8.17.1'), atLeast('4.2.10', '4.2.3')]).toEqual([true, false, true, true]);
  });
});
