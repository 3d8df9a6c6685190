import { fork, type ChildProcess } from 'node:child_process';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { repoRoot } from '../targets/process.js';
import type { AgentSpec, FromWorker, ToWorker } from './agents-worker.js';
import { latestOf, type GeneratorLate } from './generator-lag.js';
import { addListUpdates } from './list-updates.js';

export type { AgentSpec } from './agents-worker.js';

const worker = join(repoRoot, 'packages/bench/dist/load/agents-worker.js');

/**
 * A desk's agents read their frames in processes of their own, one a core, beside the load generator
 * that sends. In its one event loop, fifty agents read fifty copies of every list update in a row, a
 * message that arrived meanwhile was timed late by all of them (one node's fan-out p99 at 3 000 msgs/s
 * 6.51 ms against 4.83 with the agents in two processes, its twin's 4.19 in both; docs/benchmarks.md,
 * change 102). More processes than cores only add wake-ups: with ten, the plain desk kept the machine
 * a third again as busy and its p99 rose.
 */
export const AGENT_PROCESSES = availableParallelism();

/** A desk's agents, in processes of their own. */
export type Agents = {
  /** Hands on each `message:created` read by an agent: its clientMsgId and `clock()` when read. */
  listen(onDelivered: (clientMsgId: string, at: number) => void): () => void;
  /** Starts timing the agents' event loops; `stop` gives the latest of them. */
  lag(): { stop(): Promise<GeneratorLate> };
  /** Closes every agent socket and ends the processes. */
  close(): Promise<void>;
};

type Worker = { child: ChildProcess; ask(message: ToWorker): Promise<FromWorker> };

/**
 * A worker process; `ask` sends a message and resolves with the worker's answer (one at a time). Once
 * the worker has exited, every question is refused at once instead of waiting for an answer.
 */
function startWorker(onDelivered: (ids: string[], at: number[]) => void): Worker {
  const child = fork(worker, { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  let asked: { resolve(answer: FromWorker): void; reject(error: Error): void } | null = null;
  let exited = false;
  child.on('message', (message: FromWorker) => {
    if (message.type === 'delivered') return onDelivered(message.ids, message.at);
    const waiting = asked;
    asked = null;
    if (message.type === 'failed') waiting?.reject(new Error(`agents: ${message.error}`));
    else waiting?.resolve(message);
  });
  // A send to a worker that has gone fails through its callback (below), not as an unhandled 'error'.
  child.on('error', () => {});
  child.on('exit', () => {
    exited = true;
    asked?.reject(new Error('agents worker exited'));
  });
  const ask = (message: ToWorker) =>
    new Promise<FromWorker>((resolve, reject) => {
      if (exited) return reject(new Error('agents worker exited'));
      asked = { resolve, reject };
      child.send(message, (error) => error && reject(error));
    });
  return { child, ask };
}

type Answer<T extends FromWorker['type']> = Extract<FromWorker, { type: T }>;

/** Connects `agents` to `url` from `processes` processes of their own, agent i in process i mod `processes`. */
export async function openAgents(url: string, agents: AgentSpec[], processes = AGENT_PROCESSES): Promise<Agents> {
  let listener: ((clientMsgId: string, at: number) => void) | null = null;
  const workers = Array.from({ length: Math.min(processes, agents.length) }, () =>
    startWorker((ids, at) => ids.forEach((id, i) => listener?.(id, at[i]!))),
  );
  const close = async () => {
    const closed = await Promise.allSettled(workers.map((w) => w.ask({ type: 'close' })));
    closed.forEach((c) => c.status === 'fulfilled' && addListUpdates((c.value as Answer<'closed'>).listUpdates));
  };
  const opened = await Promise.allSettled(workers.map((w, p) => w.ask({ type: 'open', url, agents: agents.filter((_, i) => i % workers.length === p) })));
  const failed = opened.find((o) => o.status === 'rejected');
  if (failed) {
    await close();
    throw (failed as PromiseRejectedResult).reason;
  }
  return {
    listen(onDelivered) {
      listener = onDelivered;
      return () => (listener = null);
    },
    lag() {
      workers.forEach((w) => w.child.connected && w.child.send({ type: 'lag' } satisfies ToWorker, () => {}));
      return {
        async stop() {
          const reports = (await Promise.all(workers.map((w) => w.ask({ type: 'report' })))) as Answer<'report'>[];
          reports.forEach((r) => addListUpdates(r.listUpdates));
          return latestOf(reports.map((r) => r.late));
        },
      };
    },
    close,
  };
}
