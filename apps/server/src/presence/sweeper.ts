import { isGraceExpired } from '@kefu/core';
import { drainAutoInboxes, listAgentRows, markAgentsOffline, mergeChanges, updateAgentPresence, wakeSnoozed } from '@kefu/store';
import type { AppContext } from '../context.js';

/**
 * Every node sweeps on a timer: agents whose grace period ran out go offline (their conversations
 * back to the queue), and snoozed conversations whose time came wake up. Both are idempotent store
 * operations under the routing lock, so several nodes sweeping at once agree.
 */
export function startSweeper(ctx: AppContext, intervalMs: number): { stop(): Promise<void> } {
  let running: Promise<void> = Promise.resolve();
  const isExpired = async (agentIds: string[]) => {
    const seen = await ctx.presence.lastSeen(agentIds);
    const now = Date.now();
    return new Set(agentIds.filter((id) => isGraceExpired(seen.get(id) ?? null, now, ctx.config.offlineGraceMs)));
  };
  const sweep = async () => {
    const changes = await markAgentsOffline(ctx.db, isExpired);
    // Catches conversations whose routing failed once (the message was stored, the drain was not).
    mergeChanges(changes, await drainAutoInboxes(ctx.db));
    mergeChanges(changes, await wakeSnoozed(ctx.db, new Date().toISOString()));
    // A node that stalled past the grace period had its agents marked offline while they stayed
    // connected here: mark them back, or they would sit outside routing until they reconnect.
    for (const row of await listAgentRows(ctx.db.db, ctx.presence.localAgents())) {
      if (row.connected === 0) mergeChanges(changes, await updateAgentPresence(ctx.db, row.id, { connected: true }));
    }
    await ctx.broadcaster.publish(changes);
  };
  const timer = setInterval(() => {
    running = running.then(sweep).catch((err: unknown) => ctx.log.warn({ err }, 'sweep failed'));
  }, intervalMs);
  timer.unref();
  return {
    stop: async () => {
      clearInterval(timer);
      await running;
    },
  };
}
