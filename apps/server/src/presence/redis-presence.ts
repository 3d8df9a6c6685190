import type { RedisClientType } from 'redis';
import { SocketCounts, type PresenceRegistry } from './registry.js';

/**
 * Presence shared through Redis: one sorted set per agent, a member per node, scored with the time
 * that node last saw the agent connected. Nodes refresh their scores on a heartbeat, so when a node
 * dies its scores simply stop moving and the agent's grace period starts from its last heartbeat.
 */
export function createRedisPresence(
  redis: RedisClientType,
  options: { prefix: string; nodeId: string; heartbeatMs: number; keyTtlMs: number },
): PresenceRegistry {
  const sockets = new SocketCounts();
  const key = (agentId: string) => `${options.prefix}presence:${agentId}`;
  const touch = async (agentIds: string[]) => {
    if (agentIds.length === 0) return;
    const multi = redis.multi();
    for (const id of agentIds) {
      multi.zAdd(key(id), { score: Date.now(), value: options.nodeId });
      multi.pExpire(key(id), options.keyTtlMs);
    }
    await multi.exec();
  };
  const timer = setInterval(() => void touch(sockets.agents()).catch(() => undefined), options.heartbeatMs);
  timer.unref();

  return {
    connect: async (agentId) => {
      sockets.add(agentId);
      await touch([agentId]);
    },
    disconnect: async (agentId) => {
      // The last score written is when it left; from there the grace period runs.
      if (sockets.remove(agentId) === 0) await touch([agentId]);
    },
    lastSeen: async (agentIds) => {
      const seen = new Map<string, number | null>();
      for (const id of agentIds) {
        const top = await redis.zRangeWithScores(key(id), -1, -1);
        const latest = top[0]?.score ?? null;
        seen.set(id, sockets.has(id) ? Date.now() : latest);
      }
      return seen;
    },
    localAgents: () => sockets.agents(),
    close: async () => {
      clearInterval(timer);
      await touch(sockets.agents()).catch(() => undefined);
    },
  };
}
