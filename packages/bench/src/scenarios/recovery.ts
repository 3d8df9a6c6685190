import { connectAgent, connectVisitor, newClientMsgId, type AgentClient, type VisitorClient } from '@kefu/client';
import { inParallel, sleep } from '../progress.js';
import type { ScenarioResult } from '../report/result.js';
import { median } from '../stats.js';
import { startKefu } from '../targets/kefu.js';
import type { RunContext } from './context.js';

const SHOPPERS = 100;
/** Each shopper sends one message a second: 100 messages/s across the cluster. */
const SEND_EVERY_MS = 1_000;

/**
 * 6. recovery: two nodes of their own (the shared ones stay whole for the other scenarios), shoppers
 * and two observing agents spread over both, all with the @kefu/client SDK (retries with the same
 * clientMsgId, fails over to the other URL, syncs after reconnecting). Node 2 is SIGKILLed under
 * load. Lost = acked but not stored; doubled = one clientMsgId stored twice; caught up = from the
 * kill until every client is connected again, every send so far is acked, and both agents have seen
 * every acked message. Repeated `runs` times, each on two new nodes.
 */
export async function recovery(ctx: RunContext): Promise<ScenarioResult> {
  const runs: Run[] = [];
  for (let run = 0; run < ctx.runs; run++) runs.push(await measure(ctx, `recovery run ${run + 1}/${ctx.runs}`));
  const sum = (pick: (r: Run) => number) => runs.reduce((total, r) => total + pick(r), 0);
  const caughtUp = runs.map((r) => r.caughtUpMs);
  const slowest = caughtUp.some(Number.isNaN) ? 'not within 30 s' : Math.round(Math.max(...caughtUp));
  const row = [
    sum((r) => r.acked),
    sum((r) => r.failed),
    sum((r) => r.lost),
    sum((r) => r.doubled),
    [0, 1].map((agent) => sum((r) => r.unseen[agent]!)).join(' / '),
    Math.round(median(caughtUp)),
    slowest,
  ];
  return {
    scenario: 'recovery',
    title: '6. recovery: SIGKILL one of two nodes under load',
    columns: ['messages acked', 'sends given up', 'lost', 'doubled', 'acked but unseen by agent 1 / 2', 'caught up after kill (ms, median)', 'caught up, slowest run (ms)'],
    rows: [row],
    notes: [
      `${SHOPPERS} shoppers and 2 agents (SDK, both node URLs), ${(1000 / SEND_EVERY_MS) * SHOPPERS} messages/s; node 2 SIGKILLed ${ctx.quick ? 2 : 4} s in, load goes on for ${ctx.quick ? 4 : 8} s more.`,
      `Runs: ${ctx.runs}, each on two new nodes; counts are the runs' sums, the catch-up their median and their slowest. Each run's own figures are in the JSON.`,
    ],
    raw: runs,
  };
}

type Run = { acked: number; failed: number; lost: number; doubled: number; unseen: number[]; caughtUpMs: number };

async function measure(ctx: RunContext, label: string): Promise<Run> {
  const target = await startKefu('kefu-2');
  const clients: { close(): void }[] = [];
  try {
    const [a, b] = target.nodes.map((n) => n.url) as [string, string];
    const inbox = await target.api.createInbox('auto');
    const accounts = await inParallel([0, 1], 2, () => target.api.createAgent(inbox.id, 100));
    const observers = accounts.map((account, i) => connectAgent({ url: i ? b : a, urls: [i ? a : b], token: account.token }));
    const shoppers: VisitorClient[] = Array.from({ length: SHOPPERS }, (_, i) => connectVisitor({ url: i % 2 ? b : a, urls: [i % 2 ? a : b], inboxKey: inbox.key }));
    clients.push(...observers, ...shoppers);
    await Promise.all([...observers, ...shoppers].map((c) => c.ready()));

    const acked = new Set<string>();
    const seen = observers.map(() => new Set<string>());
    observers.forEach((observer, i) => observer.onMessage((m) => m.clientMsgId && seen[i]!.add(m.clientMsgId)));
    const conversationIds = await inParallel(shoppers, 20, async (shopper) => {
      const first = await shopper.send({ body: 'hello', clientMsgId: newClientMsgId() });
      acked.add(first.message.clientMsgId!);
      return first.conversation.id;
    });
    // What an agent opens it has seen (open answers with the latest messages); later ones arrive as events.
    for (const [i, observer] of observers.entries()) {
      await inParallel(conversationIds, 20, async (id) => (await observer.open(id)).messages.forEach((m) => m.clientMsgId && seen[i]!.add(m.clientMsgId)));
    }

    let inFlight = 0;
    let failed = 0;
    let sending = true;
    const loops = shoppers.map(async (shopper, i) => {
      await sleep((i * SEND_EVERY_MS) / SHOPPERS);
      while (sending) {
        inFlight++;
        shopper
          .send({ body: 'still here', clientMsgId: newClientMsgId() })
          .then((r) => acked.add(r.message.clientMsgId!), () => failed++)
          .finally(() => inFlight--);
        await sleep(SEND_EVERY_MS);
      }
    });
    await sleep(ctx.quick ? 2_000 : 4_000);
    ctx.progress.update(`${label}: SIGKILL node 2`);
    const killedAt = performance.now();
    target.nodes[1]!.kill('SIGKILL');
    const stopAt = killedAt + (ctx.quick ? 4_000 : 8_000);
    let caughtUpMs = NaN;
    // Not caught up before the clients have even noticed the kill (their sockets still look connected
    // for a moment after the SIGKILL): that read 1 ms in one quick run.
    let noticed = false;
    const caughtUp = () => noticed && [...observers, ...shoppers].every((c) => c.connected) && inFlight === 0 && seen.every((s) => [...acked].every((id) => s.has(id)));
    while (performance.now() < stopAt + 30_000) {
      noticed ||= [...observers, ...shoppers].some((c) => !c.connected);
      if (performance.now() >= stopAt) sending = false;
      if (Number.isNaN(caughtUpMs) && caughtUp()) caughtUpMs = performance.now() - killedAt;
      if (!sending && inFlight === 0 && caughtUp()) break;
      ctx.progress.update(`${label}: ${acked.size} acked, ${inFlight} in flight, observers saw ${seen.map((s) => s.size).join('/')}`);
      await sleep(20);
    }
    sending = false;
    await Promise.all(loops);
    const stored = await storedClientIds(observers[0]!, conversationIds);
    const lost = [...acked].filter((id) => !stored.has(id)).length;
    const doubled = [...stored.values()].filter((n) => n > 1).length;
    const unseen = seen.map((s) => [...acked].filter((id) => !s.has(id)).length);
    return { acked: acked.size, failed, lost, doubled, unseen, caughtUpMs };
  } finally {
    clients.forEach((c) => c.close());
    await target.stop();
  }
}

/** How many stored messages carry each clientMsgId, from a full sync of every conversation. */
async function storedClientIds(agent: AgentClient, conversationIds: string[]): Promise<Map<string, number>> {
  const counts = new Map<string, number>();
  for (const conversationId of conversationIds) {
    let afterSeq = 0;
    for (;;) {
      const page = await agent.call('conversation:sync', { conversationId, afterSeq });
      for (const m of page.messages) if (m.clientMsgId) counts.set(m.clientMsgId, (counts.get(m.clientMsgId) ?? 0) + 1);
      afterSeq = page.messages.at(-1)?.seq ?? afterSeq;
      if (!page.hasMore) break;
    }
  }
  return counts;
}
