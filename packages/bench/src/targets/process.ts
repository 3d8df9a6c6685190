import { spawn, type ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import { sleep } from '../progress.js';

export const repoRoot = fileURLToPath(new URL('../../../../', import.meta.url));

/** A server process the harness started: its URL, its pid for RSS, and how to stop it. */
export type NodeProcess = {
  name: string;
  url: string;
  pid: number;
  exited: Promise<void>;
  rssBytes(): number;
  kill(signal?: NodeJS.Signals): void;
  output(): string;
};

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      probe.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

/** Resident set size of a process from /proc (Linux): what the kernel really keeps for it. */
export function rssOf(pid: number): number {
  const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return match ? Number(match[1]) * 1024 : NaN;
}

/** CPU time (user + system) a process has used so far, from /proc (Linux; clock ticks of 10 ms). */
export function cpuMsOf(pid: number, withEndedChildren = false): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').replace(/^.*\) /s, '').split(' ');
  // After "pid (comm) ", utime and stime are the 12th and 13th fields; cutime and cstime, the time of
  // the children it has reaped, the 14th and 15th.
  const ticks = Number(fields[11]) + Number(fields[12]) + (withEndedChildren ? Number(fields[13]) + Number(fields[14]) : 0);
  return ticks * 10;
}

/**
 * CPU time (user + system) the machine's PostgreSQL has used so far: all its processes (backends,
 * WAL writer, checkpointer…) from /proc (Linux), and the backends that have ended, whose time the
 * postmaster collected when it reaped them (a pool closing idle connections must not make the
 * difference over a step negative).
 */
export function postgresCpuMs(): number {
  let total = 0;
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (readFileSync(`/proc/${entry}/comm`, 'utf8').startsWith('postgres')) total += cpuMsOf(Number(entry), true);
    } catch {
      // The process ended between the listing and the read.
    }
  }
  return total;
}

const children = new Set<ChildProcess>();
process.once('exit', () => children.forEach((child) => child.exitCode === null && child.kill('SIGKILL')));
// Ctrl-C (or a SIGTERM) ends the harness through 'exit', so no target outlives it.
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => process.exit(130));

/** The environment minus kefu's own settings, so the operator's shell does not leak into a target. */
function cleanEnv(): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (value !== undefined && !key.startsWith('KEFU_') && !['PORT', 'HOST', 'LOG_LEVEL', 'NODE_OPTIONS'].includes(key)) env[key] = value;
  }
  return env;
}

/** Starts `node <script>` on a free port and waits until GET /healthz answers 200. */
export async function startProcess(name: string, script: string, env: Record<string, string>, nodeArgs: string[] = []): Promise<NodeProcess> {
  const port = await freePort();
  const child = spawn(process.execPath, [...nodeArgs, script], {
    cwd: repoRoot,
    env: { ...cleanEnv(), HOST: '127.0.0.1', LOG_LEVEL: 'warn', ...env, PORT: String(port) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.add(child);
  let output = '';
  const keep = (chunk: string) => (output = (output + chunk).slice(-20_000));
  child.stdout!.setEncoding('utf8').on('data', keep);
  child.stderr!.setEncoding('utf8').on('data', keep);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const url = `http://127.0.0.1:${port}`;
  const node: NodeProcess = {
    name,
    url,
    pid: child.pid!,
    exited,
    rssBytes: () => rssOf(child.pid!),
    kill: (signal = 'SIGTERM') => {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
    },
    output: () => output,
  };
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`${name} exited at start:\n${output}`);
    const healthy = await fetch(`${url}/healthz`, { signal: AbortSignal.timeout(1_000) }).then((r) => r.ok, () => false);
    if (healthy) return node;
    await sleep(100);
  }
  node.kill('SIGKILL');
  throw new Error(`${name} was not healthy within 30 s:\n${output}`);
}

/** SIGTERM, then SIGKILL if it has not exited within a few seconds. */
export async function stopProcess(node: NodeProcess): Promise<void> {
  node.kill('SIGTERM');
  const timer = setTimeout(() => node.kill('SIGKILL'), 5_000);
  await node.exited;
  clearTimeout(timer);
}
