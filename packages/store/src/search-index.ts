import SQLite from 'better-sqlite3';
import type { CompiledQuery } from 'kysely';
import { CJK_CLASS } from './search-text.js';
import { startSqliteWorker } from './sqlite-worker.js';

/** How often the worker looks for new messages, and how many it indexes per transaction. */
const INTERVAL_MS = 2_000;
/**
 * FTS5 writes a segment per transaction: steps of 1 000 messages cost what one large batch does, steps
 * of 250 a third more (docs/benchmarks.md, twenty-fifth round).
 */
const STEP = 1_000;

/** The file that holds a store's search index: beside the store's own, `kefu.db` → `kefu-search.db`. */
export const searchIndexFile = (file: string): string => file.replace(/(\.db)?$/, '-search.db');

export type SearchIndex = {
  /** Resolves with how many messages it indexed once every message committed before the call is in the index. */
  catchUp(): Promise<number>;
  /** Runs a read-only query on a connection to the store that sees the index as `search.messages_fts`. */
  read<T>(query: CompiledQuery): T[];
  stop(): Promise<void>;
};

// Runs in the worker: a connection of its own to the index's file, which it creates, and a read-only
// one to the store's. Each step reads the messages after the watermark, a step at a time, and writes
// them into the index with the new watermark in one transaction of the index's file. On a timer, and
// when asked ({ id }: answered with { id, indexed } or { id, error }), until told to stop. `searchText`
// is search-text.ts's (which a worker started from source cannot import): lower case, CJK characters
// spaced apart; the search contract tests hold the two to the same results.
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.driver);
const { file, indexFile, cjkClass, step, intervalMs } = workerData;
const cjk = new RegExp('([' + cjkClass + '])', 'gu');
const searchText = (body) => body.toLowerCase().replace(cjk, ' $1 ');
const index = new Database(indexFile);
index.pragma('journal_mode = WAL');
index.pragma('synchronous = NORMAL');
index.exec(\`
  create virtual table if not exists messages_fts using fts5(body, message_id unindexed, content='', contentless_unindexed=1, tokenize='unicode61 remove_diacritics 2');
  create table if not exists watermark (id integer primary key check (id = 1), indexed integer not null);
\`);
const store = new Database(file);
store.pragma('query_only = 1');
const watermark = index.prepare('select indexed from watermark');
const insert = index.prepare('insert into messages_fts (rowid, body, message_id) values (?, ?, ?)');
const mark = index.prepare('insert into watermark (id, indexed) values (1, ?) on conflict (id) do update set indexed = excluded.indexed');
const write = index.transaction((rows) => {
  for (const row of rows) if (row.kind !== 'event') insert.run(row.rowid, searchText(row.body), row.id);
  mark.run(rows[rows.length - 1].rowid);
});
let read;
// messages.rowid only grows (messages are never deleted), so it orders by commit: a row after the
// watermark is one the index has not seen.
const indexStep = () => {
  read ??= store.prepare('select rowid, id, body, kind from messages where rowid > ? order by rowid limit ?');
  const rows = read.all(watermark.get()?.indexed ?? 0, step);
  if (rows.length > 0) write(rows);
  return rows.length;
};
const catchUp = () => {
  let indexed = 0;
  for (let done = indexStep(); done > 0; done = indexStep()) indexed += done;
  return indexed;
};
// Before the store's first migration there are no messages to index yet.
const noMessagesYet = (error) => /no such table: messages/.test(String(error && error.message));
const timer = setInterval(() => {
  try {
    catchUp();
  } catch {
    // Tried again on the next tick; a search that asks gets the error.
  }
}, intervalMs);
parentPort.on('message', (message) => {
  if (message !== 'stop') {
    try {
      parentPort.postMessage({ id: message.id, indexed: catchUp() });
    } catch (error) {
      if (noMessagesYet(error)) parentPort.postMessage({ id: message.id, indexed: 0 });
      else parentPort.postMessage({ id: message.id, error: String(error && error.message) });
    }
    return;
  }
  clearInterval(timer);
  store.close();
  index.close();
  parentPort.close();
});
`;

type Answer = { id: number; indexed?: number; error?: string };

/**
 * SQLite's search index in a file of its own, kept by a worker thread with connections of its own.
 *
 * FTS5 indexes in batches (a trigger on every send made sends about twice as slow), and until change
 * 98 the batches ran in the store's own file, on its one writer: every send waited for a batch in the
 * line (2 to 3 ms, three times a second at 3 000 msgs/s), and about one batch in eighteen, when FTS5
 * merged its segments, took 8 to 26 ms. Without the batches one node's p99 at 3 000 msgs/s was 4.6 ms
 * against 22.2 (docs/benchmarks.md, the thirty-seventh round). In a file of its own the index has a
 * writer of its own, which the store's never waits for, and a worker thread does the work off the
 * event loop. The store's file keeps every message: the index is rebuilt from it when its file is
 * missing, and caught up from its watermark when behind.
 *
 * Every search first asks the worker to catch up (`catchUp`), so a search still sees every message
 * committed before it. Searches read through a connection of their own (query only) with the index
 * attached: attached to the store's writing connection, the index's file would be locked by its every
 * write transaction (BEGIN IMMEDIATE locks every attached file).
 */
export function startSearchIndex(file: string, { intervalMs = INTERVAL_MS, step = STEP } = {}): SearchIndex {
  const indexFile = searchIndexFile(file);
  const started = startSqliteWorker(WORKER_SOURCE, { file, indexFile, cjkClass: CJK_CLASS, step, intervalMs });
  const { worker } = started;
  const asked = new Map<number, { resolve: (indexed: number) => void; reject: (error: Error) => void }>();
  let lastId = 0;
  let gone: Error | undefined;
  const exited = started.exited.finally(() => {
    gone ??= new Error('the search index has stopped');
    asked.forEach(({ reject }) => reject(gone!));
    asked.clear();
  });
  worker.on('error', (error) => void (gone = new Error('the search index failed', { cause: error })));
  worker.on('message', ({ id, indexed, error }: Answer) => {
    const waiting = asked.get(id);
    asked.delete(id);
    if (error === undefined) waiting?.resolve(indexed ?? 0);
    else waiting?.reject(new Error(`the search index could not catch up: ${error}`));
  });
  let reader: SQLite.Database | undefined;
  const readerOf = (): SQLite.Database => {
    if (reader) return reader;
    reader = new SQLite(file);
    reader.pragma('query_only = 1');
    reader.prepare('attach database ? as search').run(indexFile);
    return reader;
  };
  return {
    catchUp: () =>
      new Promise((resolve, reject) => {
        if (gone) return reject(gone);
        const id = ++lastId;
        asked.set(id, { resolve, reject });
        worker.postMessage({ id });
      }),
    read: <T>(query: CompiledQuery) => readerOf().prepare(query.sql).all(...(query.parameters as unknown[])) as T[],
    async stop() {
      await started.stop();
      await exited;
      reader?.close();
    },
  };
}
