import { describe, expect, it } from '@jest/globals';
import { loadConfig } from './env.js';

describe('loadConfig', () => {
  it('defaults to the embedded store on port 3001', () => {
    const config = loadConfig({});
    expect(config.port).toBe(3001);
    expect(config.store.kind).toBe('sqlite');
    expect(config.redis).toBeNull();
    expect(config.offlineGraceMs).toBe(60_000);
  });

  it('treats empty variables as unset', () => {
    expect(loadConfig({ KEFU_SECRET: '', PORT: '' }).secret).toBeNull();
  });

  it('selects PostgreSQL and Redis for a cluster', () => {
    const config = loadConfig({ KEFU_DATABASE_URL: 'postgres://u@h/db', KEFU_REDIS_URL: 'redis://h:6379' });
    expect(config.store).toEqual({ kind: 'postgres', url: 'postgres://u@h/db' });
    expect(config.redis?.url).toBe('redis://h:6379');
  });

  it.each([
    [{ KEFU_REDIS_URL: 'redis://h:6379' }, /cannot share an embedded SQLite/],
    [{ PORT: 'eighty' }, /PORT/],
    [{ KEFU_DATABASE_URL: 'mysql://x' }, /postgres:\/\//],
    [{ KEFU_SECRET: 'short' }, /KEFU_SECRET/],
    [{ KEFU_ADMIN_EMAIL: 'not-an-email' }, /KEFU_ADMIN_EMAIL/],
  ])('refuses %j with a readable message', (env, message) => {
    expect(() => loadConfig(env)).toThrow(message);
  });
});
