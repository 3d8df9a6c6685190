import { join } from 'node:path';
import { inParallel } from '../progress.js';
import { command, connect } from '../load/sockets.js';
import { repoRoot, startProcess, stopProcess } from './process.js';
import type { Desk, DeskSpec, Target } from './target.js';

export const relayScript = join(repoRoot, 'packages/bench/dist/targets/relay-server.js');

/** The bare relay: conversation i belongs to agent i mod agents, who joins its room. */
export async function startRelay(): Promise<Target> {
  const node = await startProcess('relay', relayScript, {});
  let desks = 0;
  return {
    name: 'relay',
    nodes: [node],
    shopperUrl: node.url,
    agentUrl: node.url,
    async openDesk(spec: DeskSpec): Promise<Desk> {
      const prefix = `d${++desks}-`;
      const agents = await inParallel(Array.from({ length: spec.agents }), 50, () => connect(node.url, '/agent'));
      const ids = Array.from({ length: spec.conversations }, (_, i) => `${prefix}${i}`);
      await Promise.all(agents.map((agent, a) => command(agent, 'join', ids.filter((_, i) => i % spec.agents === a))));
      const shoppers = await inParallel(ids, 100, () => connect(node.url, '/visitor'));
      const waiting = await inParallel(Array.from({ length: spec.queued ?? 0 }), 100, () => connect(node.url, '/visitor'));
      const all = [...agents, ...shoppers, ...waiting];
      return {
        conversations: ids.map((id, i) => ({ id, shopper: shoppers[i]! })),
        agents,
        waiting,
        close: () => all.forEach((s) => s.close()),
      };
    },
    stop: () => stopProcess(node),
  };
}
