import { randomBytes } from 'node:crypto';
import type { Database, Executor } from '../database.js';
import { insertAgent } from '../repos/agents.js';
import { insertInbox, setMemberships } from '../repos/inboxes.js';
import { setSettingIfAbsent } from '../repos/settings.js';

export type BootstrapOptions = {
  adminEmail: string;
  /** When absent, a password is generated and returned once so the caller can print it. */
  adminPassword?: string | undefined;
  hashPassword: (password: string) => Promise<string>;
};

export type BootstrapResult = {
  /** The token signing secret, shared by every node through the store. */
  secret: string;
  createdAdmin: { email: string; generatedPassword: string | null } | null;
  /** An admin password was given but the store already had agents, so it changed nothing. */
  adminPasswordIgnored: boolean;
};

/**
 * Migrations (serialized by Kysely's own migration lock), the shared secret, and on an empty store
 * the first admin and the "Demo Shop" inbox, under the bootstrap lock: several nodes may start at
 * once against one empty store and exactly one admin and one inbox come out.
 */
const hasAgents = async (db: Executor): Promise<boolean> => Boolean(await db.selectFrom('agents').select('id').limit(1).executeTakeFirst());

export async function bootstrapStore(db: Database, options: BootstrapOptions): Promise<BootstrapResult> {
  await db.migrate();
  // Hashing is deliberately slow: only an empty store needs it, so later starts skip it. The check
  // is repeated under the lock, where several nodes starting at once agree on one admin.
  const emptyStore = !(await hasAgents(db.db));
  // Hex: the password goes on command lines (`npm run demo -- --password …`), where a base64url one
  // that began with '-' was taken for an option.
  const generated = emptyStore && !options.adminPassword ? randomBytes(12).toString('hex') : null;
  const password = options.adminPassword ?? generated;
  const passwordHash = emptyStore && password ? await options.hashPassword(password) : null;
  return db.transaction(async (tx) => {
    const secret = await setSettingIfAbsent(tx, 'secret', randomBytes(32).toString('base64url'));
    if (!passwordHash || (await hasAgents(tx))) return { secret, createdAdmin: null, adminPasswordIgnored: Boolean(options.adminPassword) };
    const admin = await insertAgent(tx, {
      email: options.adminEmail,
      name: 'Admin',
      passwordHash,
      role: 'admin',
      capacity: 5,
    });
    const inbox = await insertInbox(tx, { name: 'Demo Shop', key: 'demo', routing: 'auto' });
    await setMemberships(tx, admin.id, [inbox.id]);
    return { secret, createdAdmin: { email: admin.email, generatedPassword: generated }, adminPasswordIgnored: false };
  }, 'bootstrap');
}
