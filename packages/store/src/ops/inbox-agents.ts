import type { AgentProfile } from '@kefu/protocol';
import type { Executor } from '../database.js';
import { memberRowsOf, profilesOf } from '../repos/agents.js';
import { toBool } from '../util.js';

/** The active agents of an inbox with their status, load and capacity: whom a conversation can go to. */
export async function inboxAgentProfiles(db: Executor, inboxId: string): Promise<AgentProfile[]> {
  const rows = await memberRowsOf(db, inboxId);
  return profilesOf(db, rows.filter((row) => toBool(row.active)));
}
