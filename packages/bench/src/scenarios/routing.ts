import { command, connect } from '../load/sockets.js';
import { inParallel, sleep } from '../progress.js';
import type { ScenarioResult } from '../report/result.js';
import { createLatencies } from '../stats.js';
import type { KefuApi } from '../targets/kefu.js';
import { labelOf, type Target } from '../targets/target.js';
import type { RunContext } from './context.js';

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
  const rows = [];
  const raw: Record<string, unknown> = {};
  for (const name of ctx.chooseTargets(['kefu-2', 'kefu-1'])) {
    const target = (await ctx.target(name)) as Target & { api: KefuApi };
    const outcome = await measure(ctx, target);
    raw[name] = outcome;
    rows.push([labelOf(name), outcome.started, outcome.capacity, outcome.assigned, outcome.failures, outcome.p50, outcome.p99, outcome.maxLoad, outcome.overruns]);
  }
  return {
    scenario: 'routing',
    title: `5. routing: ${RATE} new conversations/s, auto inbox, ${AGENTS} agents on two nodes`,
    columns: ['target', 'conversations', 'total capacity', 'assigned', 'send failed (30 s)', 'assign p50 ms', 'assign p99 ms', 'max load seen', 'capacity overruns'],
    rows,
    notes: [
      `Agents alternate between the nodes, shoppers too; capacity for ${FILL * 100} % of the conversations, so the last ones stay queued (not counted as assigned).`,
      'Assigned: first message sent → the shopper sees status open (in its ack or the next conversation:updated).',
      'Overruns: samples (every 100 ms, from GET /api/admin/agents) in which an agent had more open conversations than its capacity.',
    ],
    raw,
  };
}

async function measure(ctx: RunContext, target: Target & { api: KefuApi }) {
  const durationMs = ctx.quick ? 3_000 : 10_000;
  const count = Math.round((RATE * durationMs) / 1000);
  const capacity = Math.floor((count * FILL) / AGENTS);
  const urls = target.nodes.map((n) => n.url);
  const inbox = await target.api.createInbox('auto');
  const accounts = await inParallel(Array.from({ length: AGENTS }), 8, () => target.api.createAgent(inbox.id, capacity));
  const agents = await inParallel(accounts, 10, (account, i) => connect(urls[i % urls.length]!, '/agent', { token: account.token }));
  ctx.progress.update(`routing ${target.name}: connecting ${count} shoppers`);
  const shoppers = await inParallel(Array.from({ length: count }), 50, (_, i) => connect(urls[i % urls.length]!, '/visitor', { inboxKey: inbox.key }));

  const latencies = createLatencies();
  const ours = new Set(accounts.map((a) => a.id));
  let overruns = 0;
  let failures = 0;
  let maxLoad = 0;
  let sampling = true;
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

  const begin = performance.now();
  const assigned = shoppers.map(async (shopper, i) => {
    await sleep(Math.max(0, begin + (i * 1000) / RATE - performance.now()));
    const started = performance.now();
    const open = new Promise<void>((resolve) => shopper.on('conversation:updated', (c: { status: string }) => c.status !== 'queued' && resolve()));
    const ack = await command<{ conversation: { status: string } }>(shopper, 'message:send', { clientMsgId: `first-${i}`, body: 'I need help' }).catch(() => null);
    if (!ack) return void failures++;
    const routed = ack.conversation.status !== 'queued' || (await Promise.race([open.then(() => true), sleep(5_000).then(() => false)]));
    if (routed) latencies.record(performance.now() - started);
    ctx.progress.update(`routing ${target.name}: ${i + 1}/${count} sent, ${latencies.count()} assigned`);
  });
  await Promise.all(assigned);
  sampling = false;
  await sampler;
  [...agents, ...shoppers].forEach((s) => s.close());
  const summary = latencies.summary();
  return { started: count, capacity: capacity * AGENTS, assigned: latencies.count(), failures, p50: summary.p50, p99: summary.p99, maxLoad, overruns };
}
