import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from '@jest/globals';
import { cleanEnv, repoRoot, serverMain, type Exit } from './cluster-harness.js';
import { within } from './kit.js';

// Runs the build (apps/server/dist/main.js), like the cluster suite: `npx turbo run build` first.

describe('security: a supervisor that closed the pipe', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'kefu-shutdown-'));
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  it('SIGTERM ends the process even when nobody reads its stdout any more', async () => {
    const child = spawn(process.execPath, [serverMain], {
      cwd: repoRoot,
      env: { ...cleanEnv(), PORT: '0', HOST: '127.0.0.1', KEFU_DATA_DIR: dataDir, KEFU_PASSWORD_COST: '10', LOG_LEVEL: 'debug' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const exited = new Promise<Exit>((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
    try {
      let seen = '';
      await within(
        new Promise<void>((resolve) => child.stdout.setEncoding('utf8').on('data', (chunk: string) => (seen += chunk).includes('kefu server listening') && resolve())),
        'the server to listen',
        20_000,
      );
      // The reader goes away: every later log line meets EPIPE.
      child.stdout.destroy();
      child.kill('SIGTERM');
      expect(await within(exited, 'the process to exit after SIGTERM', 15_000)).toEqual({ code: 0, signal: null });
    } finally {
      child.kill('SIGKILL');
    }
  });
});
