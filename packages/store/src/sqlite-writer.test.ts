import { afterEach, describe, expect, it } from '@jest/globals';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import SQLite from 'better-sqlite3';
import { searchText } from './search-text.js';
import { startSqliteWriter, type SqliteWriter, type TwoStatements } from './sqlite-writer.js';

/** A counter per key: the first statement takes the next number, the second returns it with the key's row. */
const NEXT_NUMBER: TwoStatements = {
  first: `insert into entries (key, number) select @key, (select coalesce(max(number), 0) + 1 from entries) where @key <> 'skip' returning number`,
  second: `update totals set count = count + 1, last = @number where id = 1 returning count, last, @key as key`,
};

describe('the SQLite writer thread', () => {
  const dirs: string[] = [];
  afterEach(() => dirs.splice(0).forEach((dir) => rmSync(dir, { recursive: true, force: true })));

  /** A database file with the tables, and the main connection that reads it (as the store's does). */
  const openFile = () => {
    const dir = mkdtempSync(join(tmpdir(), 'kefu-writer-'));
    dirs.push(dir);
    const file = join(dir, 'kefu.db');
    const main = new SQLite(file);
    main.pragma('journal_mode = WAL');
    main.exec('create table entries (key text primary key, number integer); create table totals (id integer primary key, count integer, last integer)');
    main.exec('insert into totals values (1, 0, null)');
    return { file, main };
  };

  /** Runs `test` with a writer on a new file and the main connection, and closes both after it. */
  async function withWriter(pragmas: string[], test: (opened: { writer: SqliteWriter; main: SQLite.Database }) => Promise<void>) {
    const { file, main } = openFile();
    const writer = startSqliteWriter(file, pragmas);
    try {
      await test({ writer, main });
    } finally {
      await writer.stop();
      main.close();
    }
  }

  it('writes each in a savepoint of its own: a failed one is rolled back alone, one whose first statement found nothing wrote nothing', () =>
    withWriter(['busy_timeout = 5000'], async ({ writer, main }) => {
      const outcomes = await writer.write(NEXT_NUMBER, [{ key: 'a' }, { key: 'a' }, { key: 'skip' }, { key: 'b' }]);
      expect(outcomes[0]).toEqual({ status: 'fulfilled', value: { count: 1, last: 1, key: 'a' } });
      // The repeated key breaks the primary key in the first statement: that write alone is undone.
      expect(outcomes[1]).toMatchObject({ status: 'rejected', reason: { code: 'SQLITE_CONSTRAINT_PRIMARYKEY' } });
      expect(outcomes[2]).toEqual({ status: 'fulfilled', value: undefined });
      expect(outcomes[3]).toEqual({ status: 'fulfilled', value: { count: 2, last: 2, key: 'b' } });
      // Committed before the promise resolved: the main connection reads it.
      expect(main.prepare('select key, number from entries order by number').all()).toEqual([
        { key: 'a', number: 1 },
        { key: 'b', number: 2 },
      ]);
      expect(main.prepare('select count from totals').get()).toEqual({ count: 2 });
    }));

  it('rejects the batch when its statements cannot run, and keeps serving the next one', () =>
    withWriter([], async ({ writer, main }) => {
      const broken = { ...NEXT_NUMBER, second: 'update no_such_table set x = 1 returning x' };
      await expect(writer.write(broken, [{ key: 'a' }])).rejects.toThrow('no such table: no_such_table');
      expect(main.prepare('select count(*) as n from entries').get()).toEqual({ n: 0 });
      expect(await writer.write(NEXT_NUMBER, [{ key: 'a' }])).toEqual([{ status: 'fulfilled', value: { count: 1, last: 1, key: 'a' } }]);
    }));

  it('prepares its statements again on the next batch when they could not be prepared on the first', () =>
    withWriter([], async ({ writer, main }) => {
      const later: TwoStatements = {
        first: `insert into later (key) values (@key) returning rowid as number`,
        second: `select @key as key, @number as number`,
      };
      await expect(writer.write(later, [{ key: 'early' }])).rejects.toThrow('no such table: later');
      main.exec('create table later (key text)');
      expect(await writer.write(later, [{ key: 'a' }])).toEqual([{ status: 'fulfilled', value: { key: 'a', number: 1 } }]);
    }));

  it('rejects writes that cannot be copied to the thread, and answers the next ones as theirs', () =>
    withWriter([], async ({ writer }) => {
      await expect(writer.write(NEXT_NUMBER, [{ key: () => 'not data' }])).rejects.toThrow();
      expect(await writer.write(NEXT_NUMBER, [{ key: 'a' }])).toEqual([{ status: 'fulfilled', value: { count: 1, last: 1, key: 'a' } }]);
    }));

  it('runs the search index a step at a time up to the newest message, events left out, CJK characters spaced as searchText does', () =>
    withWriter([], async ({ writer, main }) => {
      // The tables of migration 004 that a step reads and writes.
      main.exec(`create table messages (id text, body text, kind text);
        create table settings (key text primary key, value text);
        create virtual table messages_fts using fts5(body, message_id unindexed, content='', contentless_unindexed=1)`);
      const insert = main.prepare('insert into messages (id, body, kind) values (?, ?, ?)');
      [['m1', 'Hello World', 'text'], ['m2', 'joined', 'event'], ['m3', '我想退款', 'text']].forEach((row) => insert.run(...row));
      expect(await writer.indexSearch(2)).toBe(2);
      expect(await writer.indexSearch(2)).toBe(1);
      expect(await writer.indexSearch(2)).toBe(0);
      expect(main.prepare(`select value from settings where key = 'search_indexed_rowid'`).get()).toEqual({ value: '3' });
      const matches = (query: string) => main.prepare('select message_id from messages_fts where messages_fts match ? order by rowid').all(query);
      expect(matches('hello')).toEqual([{ message_id: 'm1' }]);
      expect(matches('joined')).toEqual([]);
      expect(matches(`"${searchText('退款')}"`)).toEqual([{ message_id: 'm3' }]);
      expect(matches('"退 货"')).toEqual([]);
    }));

  it('once stopped, says so and rejects every write', () =>
    withWriter([], async ({ writer }) => {
      expect(writer.alive()).toBe(true);
      await writer.stop();
      expect(writer.alive()).toBe(false);
      await expect(writer.write(NEXT_NUMBER, [{ key: 'a' }])).rejects.toThrow('the SQLite writer thread has stopped');
      await expect(writer.indexSearch(1)).rejects.toThrow('the SQLite writer thread has stopped');
    }));
});
