import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { serverNodeFlags } from '../src/node-flags.js';
import { repoRoot } from './cluster-harness.js';

const read = (file: string) => readFileSync(join(repoRoot, file), 'utf8');

/** Every way the docs and the image start a server node, each with the flags. */
describe('the server starts with its Node flags everywhere it is started', () => {
  const serverPackage = JSON.parse(read('apps/server/package.json')) as { scripts: { start: string } };
  const starts: [string, string[]][] = [
    ['apps/server/package.json start', [serverPackage.scripts.start]],
    ['Dockerfile CMD', read('Dockerfile').split('\n').filter((line) => line.startsWith('CMD '))],
    ['README', read('README.md').split('\n').filter((line) => line.includes('apps/server/dist/main.js'))],
  ];

  it.each(starts)('%s', (_where, lines) => {
    expect(lines.length).toBeGreaterThan(0);
    for (const line of lines) for (const flag of serverNodeFlags) expect(line).toContain(flag);
  });

  it('npm start and the bench take them from the server build', () => {
    expect(read('scripts/start.mjs')).toMatch(/serverNodeFlags[\s\S]*apps\/server\/dist\/main\.js/);
    expect(read('packages/bench/src/targets/kefu.ts')).toContain('node-flags.js');
  });
});
