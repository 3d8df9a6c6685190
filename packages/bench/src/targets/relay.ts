import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTestStore } from '@kefu/store/testing';
import { inParallel } from '../progress.js';
import { openAgents } from '../load/agents.js';
import { openedSockets } from '../load/sockets.js';
import { dropRedisKeys, REDIS_URL } from './kefu.js';
import { repoRoot, startProcess, stopProcess, type NodeProcess } from './process.js';
import type { Desk, DeskSpec, Target } from './target.js';

export const relayScript = join(repoRoot, 'packages/bench/dist/targets/relay-server.js');
const durableRelayScript = join(repoRoot, 'packages/bench/dist/targets/durable-relay-server.js');

/** The bare relay: conversation i belongs to agent i mod agents, who joins its room. */
export async function startRelay(): Promise<Target> {
  const node = await startProcess('relay', relayScript, {});
  return relayTarget('relay', [node], () => stopProcess(node));
}

/**
 * The durable relay (durable-relay-server.ts): on one node with SQLite (`durable-1`), or on two with
 * PostgreSQL and Redis (`durable-2`, shoppers on node 1 and agents on node 2, as kefu-2's), each on a
 * new database, file or key prefix of its own, dropped at its stop.
 */
export async function startDurableRelay(name: 'durable-1' | 'durable-2'): Promise<Target> {
  const dir = mkdtempSync(join(tmpdir(), 'kefu-bench-relay-'));
  const postgres = name === 'durable-2' ? await createTestStore('postgres') : null;
  const prefix = `kefu-bench-relay-${randomBytes(4).toString('hex')}:`;
  const env: Record<string, string> = postgres
    ? { RELAY_STORE: 'postgres', RELAY_DATABASE_URL: postgres.url!, RELAY_REDIS_URL: REDIS_URL, RELAY_REDIS_PREFIX: prefix }
    : { RELAY_STORE: 'sqlite', RELAY_SQLITE_FILE: join(dir, 'relay.db') };
  const nodes: NodeProcess[] = [];
  // One after the other: the first makes the table.
  for (let i = 0; i < (postgres ? 2 : 1); i++) nodes.push(await startProcess(`${name}/node${i + 1}`, durableRelayScript, env));
  return relayTarget(name, nodes, async () => {
    await Promise.all(nodes.map(stopProcess));
    await postgres?.drop();
    if (postgres) await dropRedisKeys(prefix);
    rmSync(dir, { recursive: true, force: true });
  });
}

/** A relay's desk: agents (on the last node) join their conversations' rooms; shoppers connect to the first node. */
function relayTarget(name: string, nodes: NodeProcess[], stop: () => Promise<void>): Target {
  const shopperUrl = nodes[0]!.url;
  const agentUrl = nodes.at(-1)!.url;
  let desks = 0;
  return {
    name,
    nodes,
    shopperUrl,
    agentUrl,
    async openDesk(spec: DeskSpec): Promise<Desk> {
      const prefix = `d${++desks}-`;
      const ids = Array.from({ length: spec.conversations }, (_, i) => `${prefix}${i}`);
      const agentSpecs = Array.from({ length: spec.agents }, (_, a) => ({ auth: {}, parsesListUpdates: true, joins: ids.filter((_, i) => i % spec.agents === a) }));
      const agents = await openAgents(agentUrl, agentSpecs);
      const sockets = openedSockets();
      const openShopper = () => sockets.connect(shopperUrl, '/visitor');
      const connectShoppers = async () => ({
        shoppers: await inParallel(ids, 100, openShopper),
        waiting: await inParallel(Array.from({ length: spec.queued ?? 0 }), 100, openShopper),
      });
      // The shoppers connected so far and the agents' processes would otherwise outlive a desk that failed to open.
      const { shoppers, waiting } = await connectShoppers().catch(async (error: unknown) => {
        sockets.close();
        await agents.close();
        throw error;
      });
      return {
        conversations: ids.map((id, i) => ({ id, shopper: shoppers[i]! })),
        agents,
        waiting,
        async close() {
          sockets.close();
          await agents.close();
        },
      };
    },
    stop,
  };
}
