/**
 * Which agents have a live socket somewhere in the cluster, and when each was last seen.
 * Routing asks it whether an agent's offline grace period ran out.
 */
export type PresenceRegistry = {
  /** A socket of the agent connected to this node. */
  connect(agentId: string): Promise<void>;
  /** A socket of the agent left this node. */
  disconnect(agentId: string): Promise<void>;
  /** When each agent was last seen connected (ms epoch; now while connected), null if never. */
  lastSeen(agentIds: string[]): Promise<Map<string, number | null>>;
  /** Agents with a socket on this node right now. */
  localAgents(): string[];
  /** This node is going away: its agents count as last seen now, and grace starts. */
  close(): Promise<void>;
};

/** Local socket counts per agent: the part of presence every registry keeps in memory. */
export class SocketCounts {
  private readonly counts = new Map<string, number>();

  add(agentId: string): number {
    const count = (this.counts.get(agentId) ?? 0) + 1;
    this.counts.set(agentId, count);
    return count;
  }

  remove(agentId: string): number {
    const count = Math.max(0, (this.counts.get(agentId) ?? 0) - 1);
    if (count === 0) this.counts.delete(agentId);
    else this.counts.set(agentId, count);
    return count;
  }

  has(agentId: string): boolean {
    return this.counts.has(agentId);
  }

  agents(): string[] {
    return [...this.counts.keys()];
  }
}

export function createMemoryPresence(now: () => number = Date.now): PresenceRegistry {
  const sockets = new SocketCounts();
  const lastLeft = new Map<string, number>();
  // Agents still marked connected from before a restart get their grace period from this start.
  const startedAt = now();
  return {
    connect: async (agentId) => void sockets.add(agentId),
    disconnect: async (agentId) => {
      if (sockets.remove(agentId) === 0) lastLeft.set(agentId, now());
    },
    lastSeen: async (agentIds) =>
      new Map(agentIds.map((id) => [id, sockets.has(id) ? now() : (lastLeft.get(id) ?? startedAt)])),
    localAgents: () => sockets.agents(),
    close: async () => {
      for (const id of sockets.agents()) lastLeft.set(id, now());
    },
  };
}
