import { sql } from 'kysely';
import type { Database } from '../database.js';

/** Where the SQLite search index stops: the highest messages.rowid it has looked at. */
const WATERMARK = 'search_indexed_rowid';

/**
 * SQLite keeps its search index off the send path: a trigger made every send about twice as slow
 * (FTS5 writes a new segment per transaction). Instead the messages after the watermark go into the
 * index in batches, by a timer of the server (startSearchIndexer) and before every search, so a
 * search still sees every message. One statement per batch, in the group-commit queue (SQLite's
 * one connection, so two batches never interleave). Returns how many messages it looked at.
 * PostgreSQL's index is kept by the insert itself (cheap there): nothing to do.
 */
export async function indexNewMessages(db: Pick<Database, 'dialect' | 'transaction'>, batch = 5_000): Promise<number> {
  if (db.dialect !== 'sqlite') return 0;
  return db.transaction(async (tx) => {
    const from = Number((await tx.selectFrom('settings').select('value').where('key', '=', WATERMARK).executeTakeFirst())?.value ?? 0);
    const { rows } = await sql<{ top: number | null }>`select max(rowid) as top from messages`.execute(tx);
    const upTo = Math.min(rows[0]?.top ?? 0, from + batch);
    if (upTo <= from) return 0;
    // rowid here is messages.rowid: ever-growing (messages are never deleted), so it orders by time.
    await sql`insert into messages_fts(rowid, body, message_id)
      select rowid, kefu_search_text(body), id from messages where rowid > ${from} and rowid <= ${upTo} and kind <> 'event'`.execute(tx);
    await tx
      .insertInto('settings')
      .values({ key: WATERMARK, value: String(upTo) })
      .onConflict((oc) => oc.column('key').doUpdateSet({ value: String(upTo) }))
      .execute();
    return upTo - from;
  });
}

/**
 * Indexes every message not indexed yet, `step` at a time, each step a transaction of its own, awaiting
 * `between()` after each step that indexed some. Returns how many messages it indexed.
 */
export async function indexInSteps(db: Pick<Database, 'dialect' | 'transaction'>, step: number, between: () => Promise<void>): Promise<number> {
  let indexed = 0;
  for (let done = await indexNewMessages(db, step); done > 0; done = await indexNewMessages(db, step)) {
    indexed += done;
    await between();
  }
  return indexed;
}

/** Brings the index up to date before a search: usually one empty batch. */
export async function catchUpSearchIndex(db: Pick<Database, 'dialect' | 'transaction'>): Promise<void> {
  await indexInSteps(db, 5_000, async () => undefined);
}
