import { queuePositions, sortQueue, waitEstimator, type QueueEntry } from '@kefu/core';
import type { QueueInfo, QueueSnapshot, QueuedItem } from '@kefu/protocol';
import { sql } from 'kysely';
import type { Executor } from '../database.js';
import { effectiveStatusOf, listAgentRows, memberRowsOf, profilesOf } from '../repos/agents.js';
import { recentWaits } from '../repos/assignments.js';
import { queueEntriesOf, queueEntryOf, queuedConversations, type ConversationRow } from '../repos/conversations.js';
import { listInboxRows } from '../repos/inboxes.js';
import { secondsSince } from '../util.js';
import type { QueueMove } from './changes.js';

/** Members of the inbox who are online now: who answers visitors, and what wait estimates divide by. */
export async function onlineMemberCount(db: Executor, inboxId: string): Promise<number> {
  const rows = await memberRowsOf(db, inboxId);
  return rows.filter((row) => effectiveStatusOf(row) === 'online').length;
}

const estimatorOf = async (db: Executor, inboxId: string) =>
  waitEstimator({ recentWaitsSec: await recentWaits(db, inboxId), eligibleAgents: await onlineMemberCount(db, inboxId) });

/** Position and estimated wait of every queued conversation of an inbox (`queue`: already read). */
export async function queueInfoOf(db: Executor, inboxId: string, queue?: QueueEntry[]): Promise<Map<string, QueueInfo>> {
  const positions = queuePositions(queue ?? (await queueEntriesOf(db, inboxId)));
  const estimate = await estimatorOf(db, inboxId);
  const info = new Map<string, QueueInfo>();
  for (const [id, position] of positions) info.set(id, { position, estimatedWaitSec: estimate(position) });
  return info;
}

/**
 * One queued conversation's place, counted by the database instead of read and ranked: a visitor
 * joining a queue of a thousand no longer reads the thousand. Null once it is no longer queued.
 */
export async function queuePlaceOf(db: Executor, row: ConversationRow): Promise<QueueInfo | null> {
  const { ahead, present } = await db
    .selectFrom('conversations')
    .select([sql<number>`count(case when ${aheadOf(queueEntryOf(row))} then 1 end)`.as('ahead'), sql<number>`count(case when ${sql.ref('id')} = ${row.id} then 1 end)`.as('present')])
    .where('status', '=', 'queued')
    .where('inbox_id', '=', row.inbox_id)
    .executeTakeFirstOrThrow();
  if (Number(present) === 0) return null;
  const position = Number(ahead) + 1;
  return { position, estimatedWaitSec: (await estimatorOf(db, row.inbox_id))(position) };
}

/** The queued conversations of an inbox at or behind `entry` in queue order: one statement, whatever their number. */
const queuedFrom = (db: Executor, inboxId: string, entry: QueueEntry): Promise<ConversationRow[]> =>
  db.selectFrom('conversations').selectAll().where('status', '=', 'queued').where('inbox_id', '=', inboxId).where(sql<boolean>`not (${aheadOf(entry)})`).execute();

/**
 * compareQueueEntries(row, entry) < 0 in SQL: a higher priority, else an earlier key, else a smaller
 * id. Compared as text: kefu writes its keys with toISOString (UTC, all of one length), whose text
 * order is their order as instants, and its ids as lowercase UUIDs, whose text order is compareIds'
 * in the C collation the tests run on (and in ICU's, checked on 5 000 random ids). The store contract
 * test holds this and core's order together on both stores.
 */
function aheadOf(entry: QueueEntry) {
  const priority = sql.ref('priority');
  const key = sql`coalesce(${sql.ref('queue_key')}, ${sql.ref('queued_at')}, ${sql.ref('created_at')})`;
  return sql`${priority} > ${entry.priority} or (${priority} = ${entry.priority} and (${key} < ${entry.queuedAt} or (${key} = ${entry.queuedAt} and ${sql.ref('id')} < ${entry.id})))`;
}

/**
 * The queued conversations of an inbox whose place or estimate may have changed with `move` (those at
 * or behind where the queue moved from), and every place. A conversation joining the end of a long
 * queue moves no one else, so only its own row is read in full (the queue's order, narrowly, for the
 * places).
 */
export async function movedInQueue(db: Executor, inboxId: string, move: QueueMove): Promise<{ rows: ConversationRow[]; info: Map<string, QueueInfo> }> {
  const entries = await queueEntriesOf(db, inboxId);
  const info = await queueInfoOf(db, inboxId, entries);
  const rows = move === 'whole' ? await queuedConversations(db, inboxId) : await queuedFrom(db, inboxId, move);
  // A row that joined between the two reads has no place here: its own change tells its visitor.
  return { rows: rows.filter((row) => info.has(row.id)), info };
}

/** The admin's live queue view: queued conversations, every agent, and counts per inbox. */
export async function queueSnapshot(db: Executor, inboxId?: string): Promise<QueueSnapshot> {
  const inboxes = (await listInboxRows(db)).filter((i) => !inboxId || i.id === inboxId);
  const now = Date.now();
  const queued: QueuedItem[] = [];
  const perInbox: QueueSnapshot['stats']['perInbox'] = [];
  for (const inbox of inboxes) {
    const rows = sortQueue((await queuedConversations(db, inbox.id)).map(queueEntryOf));
    const info = await queueInfoOf(db, inbox.id, rows);
    const names = await visitorNames(db, rows.map((r) => r.visitor_id));
    for (const row of rows) {
      queued.push({
        conversationId: row.id,
        number: row.number,
        inboxId: inbox.id,
        visitorName: names.get(row.visitor_id) ?? null,
        position: info.get(row.id)?.position ?? 1,
        priority: row.priority,
        queuedAt: row.queued_at ?? row.created_at,
        waitingSec: secondsSince(row.queued_at ?? row.created_at, now),
        estimatedWaitSec: info.get(row.id)?.estimatedWaitSec ?? null,
      });
    }
    perInbox.push({ inboxId: inbox.id, name: inbox.name, queued: rows.length, open: await countStatus(db, 'open', inbox.id) });
  }
  const agents = await profilesOf(db, await (inboxId ? memberRowsOf(db, inboxId) : listAgentRows(db)));
  return {
    queued,
    agents,
    stats: {
      queued: queued.length,
      open: perInbox.reduce((sum, i) => sum + i.open, 0),
      snoozed: await countStatus(db, 'snoozed', inboxId),
      agentsOnline: agents.filter((a) => a.status === 'online').length,
      longestWaitSec: queued.reduce((max, q) => Math.max(max, q.waitingSec), 0),
      perInbox,
    },
  };
}

async function countStatus(db: Executor, status: ConversationRow['status'], inboxId?: string): Promise<number> {
  let query = db.selectFrom('conversations').select((eb) => eb.fn.countAll<number>().as('n')).where('status', '=', status);
  if (inboxId) query = query.where('inbox_id', '=', inboxId);
  return Number((await query.executeTakeFirst())?.n ?? 0);
}

async function visitorNames(db: Executor, ids: string[]): Promise<Map<string, string | null>> {
  if (ids.length === 0) return new Map();
  const rows = await db.selectFrom('visitors').select(['id', 'name']).where('id', 'in', ids).execute();
  return new Map(rows.map((r) => [r.id, r.name]));
}
