import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { randomBytes } from 'node:crypto';
import type { StoreConfig } from './database.js';

/** The PostgreSQL every development and CI machine has; KEFU_TEST_DATABASE_URL overrides it. */
export const testPostgresUrl = (): string => process.env.KEFU_TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

export type TestStore = { config: StoreConfig; url: string | null; drop: () => Promise<void> };

/** A fresh, empty database of its own (a temp SQLite file, or a new PostgreSQL database), and its removal. */
export async function createTestStore(kind: 'sqlite' | 'postgres', postgresUrl = testPostgresUrl()): Promise<TestStore> {
  if (kind === 'sqlite') {
    const dir = mkdtempSync(join(tmpdir(), 'kefu-test-'));
    return { config: { kind, file: join(dir, 'kefu.db') }, url: null, drop: async () => rmSync(dir, { recursive: true, force: true }) };
  }
  const name = `kefu_test_${randomBytes(6).toString('hex')}`;
  const admin = postgresUrl;
  await withClient(admin, (c) => c.query(`create database ${name}`));
  const url = new URL(admin);
  url.pathname = `/${name}`;
  return {
    config: { kind, url: url.toString() },
    url: url.toString(),
    drop: () => withClient(admin, (c) => c.query(`drop database if exists ${name} with (force)`)).then(() => undefined),
  };
}

async function withClient<T>(url: string, fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

/**
 * pg_terminate_backend of every connection to the test database at `databaseUrl` (a fault test's
 * own; never another database), as a crashed or restarted connection would look to the pool.
 * Returns how many connections were ended.
 */
export async function terminateConnections(databaseUrl: string): Promise<number> {
  const database = new URL(databaseUrl).pathname.slice(1);
  if (!database.startsWith('kefu_test_')) throw new Error(`refusing to terminate connections to ${database}: not a test database`);
  const result = await withClient(testPostgresUrl(), (c) =>
    c.query('select pg_terminate_backend(pid) from pg_stat_activity where datname = $1 and pid <> pg_backend_pid()', [database]),
  );
  return result.rowCount ?? 0;
}
