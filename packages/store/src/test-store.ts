import { afterAll, beforeAll } from '@jest/globals';
import { openDatabase, type Database } from './database.js';
import { createTestStore, type TestStore } from './testing.js';

/** A migrated database of its own for the tests of a describe block: opened before them, dropped after. */
export function migratedStore(kind: 'sqlite' | 'postgres'): { readonly db: Database } {
  let test: TestStore | undefined;
  let db: Database | undefined;
  beforeAll(async () => {
    test = await createTestStore(kind);
    db = openDatabase(test.config);
    await db.migrate();
  });
  afterAll(async () => {
    await db?.close();
    await test?.drop();
  });
  return {
    get db() {
      if (!db) throw new Error('the store opens in beforeAll');
      return db;
    },
  };
}
