import { limits, type Viewer } from '@kefu/protocol';
import type { Logger } from '../logger.js';
import type { AgentNamespace, AgentSocketData } from './namespaces.js';
import { conversationViewers, rooms } from './rooms.js';

/**
 * The collision guard: who has a conversation open, on any node. The truth is the sockets themselves
 * (`socket.data.viewing`, read across nodes with `fetchSockets` through the Redis adapter), so there is
 * no second copy to expire: a socket that disconnects, or a node that dies, takes its viewers with it.
 * Costs a cross-node round trip per open, leave, disconnect and typing start/stop — never per message.
 */

/** Two changes on two nodes at once may publish out of order; a second pass after this settles it. */
const SETTLE_MS = 300;
/**
 * How often each node checks whether the cluster shrank (a node killed without saying goodbye): one
 * PUBSUB SHARDNUMSUB. A node that starts and dies within one interval goes unnoticed until the next
 * change of that conversation's viewers.
 */
const CLUSTER_CHECK_MS = 2_000;

/** One entry per agent (they may view from several tabs): typing if they type in any of them. */
export function viewersOf(conversationId: string, sockets: Pick<AgentSocketData, 'agentId' | 'name' | 'role' | 'viewing'>[]): Viewer[] {
  const byAgent = new Map<string, Viewer>();
  for (const data of sockets) {
    if (data.viewing?.conversationId !== conversationId) continue;
    const known = byAgent.get(data.agentId);
    byAgent.set(data.agentId, { agentId: data.agentId, name: data.name, role: data.role, typing: data.viewing.typing || (known?.typing ?? false) });
  }
  return [...byAgent.values()].sort((a, b) => a.name.localeCompare(b.name) || a.agentId.localeCompare(b.agentId)).slice(0, limits.viewersListed);
}

export type ViewerSocket = { data: AgentSocketData };
export type ViewerRegistry = ReturnType<typeof createViewerRegistry>;

export function createViewerRegistry(agents: AgentNamespace, log: Logger, clusterCheckMs = CLUSTER_CHECK_MS) {
  const settling = new Map<string, NodeJS.Timeout>();

  async function publishNow(conversationId: string): Promise<void> {
    // Keeps the cluster size current whenever lists change, so a node that dies soon after is noticed.
    void checkCluster();
    const sockets = await agents.in(rooms.conversation(conversationId)).fetchSockets();
    const viewers = viewersOf(conversationId, sockets.map((s) => s.data));
    agents.to(conversationViewers(conversationId)).emit('conversation:viewers', { conversationId, viewers });
  }
  const attempt = (conversationId: string) =>
    void publishNow(conversationId).catch((err: unknown) => log.warn({ err, conversationId }, 'viewers publish failed'));

  function publish(conversationId: string): void {
    attempt(conversationId);
    clearTimeout(settling.get(conversationId));
    const timer = setTimeout(() => {
      settling.delete(conversationId);
      attempt(conversationId);
    }, SETTLE_MS);
    timer.unref();
    settling.set(conversationId, timer);
  }

  /** A node that died left stale lists on every screen: each survivor republishes the conversations it hosts. */
  let servers = 0;
  function checkCluster(): Promise<void> {
    return agents.adapter
      .serverCount()
      .then((count) => {
        const shrank = count < servers;
        servers = count;
        if (!shrank) return;
        for (const room of agents.adapter.rooms.keys()) if (room.startsWith(rooms.conversation(''))) attempt(room.slice(rooms.conversation('').length));
      })
      .catch((err: unknown) => log.warn({ err }, 'cluster size check failed'));
  }
  void checkCluster();
  const watch = setInterval(() => void checkCluster(), clusterCheckMs);
  watch.unref();

  return {
    /** After conversation:open joined the room: this socket now views this one (and no longer its previous). */
    open(socket: ViewerSocket, conversationId: string): void {
      const previous = socket.data.viewing?.conversationId;
      socket.data.viewing = { conversationId, typing: false };
      if (previous && previous !== conversationId) publish(previous);
      publish(conversationId);
    },
    leave(socket: ViewerSocket, conversationId: string): void {
      if (socket.data.viewing?.conversationId !== conversationId) return;
      socket.data.viewing = undefined;
      publish(conversationId);
    },
    /** Only a change is published: composers send typing:set as the draft starts and stops, not per key. */
    typing(socket: ViewerSocket, conversationId: string, typing: boolean): void {
      const viewing = socket.data.viewing;
      if (viewing?.conversationId !== conversationId || viewing.typing === typing) return;
      viewing.typing = typing;
      publish(conversationId);
    },
    /** The socket already left its rooms; the others learn it is gone. */
    disconnected(socket: ViewerSocket): void {
      if (socket.data.viewing) publish(socket.data.viewing.conversationId);
    },
    close(): void {
      clearInterval(watch);
      for (const timer of settling.values()) clearTimeout(timer);
      settling.clear();
    },
  };
}
