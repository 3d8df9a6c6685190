import { CompiledQuery } from 'kysely';
import type { Database } from '../database.js';

/**
 * One step of the SQLite search index, `?` for its parameters: where the index stands (the highest
 * messages.rowid it has looked at, a watermark in settings) and where the step ends (a batch past it
 * at most, the newest message at most; the watermark itself when there is nothing to index); the
 * messages in between into the index; the watermark moved to the end. messages.rowid only grows
 * (messages are never deleted), so it orders by time.
 */
const INDEX_STEP = {
  range: `select indexed, max(indexed, min(top, indexed + ?)) as up_to from (
    select coalesce((select cast(value as integer) from settings where key = 'search_indexed_rowid'), 0) as indexed,
      coalesce(max(rowid), 0) as top from messages)`,
  insert: `insert into messages_fts(rowid, body, message_id)
    select rowid, kefu_search_text(body), id from messages where rowid > ? and rowid <= ? and kind <> 'event'`,
  mark: `insert into settings (key, value) values ('search_indexed_rowid', ?) on conflict (key) do update set value = excluded.value`,
} as const;

/** Where INDEX_STEP.range found the index, and where the step ends. */
type IndexRange = { indexed: number; up_to: number };

/** What indexing needs of the store: its dialect, and its transactions. */
type IndexingDatabase = Pick<Database, 'dialect' | 'transaction'>;

/**
 * SQLite keeps its search index off the send path: a trigger made every send about twice as slow
 * (FTS5 writes a new segment per transaction). Instead the messages after the watermark go into the
 * index in batches, by a timer of the server (startSearchIndexer) and before every search, so a
 * search still sees every message. A batch is one transaction in turn with the other writes (it ran
 * in the writer thread from change 91 to change 95, off the event loop: docs/benchmarks.md). Returns
 * how many messages it looked at. PostgreSQL's index is kept by the insert itself (cheap there):
 * nothing to do.
 */
export async function indexNewMessages(db: IndexingDatabase, batch = 5_000): Promise<number> {
  if (db.dialect !== 'sqlite') return 0;
  return db.transaction(async (tx) => {
    const [{ indexed, up_to: upTo }] = (await tx.executeQuery<IndexRange>(CompiledQuery.raw(INDEX_STEP.range, [batch]))).rows as [IndexRange];
    if (upTo === indexed) return 0;
    await tx.executeQuery(CompiledQuery.raw(INDEX_STEP.insert, [indexed, upTo]));
    await tx.executeQuery(CompiledQuery.raw(INDEX_STEP.mark, [String(upTo)]));
    return upTo - indexed;
  });
}

/**
 * Indexes every message not indexed yet, `step` at a time, each step a transaction of its own, awaiting
 * `between()` after each step that indexed some. Returns how many messages it indexed.
 */
export async function indexInSteps(db: IndexingDatabase, step: number, between: () => Promise<void>): Promise<number> {
  let indexed = 0;
  for (let done = await indexNewMessages(db, step); done > 0; done = await indexNewMessages(db, step)) {
    indexed += done;
    await between();
  }
  return indexed;
}

/** Brings the index up to date before a search: usually one empty batch. */
export async function catchUpSearchIndex(db: IndexingDatabase): Promise<void> {
  await indexInSteps(db, 5_000, async () => undefined);
}
