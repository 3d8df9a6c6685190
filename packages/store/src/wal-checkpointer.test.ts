import { afterEach, describe, expect, it } from '@jest/globals';
import { mkdtempSync, readdirSync, readlinkSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import SQLite from 'better-sqlite3';
import { sql } from 'kysely';
import { openDatabase } from './database.js';
import { CATCH_UP_ROUNDS, FALLBACK_AUTOCHECKPOINT_PAGES, startWalCheckpointer, type CheckpointResult } from './wal-checkpointer.js';

describe('WAL checkpoints off the event loop (SQLite)', () => {
  const dirs: string[] = [];
  const fileInNewDir = () => {
    const dir = mkdtempSync(join(tmpdir(), 'kefu-wal-'));
    dirs.push(dir);
    return join(dir, 'kefu.db');
  };
  afterEach(() => dirs.splice(0).forEach((dir) => rmSync(dir, { recursive: true, force: true })));

  /**
   * A writer with no automatic checkpoint of its own (only a restart can start its log over), a
   * checkpointer that restarts at 200 frames, and `write`: about 20 pages a transaction, as a busy
   * group commit writes them.
   */
  const steadyWrites = () => {
    const file = fileInNewDir();
    const writer = new SQLite(file);
    writer.pragma('journal_mode = WAL');
    writer.pragma('wal_autocheckpoint = 0');
    writer.exec('create table notes (body text)');
    const checkpointer = startWalCheckpointer(file, { restartFrames: 200, intervalMs: 10 });
    const insert = writer.prepare('insert into notes (body) values (?)');
    const write = writer.transaction(() => Array.from({ length: 20 }, (_, i) => insert.run(`${i}`.padEnd(4_000, '.'))));
    return { writer, checkpointer, write };
  };

  it('copies what the writer committed into the database file, while the writer checkpoints nothing itself', async () => {
    const file = fileInNewDir();
    const writer = new SQLite(file);
    writer.pragma('journal_mode = WAL');
    writer.pragma(`wal_autocheckpoint = ${FALLBACK_AUTOCHECKPOINT_PAGES}`);
    writer.exec('create table notes (body text)');
    const checkpointer = startWalCheckpointer(file);
    try {
      const before = statSync(file).size;
      const insert = writer.prepare('insert into notes (body) values (?)');
      // About 2 MB: 500 pages, far below the writer's own automatic checkpoint.
      writer.transaction(() => Array.from({ length: 500 }, (_, i) => insert.run(`${i}`.padEnd(4_000, '.'))))();
      let result = await checkpointer.next();
      while (result.checkpointed < result.log) result = await checkpointer.next();
      expect(result.log).toBeGreaterThanOrEqual(500);
      expect(statSync(file).size - before).toBeGreaterThan(2_000_000);
    } finally {
      await checkpointer.stop();
      writer.close();
      checkpointer.closeFile();
    }
  });

  it('starts the log over under a steady stream of writes when the writer waits for `restart` between its transactions', async () => {
    const { writer, checkpointer, write } = steadyWrites();
    try {
      // Ten transactions (over 200 frames since the log last started over, if it did at the first of
      // them), then the worker's next result, until one finds the log due for a restart. Writing on
      // without waiting, the writer could outrun the worker's catch-up for hundreds of transactions on
      // a machine with a fast writer and a slow disk (it posts its result once it has caught up).
      for (let rounds = 0; !checkpointer.restartDue(); rounds++) {
        expect(rounds).toBeLessThan(100);
        for (let i = 0; i < 10; i++) write();
        await checkpointer.next();
      }
      // Ten more at once first (over 200 frames), which no checkpoint has copied yet: only the
      // restart copies them, and without it the log would still hold them after the next write.
      for (let i = 0; i < 10; i++) write();
      await checkpointer.restart();
      write();
      // The log started over: it holds only the transaction written since (asked of the writer's own
      // connection: a result of the worker's may have been taken before that transaction).
      const [{ log }] = writer.pragma('wal_checkpoint(PASSIVE)') as [{ log: number }];
      expect(log).toBeLessThan(200);
    } finally {
      await checkpointer.stop();
      writer.close();
      checkpointer.closeFile();
    }
  });

  it('settles `restart` at once when its worker is gone, and no longer asks for one', async () => {
    const file = fileInNewDir();
    const writer = new SQLite(file);
    writer.pragma('journal_mode = WAL');
    const checkpointer = startWalCheckpointer(file, { restartFrames: 0 });
    await checkpointer.stop();
    expect(checkpointer.restartDue()).toBe(false);
    await checkpointer.restart();
    writer.close();
    checkpointer.closeFile();
  });

  it('leaves the process running when its worker fails, and settles `restart` then', async () => {
    const file = fileInNewDir();
    writeFileSync(file, 'not a database');
    const unhandled: unknown[] = [];
    const record = (reason: unknown) => void unhandled.push(reason);
    process.on('unhandledRejection', record);
    const checkpointer = startWalCheckpointer(file, { intervalMs: 3_600_000 });
    try {
      // Its checkpoint fails on a file that is not a database, and the worker ends.
      await checkpointer.restart();
      expect(checkpointer.restartDue()).toBe(false);
      await checkpointer.stop();
      await new Promise((resolve) => setTimeout(resolve, 50));
      expect(unhandled).toEqual([]);
    } finally {
      process.off('unhandledRejection', record);
      checkpointer.closeFile();
    }
  });

  it('catches up before a restart is due: copies again, while the writer goes on, until a round copies little', async () => {
    const { writer, checkpointer, write } = steadyWrites();
    try {
      let due: CheckpointResult | undefined;
      // The writer goes on (never waiting for a restart) until a checkpoint finds the log long enough
      // (a bounded number of checkpoints, should the log keep starting over by itself).
      for (let checks = 0; !due; checks++) {
        expect(checks).toBeLessThan(1_000);
        const result = checkpointer.next();
        while (!(await Promise.race([result.then(() => true), nextTurn().then(() => false)]))) write();
        const { rounds, log } = await result;
        if (log >= 200) due = await result;
        else expect(rounds).toBe(1);
      }
      expect(due.rounds).toBeGreaterThan(1);
      expect(due.rounds).toBeLessThanOrEqual(CATCH_UP_ROUNDS);
      expect(checkpointer.restartDue()).toBe(true);
    } finally {
      await checkpointer.stop();
      writer.close();
      checkpointer.closeFile();
    }
  });

  it("leaves no descriptor of the store's file open once the store is closed", async () => {
    const file = fileInNewDir();
    const descriptorsOfFile = () => readdirSync('/proc/self/fd').filter((fd) => {
      try {
        return readlinkSync(`/proc/self/fd/${fd}`) === file;
      } catch {
        return false; // closed since it was listed
      }
    });
    const db = openDatabase({ kind: 'sqlite', file });
    await db.migrate();
    expect(descriptorsOfFile().length).toBeGreaterThan(0);
    await db.close();
    expect(descriptorsOfFile()).toEqual([]);
  });

  it('is what a SQLite store uses: its own automatic checkpoint is only the fallback', async () => {
    const db = openDatabase({ kind: 'sqlite', file: fileInNewDir() });
    const { rows } = await sql<{ wal_autocheckpoint: number }>`pragma wal_autocheckpoint`.execute(db.db);
    expect(rows[0]!.wal_autocheckpoint).toBe(FALLBACK_AUTOCHECKPOINT_PAGES);
    await db.close();
  });
});
