import { readFileSync } from 'node:fs';
import { describe, expect, it } from '@jest/globals';
import { SERVER_NODE_FLAGS } from './node-flags.js';

const repoFile = (path: string) => readFileSync(new URL(`../../../${path}`, import.meta.url), 'utf8');
const scripts = (path: string) => (JSON.parse(repoFile(path)) as { scripts: Record<string, string> }).scripts;

/** Each way of starting a node that cannot import SERVER_NODE_FLAGS spells them out; they must agree. */
describe('the Node.js flags a server node runs with', () => {
  it('are in the Docker image', () => {
    const cmd = /^CMD (\[.*\])$/m.exec(repoFile('Dockerfile'))?.[1];
    expect(JSON.parse(cmd ?? '[]')).toEqual(['node', ...SERVER_NODE_FLAGS, 'apps/server/dist/main.js']);
  });

  it('are in the package scripts that start the server alone', () => {
    expect(scripts('apps/server/package.json').start).toBe(`node ${SERVER_NODE_FLAGS.join(' ')} dist/main.js`);
    expect(scripts('package.json')['start:server']).toMatch(new RegExp(` && node ${SERVER_NODE_FLAGS.join(' ')} apps/server/dist/main\\.js$`));
  });
});
