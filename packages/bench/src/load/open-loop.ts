import type { Socket } from 'socket.io-client';
import { sleep, type Progress } from '../progress.js';
import { clock } from './clock.js';
import { generatorLag, latestOf, type GeneratorLate } from './generator-lag.js';
import { busyBetween, machineTimes } from './settle.js';
import { createLatencies, type LatencySummary } from '../stats.js';
import { cpuPer, type CpuMs, type Desk } from '../targets/target.js';
import type { TracePoint } from './trace.js';

export type StepResult = {
  rate: number;
  sent: number;
  /** Received by an agent within the deadline. */
  delivered: number;
  errors: number;
  latency: LatencySummary;
  ackP99: number;
  /** Messages per second actually offered (the sender may fall behind its schedule). */
  offered: number;
  /** CPU time the target's server processes used per message sent (send, store, deliver, drain). */
  cpuMsPerMessage: number;
  /** CPU time PostgreSQL used per message sent (NaN for a target without it). */
  databaseCpuMsPerMessage: number;
  /** Percent of the machine's cores busy (every process) while the messages were sent, drain not included. */
  machineBusyPct: number;
  /** How late the load generator's event loops ran (this process's, which sends, and the agents' processes') while the step's messages were sent and received: the latest of them. */
  generatorLate: GeneratorLate;
};

/**
 * Open-loop load: `rate` messages per second spread round-robin over the desk's conversations,
 * sent on schedule whether or not earlier ones were acked. Latency is shopper send → the first
 * agent socket that reads it (`message:created`, stamped in the agent's process; both on `clock()`).
 * A message not received within `deadlineMs` counts as not delivered. Afterwards the step waits for
 * every ack, so the next step starts clean.
 */
export type StepOptions = {
  /** How long the step waits for its last acks before it gives up on them. */
  drainMs?: number;
  /** A message read later than this counts as not delivered. */
  deadlineMs?: number;
  /** The CPU time of the target's processes so far (for its CPU a message). */
  cpu?: () => CpuMs;
  /** Where each message read is noted, when it was sent and how long it took (--trace). */
  trace?: TracePoint[];
};

export async function runStep(desk: Desk, rate: number, durationMs: number, progress: Progress, label: string, options: StepOptions = {}): Promise<StepResult> {
  const { drainMs = 15_000, deadlineMs = 2_000, cpu = () => ({ server: NaN, database: NaN }), trace } = options;
  const cpuBefore = cpu();
  const pending = new Map<string, number>();
  const latencies = createLatencies();
  const acks = createLatencies();
  let sent = 0;
  let errors = 0;
  let unacked = 0;
  const runId = Math.random().toString(36).slice(2, 8);

  const stopListening = desk.agents.listen((clientMsgId, at) => {
    const started = pending.get(clientMsgId);
    if (started === undefined) return;
    pending.delete(clientMsgId);
    const ms = at - started;
    trace?.push({ sentAt: started, ms });
    if (ms <= deadlineMs) latencies.record(ms);
  });

  const send = (shopper: Socket, conversationId: string) => {
    const clientMsgId = `${runId}-${sent++}`;
    const started = clock();
    pending.set(clientMsgId, started);
    unacked++;
    shopper.emit('message:send', { conversationId, clientMsgId, body: `bench message ${clientMsgId}` }, (result: { ok: boolean }) => {
      unacked--;
      if (result.ok) acks.record(clock() - started);
      else errors++;
    });
  };

  const begin = performance.now();
  const machineBefore = machineTimes();
  const lag = generatorLag();
  const agentsLag = desk.agents.lag();
  let next = 0;
  while (performance.now() - begin < durationMs) {
    const due = Math.floor(((performance.now() - begin) / 1000) * rate);
    while (sent < due) {
      const target = desk.conversations[next++ % desk.conversations.length]!;
      send(target.shopper, target.id);
    }
    progress.update(`${label}: ${rate}/s  sent ${sent}  delivered ${latencies.count()}  unacked ${unacked}`);
    await sleep(2);
  }
  const offered = sent / ((performance.now() - begin) / 1000);
  const machineBusyPct = Math.round(1000 * busyBetween(machineBefore, machineTimes())) / 10;
  const lastSend = performance.now();
  while (pending.size > 0 && performance.now() - lastSend < deadlineMs) await sleep(10);
  const generatorLate = latestOf([lag.stop(), await agentsLag.stop()]);
  // Let an overloaded target finish its backlog (bounded) so that it does not weigh on the next step.
  const drainUntil = performance.now() + drainMs;
  while (unacked > 0 && performance.now() < drainUntil) {
    progress.update(`${label}: ${rate}/s  draining, unacked ${unacked}`);
    await sleep(20);
  }
  stopListening();
  const perMessage = cpuPer(cpuBefore, cpu(), sent);
  return {
    rate,
    sent,
    delivered: latencies.count(),
    errors: errors + unacked,
    latency: latencies.summary(),
    ackP99: acks.summary().p99,
    offered: Math.round(offered),
    cpuMsPerMessage: perMessage.server,
    databaseCpuMsPerMessage: perMessage.database,
    machineBusyPct,
    generatorLate,
  };
}
