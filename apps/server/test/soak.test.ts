import { describe, expect, it } from '@jest/globals';
import type { Message } from '@kefu/protocol';
import { waitFor } from './cluster-harness.js';
import { fetchAll, useFaultCluster } from './fault-kit.js';
import { within } from './kit.js';

// A short soak by default (CI); KEFU_SOAK_MS=600000 for ten minutes. Random SIGKILLs of nodes (each
// restarted on its port) and Redis pauses while visitors talk and an agent (who follows every
// conversation) answers; then a checker: every acked message stored once, seqs gapless, each
// visitor's and the agent's view equal to a fresh fetch. Runs the build.
const SOAK_MS = Number(process.env.KEFU_SOAK_MS ?? 20_000);
const VISITORS = 4;
const seed = Number(process.env.KEFU_SOAK_SEED ?? Date.now() % 100_000);

/** A small deterministic generator, so a failing run can be replayed with KEFU_SOAK_SEED. */
function random(seedValue: number) {
  let state = seedValue >>> 0 || 1;
  return () => {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return (state >>> 0) / 2 ** 32;
  };
}

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A client's stream for one conversation, deduplicated by id and ordered by seq, equals the store's. */
async function expectViewOf(who: string, seen: Message[], conversationId: string, stored: Message[]): Promise<void> {
  const last = stored.at(-1)!.seq;
  const inConversation = () => seen.filter((m) => m.conversationId === conversationId);
  await waitFor(`${who}'s view to reach seq ${last}`, 15_000, (done) => {
    const timer = setInterval(() => inConversation().some((m) => m.seq >= last) && done(undefined), 20);
    return () => clearInterval(timer);
  });
  const view = [...new Map(inConversation().map((m) => [m.id, m])).values()].sort((a, b) => a.seq - b.seq);
  expect(view.map((m) => [m.seq, m.id])).toEqual(stored.map((m) => [m.seq, m.id]));
}

describe(`soak: ${SOAK_MS} ms of node kills and Redis pauses (seed ${seed})`, () => {
  const fault = useFaultCluster(3);

  it('loses nothing, doubles nothing, and every view matches the store', async () => {
    const [redis, cluster] = [fault.redis(), fault.cluster()];
    const rand = random(seed);
    const inbox = await cluster.createInbox('Soak');
    const urls = cluster.nodes.map((n) => n.url);
    const talkers = Array.from({ length: VISITORS }, (_, i) => {
      const home = cluster.nodes[i % cluster.nodes.length]!;
      const client = cluster.visitor(home, { inboxKey: inbox.key, urls: urls.filter((u) => u !== home.url) });
      const seen: Message[] = [];
      client.onMessage((m) => seen.push(m));
      return { client, seen, acked: [] as Message[] };
    });
    await Promise.all(talkers.map((t) => within(t.client.ready(), 'a visitor session')));
    const agentAccount = await cluster.createAgent({ name: 'Soak agent', inboxIds: [inbox.id], capacity: VISITORS });
    const agentHome = cluster.nodes.at(-1)!;
    const agent = cluster.agent(agentHome, agentAccount.token, { urls: urls.filter((u) => u !== agentHome.url) });
    const agentSeen: Message[] = [];
    const agentAcked: Message[] = [];
    agent.onMessage((m) => agentSeen.push(m));
    await within(agent.ready(), 'the agent session');

    const deadline = Date.now() + SOAK_MS;
    const talk = async (talker: (typeof talkers)[number], n: number) => {
      for (let i = 1; Date.now() < deadline; i++) {
        talker.acked.push((await within(talker.client.send({ body: `visitor ${n} message ${i}` }), `visitor ${n}'s message ${i} to be acked`, 30_000)).message);
        // The agent follows the conversation from its first message; the SDK re-opens it after reconnects.
        if (i === 1) agentSeen.push(...(await within(agent.open(talker.acked[0]!.conversationId), `the agent to open visitor ${n}'s conversation`, 30_000)).messages);
        await pause(50 + rand() * 150);
      }
    };
    const answer = async () => {
      for (let i = 1; Date.now() < deadline; i++) {
        await pause(200 + rand() * 400);
        const started = talkers.filter((t) => t.acked.length > 0);
        const talker = started[Math.floor(rand() * started.length)];
        if (!talker) continue;
        const conversationId = talker.acked[0]!.conversationId;
        agentAcked.push((await within(agent.send({ conversationId, body: `agent reply ${i}` }), `the agent's reply ${i} to be acked`, 30_000)).message);
      }
    };
    const faults: string[] = [];
    const chaos = async () => {
      while (Date.now() < deadline - 2_000) {
        await pause(1_000 + rand() * 2_000);
        if (rand() < 0.6) {
          const victim = cluster.nodes[Math.floor(rand() * cluster.nodes.length)]!;
          faults.push(`kill ${victim.name}`);
          await cluster.restartNode(victim);
        } else {
          faults.push('pause redis');
          redis.pause();
          await pause(300 + rand() * 1_200);
          redis.resume();
        }
      }
    };
    await Promise.all([chaos(), answer(), ...talkers.map((t, n) => talk(t, n + 1))]);
    expect(faults.length).toBeGreaterThan(0);
    expect(agentAcked.length).toBeGreaterThan(0);
    if (process.env.KEFU_SOAK_REPORT) console.log({ seed, faults, acked: talkers.map((t) => t.acked.length), agentAcked: agentAcked.length });

    for (const [n, talker] of talkers.entries()) {
      const conversationId = talker.acked[0]!.conversationId;
      expect(talker.acked.every((m) => m.conversationId === conversationId)).toBe(true);
      const stored = await fetchAll(talker.client, conversationId);
      // Gapless from 1 for what the visitor may see (system lines included).
      expect(stored.map((m) => m.seq)).toEqual(stored.map((_, i) => i + 1));
      const agentReplies = agentAcked.filter((m) => m.conversationId === conversationId);
      for (const message of [...talker.acked, ...agentReplies]) expect(stored.filter((m) => m.id === message.id)).toHaveLength(1);
      // The visitor's and the agent's ordered streams reach the end and equal the fetch.
      await expectViewOf(`visitor ${n + 1}`, talker.seen, conversationId, stored);
      await expectViewOf(`the agent (conversation of visitor ${n + 1})`, agentSeen, conversationId, await fetchAll(agent, conversationId));
    }
  }, SOAK_MS + 120_000);
});
