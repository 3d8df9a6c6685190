import type { AgentProfile, AgentRole, VisitorConversation } from '@kefu/protocol';
import type { ExpressionBuilder } from 'kysely';
import type { Executor } from '../database.js';
import type { AgentsTable, DB } from '../schema.js';
import { fromBool, newId, nowIso, toBool } from '../util.js';

export type AgentRow = AgentsTable;
export type NewAgent = { email: string; name: string; passwordHash: string; role: AgentRole; capacity: number };
export type AgentChanges = Partial<{
  email: string;
  name: string;
  passwordHash: string;
  role: AgentRole;
  capacity: number;
  active: boolean;
}>;

export const normalizeEmail = (email: string): string => email.trim().toLowerCase();

export function effectiveStatusOf(row: AgentRow): AgentProfile['status'] {
  return toBool(row.connected) && toBool(row.active) ? row.status : 'offline';
}

/** An agent as the visitors of their conversations see them: a name and maybe an avatar. */
export function toVisitorAssignee(agent: { name: string; avatar_url: string | null }): NonNullable<VisitorConversation['assignee']> {
  return { name: agent.name, ...(agent.avatar_url ? { avatarUrl: agent.avatar_url } : {}) };
}

export function toAgentProfile(row: AgentRow, load: number): AgentProfile {
  const profile: AgentProfile = {
    id: row.id,
    name: row.name,
    email: row.email,
    role: row.role,
    status: effectiveStatusOf(row),
    capacity: row.capacity,
    load,
    active: toBool(row.active),
  };
  if (row.avatar_url) profile.avatarUrl = row.avatar_url;
  return profile;
}

export async function insertAgent(db: Executor, agent: NewAgent): Promise<AgentRow> {
  const row: AgentRow = {
    id: newId(),
    email: normalizeEmail(agent.email),
    name: agent.name,
    password_hash: agent.passwordHash,
    role: agent.role,
    capacity: agent.capacity,
    status: 'online',
    connected: 0,
    active: 1,
    avatar_url: null,
    last_assigned_at: null,
    created_at: nowIso(),
  };
  await db.insertInto('agents').values(row).execute();
  return row;
}

export async function updateAgentRow(db: Executor, id: string, changes: AgentChanges): Promise<void> {
  const set: Partial<AgentRow> = {};
  if (changes.email !== undefined) set.email = normalizeEmail(changes.email);
  if (changes.name !== undefined) set.name = changes.name;
  if (changes.passwordHash !== undefined) set.password_hash = changes.passwordHash;
  if (changes.role !== undefined) set.role = changes.role;
  if (changes.capacity !== undefined) set.capacity = changes.capacity;
  if (changes.active !== undefined) set.active = fromBool(changes.active);
  if (Object.keys(set).length > 0) await db.updateTable('agents').set(set).where('id', '=', id).execute();
}

/**
 * Whether an active admin is connected anywhere in the cluster (or within their offline grace): the
 * admins' queue view is worth computing only then.
 */
export async function anyAdminConnected(db: Executor): Promise<boolean> {
  const row = await db.selectFrom('agents').select('id').where('role', '=', 'admin').where('connected', '=', 1).where('active', '=', 1).limit(1).executeTakeFirst();
  return row !== undefined;
}

export const findAgent = (db: Executor, id: string): Promise<AgentRow | undefined> =>
  db.selectFrom('agents').selectAll().where('id', '=', id).executeTakeFirst();

export const findAgentByEmail = (db: Executor, email: string): Promise<AgentRow | undefined> =>
  db.selectFrom('agents').selectAll().where('email', '=', normalizeEmail(email)).executeTakeFirst();

/** The agents of an inbox, in one read (not its member ids, then their rows). */
export const memberRowsOf = (db: Executor, inboxId: string): Promise<AgentRow[]> =>
  db
    .selectFrom('agents')
    .innerJoin('inbox_members', 'inbox_members.agent_id', 'agents.id')
    .selectAll('agents')
    .where('inbox_members.inbox_id', '=', inboxId)
    .orderBy('agents.name')
    .orderBy('agents.id')
    .execute();

export const listAgentRows = (db: Executor, ids?: string[]): Promise<AgentRow[]> => {
  let query = db.selectFrom('agents').selectAll().orderBy('name').orderBy('id');
  if (ids) {
    if (ids.length === 0) return Promise.resolve([]);
    query = query.where('id', 'in', ids);
  }
  return query.execute();
};

/**
 * Load = open conversations assigned to the agent (ARCHITECTURE "Domain rules"): loadsOf for given
 * agents, loadOfAgentRow as a subquery of a query over `agents` (routing reads it with the agents).
 */
export const loadOfAgentRow = (eb: ExpressionBuilder<DB, 'agents'>) =>
  eb
    .selectFrom('conversations')
    .select(eb.fn.countAll<number>().as('n'))
    .where('conversations.status', '=', 'open')
    .whereRef('conversations.assignee_id', '=', 'agents.id');

export async function loadsOf(db: Executor, ids: string[]): Promise<Map<string, number>> {
  const loads = new Map(ids.map((id) => [id, 0]));
  if (ids.length === 0) return loads;
  const rows = await db
    .selectFrom('conversations')
    .select(['assignee_id', (eb) => eb.fn.countAll<number>().as('load')])
    .where('status', '=', 'open')
    .where('assignee_id', 'in', ids)
    .groupBy('assignee_id')
    .execute();
  for (const row of rows) if (row.assignee_id) loads.set(row.assignee_id, Number(row.load));
  return loads;
}

export async function profilesOf(db: Executor, rows: AgentRow[]): Promise<AgentProfile[]> {
  const loads = await loadsOf(db, rows.map((r) => r.id));
  return rows.map((row) => toAgentProfile(row, loads.get(row.id) ?? 0));
}

export async function profileOf(db: Executor, id: string): Promise<AgentProfile | null> {
  const row = await findAgent(db, id);
  return row ? ((await profilesOf(db, [row]))[0] ?? null) : null;
}

/** One agent's presence, or several agents' (the sweeper takes a whole shift offline in one write). */
export async function setAgentPresence(
  db: Executor,
  ids: string | string[],
  changes: { status?: 'online' | 'away'; connected?: boolean },
): Promise<void> {
  const set: Partial<AgentRow> = {};
  if (changes.status) set.status = changes.status;
  if (changes.connected !== undefined) set.connected = fromBool(changes.connected);
  // An empty SET is invalid SQL; callers pass {} to re-run routing after other agent changes.
  const where = [ids].flat();
  if (Object.keys(set).length > 0 && where.length > 0) await db.updateTable('agents').set(set).where('id', 'in', where).execute();
}
