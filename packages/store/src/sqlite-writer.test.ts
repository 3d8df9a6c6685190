import { afterEach, describe, expect, it } from '@jest/globals';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import SQLite from 'better-sqlite3';
import { sqliteWriter, type SqliteWriter, type TwoStatements } from './sqlite-writer.js';

/** A counter per key: the first statement takes the next number, the second returns it with the key's row. */
const NEXT_NUMBER: TwoStatements = {
  first: `insert into entries (key, number) select @key, (select coalesce(max(number), 0) + 1 from entries) where @key <> 'skip' returning number`,
  second: `update totals set count = count + 1, last = @number where id = 1 returning count, last, @key as key`,
};

describe('the SQLite writer', () => {
  const dirs: string[] = [];
  afterEach(() => dirs.splice(0).forEach((dir) => rmSync(dir, { recursive: true, force: true })));

  /**
   * Runs `test` with a writer on the connection that made the tables, and a second connection to the
   * same file that reads only what was committed; closes both after it.
   */
  async function withWriter(test: (opened: { writer: SqliteWriter; connection: SQLite.Database; reader: SQLite.Database }) => Promise<void> | void) {
    const dir = mkdtempSync(join(tmpdir(), 'kefu-writer-'));
    dirs.push(dir);
    const file = join(dir, 'kefu.db');
    const connection = new SQLite(file);
    connection.pragma('journal_mode = WAL');
    connection.exec('create table entries (key text primary key, number integer); create table totals (id integer primary key, count integer, last integer)');
    connection.exec('insert into totals values (1, 0, null)');
    const reader = new SQLite(file, { readonly: true });
    try {
      await test({ writer: sqliteWriter(connection), connection, reader });
    } finally {
      reader.close();
      connection.close();
    }
  }

  it('writes each in a savepoint of its own: a failed one is rolled back alone, one whose first statement found nothing wrote nothing', () =>
    withWriter(({ writer, reader }) => {
      const outcomes = writer(NEXT_NUMBER, [{ key: 'a' }, { key: 'a' }, { key: 'skip' }, { key: 'b' }]);
      expect(outcomes[0]).toEqual({ status: 'fulfilled', value: { count: 1, last: 1, key: 'a' } });
      // The repeated key breaks the primary key in the first statement: that write alone is undone.
      expect(outcomes[1]).toMatchObject({ status: 'rejected', reason: { code: 'SQLITE_CONSTRAINT_PRIMARYKEY' } });
      expect(outcomes[2]).toEqual({ status: 'fulfilled', value: undefined });
      expect(outcomes[3]).toEqual({ status: 'fulfilled', value: { count: 2, last: 2, key: 'b' } });
      // Committed by the time it answered: another connection reads it.
      expect(reader.prepare('select key, number from entries order by number').all()).toEqual([
        { key: 'a', number: 1 },
        { key: 'b', number: 2 },
      ]);
      expect(reader.prepare('select count from totals').get()).toEqual({ count: 2 });
    }));

  it('undoes the first statement of a write whose second statement failed, and that write alone', () =>
    withWriter(({ writer, connection, reader }) => {
      connection.exec(`create table checked (key text check (key <> 'bad'))`);
      const checked: TwoStatements = { first: NEXT_NUMBER.first, second: `insert into checked (key) values (@key) returning key, @number as number` };
      const outcomes = writer(checked, [{ key: 'a' }, { key: 'bad' }, { key: 'b' }]);
      expect(outcomes.map((outcome) => outcome.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
      expect(reader.prepare('select key from entries order by number').all()).toEqual([{ key: 'a' }, { key: 'b' }]);
    }));

  it('refuses to begin a batch inside a transaction already open on its connection (its writes would be answered before their COMMIT)', () =>
    withWriter(({ writer, connection, reader }) => {
      connection.exec('begin');
      expect(() => writer(NEXT_NUMBER, [{ key: 'a' }])).toThrow('inside another transaction');
      connection.exec('rollback');
      expect(reader.prepare('select count(*) as n from entries').get()).toEqual({ n: 0 });
    }));

  it('fails the batch when its statements cannot run, and serves the next one', () =>
    withWriter(({ writer, reader }) => {
      const broken = { ...NEXT_NUMBER, second: 'update no_such_table set x = 1 returning x' };
      expect(() => writer(broken, [{ key: 'a' }])).toThrow('no such table: no_such_table');
      expect(reader.prepare('select count(*) as n from entries').get()).toEqual({ n: 0 });
      expect(writer(NEXT_NUMBER, [{ key: 'a' }])).toEqual([{ status: 'fulfilled', value: { count: 1, last: 1, key: 'a' } }]);
    }));

  it('prepares its statements again on the next batch when they could not be prepared on the first', () =>
    withWriter(({ writer, connection }) => {
      const later: TwoStatements = {
        first: `insert into later (key) values (@key) returning rowid as number`,
        second: `select @key as key, @number as number`,
      };
      expect(() => writer(later, [{ key: 'early' }])).toThrow('no such table: later');
      connection.exec('create table later (key text)');
      expect(writer(later, [{ key: 'a' }])).toEqual([{ status: 'fulfilled', value: { key: 'a', number: 1 } }]);
    }));

  it('fails alone a write whose parameters SQLite cannot take, and commits the others of its batch', () =>
    withWriter(({ writer, reader }) => {
      const outcomes = writer(NEXT_NUMBER, [{ key: 'a' }, { key: () => 'not data' }, { key: 'b' }]);
      expect(outcomes.map((outcome) => outcome.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
      expect(reader.prepare('select key from entries order by number').all()).toEqual([{ key: 'a' }, { key: 'b' }]);
    }));
});
