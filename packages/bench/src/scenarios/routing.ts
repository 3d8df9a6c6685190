import type { Socket } from 'socket.io-client';
import { QUIET_MACHINE, settle } from '../load/settle.js';
import { command, connect } from '../load/sockets.js';
import { inParallel, sleep } from '../progress.js';
import type { ScenarioResult } from '../report/result.js';
import { createLatencies, median } from '../stats.js';
import type { KefuApi } from '../targets/kefu.js';
import { cpuOf, cpuPer, labelOf, orDash, type Target, type TargetName } from '../targets/target.js';
import { inTurn, WARM_UP_MS, type RunContext } from './context.js';

const AGENTS = 20;
const RATE = 100;
/** Capacity for this share of the conversations: the last ones stay queued, and the agents reach their capacity. */
const FILL = 0.8;

/**
 * 5. routing: 100 new conversations per second into an `auto` inbox with 20 agents on both nodes,
 * whose capacity holds 80 % of them (the rest stay queued, and every agent ends at its capacity).
 * Measures first message → assigned, as the shopper learns it (the ack, or the conversation:updated
 * that follows), and samples every agent's load against its capacity all along.
 */
export async function routing(ctx: RunContext): Promise<ScenarioResult> {
  const names = ctx.chooseTargets(['kefu-2', 'kefu-1']);
  const targets = new Map<TargetName, Target & { api: KefuApi }>();
  const outcomesOf = new Map<TargetName, Outcome[]>(names.map((name) => [name, []]));
  try {
    for (const name of names) targets.set(name, (await ctx.startTarget(name)) as Target & { api: KefuApi });
    // The targets take turns run by run, like the stepped scenarios' steps: one measured after the
    // other (all runs of the first, then the next) paid for its place in the order (see inTurn).
    for (let run = 0; run < ctx.runs; run++) {
      for (const name of inTurn(names, run)) outcomesOf.get(name)!.push(await measure(ctx, targets.get(name)!));
    }
  } finally {
    // Every target stops, even when one of them fails to.
    await Promise.allSettled([...targets.values()].map((target) => target.stop()));
  }
  const rows = [];
  const raw: Record<string, unknown> = {};
  for (const [name, outcomes] of outcomesOf) {
    raw[name] = outcomes;
    const mid = (pick: (o: Outcome) => number) => median(outcomes.map(pick));
    const sum = (pick: (o: Outcome) => number) => outcomes.reduce((total, o) => total + pick(o), 0);
    const [first] = outcomes as [Outcome];
    rows.push([
      labelOf(name),
      first.started,
      first.capacity,
      Math.min(...outcomes.map((o) => o.assigned)),
      sum((o) => o.failures),
      mid((o) => o.p50),
      mid((o) => o.p99),
      Math.max(...outcomes.map((o) => o.maxLoad)),
      sum((o) => o.overruns),
      first.coldP99,
      mid((o) => o.cpu.server),
      orDash(mid((o) => o.cpu.database)),
    ]);
  }
  return {
    scenario: 'routing',
    title: `5. routing: ${RATE} new conversations/s, auto inbox, ${AGENTS} agents on two nodes`,
    columns: ['target', 'conversations', 'total capacity', 'assigned', 'send failed (30 s)', 'assign p50 ms', 'assign p99 ms', 'max load seen', 'capacity overruns', 'warm-up p99 ms (cold nodes)', 'server CPU ms/conversation', 'PostgreSQL CPU ms/conversation'],
    rows,
    notes: [
      `Agents alternate between the nodes, shoppers too; capacity for ${FILL * 100} % of the conversations, so the last ones stay queued (not counted as assigned).`,
      'Assigned: first message sent → the shopper sees status open (in its ack or the next conversation:updated).',
      `Each run's measured part starts once the machine is quiet (${QUIET_MACHINE}): what ran before it (another scenario, the warm-up) does not run in it.`,
      'Overruns: samples (every 100 ms, from GET /api/admin/agents) in which an agent had more open conversations than its capacity.',
      `Warm-up: first ${WARM_UP_MS / 1000} s at the same rate into an inbox of its own (two agents, one per node), not counted in the other columns; its p99 is the cold nodes' figure.`,
      `Runs: ${ctx.runs} on the same nodes (started for this scenario), each with inboxes and agents of its own, the targets taking turns (the order reversed every other run); p50, p99 and CPU are medians, assigned the lowest, failures and overruns the sum, the warm-up p99 the first run's (the only one on cold nodes).`,
      'Server CPU: user + system time of the server processes (both nodes; not PostgreSQL or Redis) while the measured conversations are sent and routed, per conversation; the overrun sampler\'s requests included. PostgreSQL CPU: the same for all of the machine\'s PostgreSQL processes (the two-node shape only; with --compare, what the idle builds\' nodes ask of it meanwhile too, their sweeps).',
    ],
    raw,
  };
}

type Outcome = Awaited<ReturnType<typeof measure>>;

async function measure(ctx: RunContext, target: Target & { api: KefuApi }) {
  const durationMs = ctx.quick ? 3_000 : 10_000;
  const count = Math.round((RATE * durationMs) / 1000);
  const capacity = Math.floor((count * FILL) / AGENTS);
  const warm = await openInbox(target, 2, Math.round((RATE * WARM_UP_MS) / 1000));
  const desk = await openInbox(target, AGENTS, capacity);
  const warmShoppers = await connectShoppers(target, warm.inbox.key, Math.round((RATE * WARM_UP_MS) / 1000));
  ctx.progress.update(`routing ${target.name}: connecting ${count} shoppers`);
  const shoppers = await connectShoppers(target, desk.inbox.key, count);

  ctx.progress.update(`routing ${target.name}: warming up`);
  const cold = await sendFirstMessages(ctx, target, warmShoppers);

  ctx.progress.update(`routing ${target.name}: waiting for a quiet machine`);
  await settle();
  let overruns = 0;
  let maxLoad = 0;
  let sampling = true;
  const ours = new Set(desk.accounts.map((a) => a.id));
  const sampler = (async () => {
    while (sampling) {
      // A sample lost to a closed keep-alive connection is skipped, not fatal.
      for (const agent of await target.api.agentsLoad().catch(() => [])) {
        if (!ours.has(agent.id)) continue;
        maxLoad = Math.max(maxLoad, agent.load);
        if (agent.load > agent.capacity) overruns++;
      }
      await sleep(100);
    }
  })();
  const cpuBefore = cpuOf(target);
  const measured = await sendFirstMessages(ctx, target, shoppers, capacity * AGENTS);
  const cpu = cpuPer(cpuBefore, cpuOf(target), count);
  // The sampler watches a second more: an assignment past an agent's capacity would come after the seats were taken.
  await sleep(1_000);
  sampling = false;
  await sampler;
  // The agents stay until the scenario stops the target: agents leaving would have their conversations
  // requeued after the presence grace, in the middle of the next run. The shoppers leave now: the runs
  // of several targets take turns, and their sockets would pile up in this process (20 000 open files).
  for (const shopper of [...warmShoppers, ...shoppers]) shopper.disconnect();
  const summary = measured.latencies.summary();
  return {
    started: count,
    capacity: capacity * AGENTS,
    assigned: measured.latencies.count(),
    failures: measured.failures,
    p50: summary.p50,
    p99: summary.p99,
    maxLoad,
    overruns,
    coldP99: cold.latencies.summary().p99,
    cpu,
  };
}

/** An `auto` inbox with its agents online, alternating between the nodes. */
async function openInbox(target: Target & { api: KefuApi }, agents: number, capacity: number) {
  const urls = target.nodes.map((n) => n.url);
  const inbox = await target.api.createInbox('auto');
  const accounts = await inParallel(Array.from({ length: agents }), 8, () => target.api.createAgent(inbox.id, capacity));
  const sockets = await inParallel(accounts, 10, (account, i) => connect(urls[i % urls.length]!, '/agent', { token: account.token }));
  return { inbox, accounts, agents: sockets };
}

function connectShoppers(target: Target, inboxKey: string, count: number): Promise<Socket[]> {
  const urls = target.nodes.map((n) => n.url);
  return inParallel(Array.from({ length: count }), 50, (_, i) => connect(urls[i % urls.length]!, '/visitor', { inboxKey }));
}

/**
 * Each shopper sends its first message, RATE per second; measures first message → assigned, as the
 * shopper learns it (the ack, or the conversation:updated that follows).
 */
async function sendFirstMessages(ctx: RunContext, target: Target, shoppers: Socket[], seats = shoppers.length) {
  const latencies = createLatencies();
  let failures = 0;
  // Once every seat is taken nothing more can be assigned, so the shoppers left queued stop waiting
  // (a run used to end 5 s after its last send for them). The overrun sampler watches the seats.
  let allTaken!: () => void;
  const taken = new Promise<false>((resolve) => (allTaken = () => resolve(false)));
  const begin = performance.now();
  const sends = shoppers.map(async (shopper, i) => {
    await sleep(Math.max(0, begin + (i * 1000) / RATE - performance.now()));
    const started = performance.now();
    const open = new Promise<void>((resolve) => shopper.on('conversation:updated', (c: { status: string }) => c.status !== 'queued' && resolve()));
    const ack = await command<{ conversation: { status: string } }>(shopper, 'message:send', { clientMsgId: `first-${i}`, body: 'I need help' }).catch(() => null);
    if (!ack) return void failures++;
    const routed = ack.conversation.status !== 'queued' || (await Promise.race([open.then(() => true), taken, sleep(5_000).then(() => false)]));
    if (routed) latencies.record(performance.now() - started);
    if (latencies.count() >= seats) allTaken();
    ctx.progress.update(`routing ${target.name}: ${i + 1}/${shoppers.length} sent, ${latencies.count()} assigned`);
  });
  await Promise.all(sends);
  return { latencies, failures };
}
