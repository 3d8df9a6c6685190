import type { BusinessHours } from '@kefu/core';
import { defaultWidgetColor, limits, type Inbox, type InboxRouting, type WidgetLanguage } from '@kefu/protocol';
import type { Executor } from '../database.js';
import type { InboxesTable } from '../schema.js';
import { fromBool, groupBy, newId, nowIso, randomKey, toBool } from '../util.js';

export type InboxRow = InboxesTable;
export type InboxSettings = Partial<{
  name: string;
  allowedOrigins: string[];
  routing: InboxRouting;
  greeting: string;
  livePreview: boolean;
  csatEnabled: boolean;
  identitySecret: string | null;
  maxMessageLength: number;
  widgetColor: string;
  language: WidgetLanguage | null;
  businessHours: BusinessHours | null;
}>;

export const businessHoursOf = (row: Pick<InboxRow, 'business_hours'>): BusinessHours | null =>
  row.business_hours === null ? null : (JSON.parse(row.business_hours) as BusinessHours);

export const originsOf = (row: InboxRow): string[] => JSON.parse(row.allowed_origins) as string[];

export function toInbox(row: InboxRow): Inbox {
  return {
    id: row.id,
    key: row.key,
    name: row.name,
    allowedOrigins: originsOf(row),
    routing: row.routing,
    greeting: row.greeting,
    livePreview: toBool(row.live_preview),
    csatEnabled: toBool(row.csat_enabled),
    hasIdentitySecret: row.identity_secret !== null,
    maxMessageLength: row.max_message_length,
    widgetColor: row.widget_color,
    language: row.language,
    businessHours: businessHoursOf(row),
    createdAt: row.created_at,
  };
}

function settingsToRow(settings: InboxSettings): Partial<InboxRow> {
  const row: Partial<InboxRow> = {};
  if (settings.name !== undefined) row.name = settings.name;
  if (settings.allowedOrigins !== undefined) row.allowed_origins = JSON.stringify(settings.allowedOrigins);
  if (settings.routing !== undefined) row.routing = settings.routing;
  if (settings.greeting !== undefined) row.greeting = settings.greeting;
  if (settings.livePreview !== undefined) row.live_preview = fromBool(settings.livePreview);
  if (settings.csatEnabled !== undefined) row.csat_enabled = fromBool(settings.csatEnabled);
  if (settings.identitySecret !== undefined) row.identity_secret = settings.identitySecret;
  if (settings.maxMessageLength !== undefined) row.max_message_length = settings.maxMessageLength;
  if (settings.widgetColor !== undefined) row.widget_color = settings.widgetColor;
  if (settings.language !== undefined) row.language = settings.language;
  if (settings.businessHours !== undefined) row.business_hours = settings.businessHours && JSON.stringify(settings.businessHours);
  return row;
}

export async function insertInbox(db: Executor, settings: InboxSettings & { name: string; key?: string }): Promise<InboxRow> {
  const row: InboxRow = {
    id: newId(),
    key: settings.key ?? randomKey(12),
    name: settings.name,
    allowed_origins: '[]',
    routing: 'auto',
    greeting: 'Hi! How can we help you today?',
    live_preview: 0,
    csat_enabled: 1,
    identity_secret: null,
    max_message_length: limits.defaultMaxMessageLength,
    widget_color: defaultWidgetColor,
    language: null,
    business_hours: null,
    created_at: nowIso(),
    ...settingsToRow(settings),
  };
  await db.insertInto('inboxes').values(row).execute();
  return row;
}

export async function updateInboxRow(db: Executor, id: string, settings: InboxSettings): Promise<void> {
  const set = settingsToRow(settings);
  if (Object.keys(set).length > 0) await db.updateTable('inboxes').set(set).where('id', '=', id).execute();
}

export const findInbox = (db: Executor, id: string): Promise<InboxRow | undefined> =>
  db.selectFrom('inboxes').selectAll().where('id', '=', id).executeTakeFirst();

export const findInboxByKey = (db: Executor, key: string): Promise<InboxRow | undefined> =>
  db.selectFrom('inboxes').selectAll().where('key', '=', key).executeTakeFirst();

/**
 * The `auto` inboxes in which someone is queued (of one agent, with `memberId`): what a drain has to
 * look at, in one read, an index probe per inbox (conversations_inbox_status).
 */
export const autoInboxesWithQueue = async (db: Executor, options: { memberId?: string } = {}): Promise<string[]> => {
  let query = db
    .selectFrom('inboxes')
    .select('inboxes.id')
    .where('inboxes.routing', '=', 'auto')
    .where((eb) =>
      eb.exists(eb.selectFrom('conversations').select('conversations.id').whereRef('conversations.inbox_id', '=', 'inboxes.id').where('conversations.status', '=', 'queued')),
    );
  if (options.memberId) query = query.innerJoin('inbox_members', 'inbox_members.inbox_id', 'inboxes.id').where('inbox_members.agent_id', '=', options.memberId);
  const rows = await query.orderBy('inboxes.id').execute();
  return rows.map((row) => row.id);
};

export const listInboxRows = (db: Executor): Promise<InboxRow[]> =>
  db.selectFrom('inboxes').selectAll().orderBy('created_at').orderBy('id').execute();

export async function inboxIdsOfAgent(db: Executor, agentId: string): Promise<string[]> {
  const rows = await db.selectFrom('inbox_members').select('inbox_id').where('agent_id', '=', agentId).execute();
  return rows.map((r) => r.inbox_id);
}

/** The inboxes of several agents in one query, by agent id (an agent of no inbox is absent). */
export async function inboxIdsOfAgents(db: Executor, agentIds: string[]): Promise<Map<string, string[]>> {
  if (agentIds.length === 0) return new Map();
  const rows = await db.selectFrom('inbox_members').select(['agent_id', 'inbox_id']).where('agent_id', 'in', agentIds).execute();
  return new Map([...groupBy(rows, (row) => row.agent_id)].map(([agentId, group]) => [agentId, group.map((row) => row.inbox_id)]));
}

export async function memberIdsOf(db: Executor, inboxId: string): Promise<string[]> {
  const rows = await db.selectFrom('inbox_members').select('agent_id').where('inbox_id', '=', inboxId).execute();
  return rows.map((r) => r.agent_id);
}

export async function setMemberships(db: Executor, agentId: string, inboxIds: string[]): Promise<void> {
  await db.deleteFrom('inbox_members').where('agent_id', '=', agentId).execute();
  if (inboxIds.length === 0) return;
  await db
    .insertInto('inbox_members')
    .values([...new Set(inboxIds)].map((inbox_id) => ({ inbox_id, agent_id: agentId })))
    .execute();
}
