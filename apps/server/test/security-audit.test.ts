import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { AuditPageSchema, type AuditEntry } from '@kefu/protocol';
import { ADMIN, startTestServer, type TestServer } from './harness.js';
import { adminToken, expectHttpError, testStore } from './kit.js';

const SECRET_PASSWORDS = ['agent-password-1', 'wrong-password-9', 'new-password-77', ADMIN.password];

describe('security: audit log of logins, password, role and activation changes', () => {
  let server: TestServer;
  let admin: string;
  let adminId: string;
  let agent: { id: string; email: string; token: string };
  const page = async (query = '') => {
    const res = await server.api('GET', `/api/admin/audit${query}`, undefined, admin);
    expect(res.status).toBe(200);
    return AuditPageSchema.parse(res.body);
  };
  const all = async () => (await page('?limit=200')).entries;

  beforeAll(async () => {
    server = await startTestServer({ store: testStore() });
    admin = await adminToken(server);
    adminId = (await server.login()).agent.id;
    agent = await server.createAgent({ inboxIds: [] });
  });
  afterAll(() => server.stop());

  it('records successful and failed logins with the address and the reason, never the password', async () => {
    expectHttpError(await server.api('POST', '/api/auth/login', { email: agent.email, password: 'wrong-password-9' }), 'unauthorized');
    expectHttpError(await server.api('POST', '/api/auth/login', { email: 'ghost@kefu.test', password: 'wrong-password-9' }), 'unauthorized');
    const entries = await all();
    const ofAgent = entries.filter((e) => e.email === agent.email);
    expect(ofAgent.map((e) => [e.action, e.detail])).toEqual([
      ['login_failed', { reason: 'wrong_password' }],
      ['login_succeeded', null], // the harness logged the new agent in
    ]);
    expect(ofAgent[0]).toMatchObject({ subjectId: agent.id, actorId: null, ip: '127.0.0.1' });
    expect(ofAgent[1]).toMatchObject({ subjectId: agent.id, actorId: agent.id });
    expect(entries.find((e) => e.email === 'ghost@kefu.test')).toMatchObject({ action: 'login_failed', subjectId: null, detail: { reason: 'unknown_email' } });
  });

  it('records password, role and activation changes with the admin who made them', async () => {
    const patch = (body: unknown) => server.api('PATCH', `/api/admin/agents/${agent.id}`, body, admin);
    expect((await patch({ password: 'new-password-77' })).status).toBe(200);
    expect((await patch({ role: 'admin' })).status).toBe(200);
    expect((await patch({ role: 'agent', capacity: 4 })).status).toBe(200);
    expect((await patch({ capacity: 5 })).status).toBe(200); // nothing the audit log keeps
    expect((await patch({ active: false })).status).toBe(200);
    expectHttpError(await server.api('POST', '/api/auth/login', { email: agent.email, password: 'new-password-77' }), 'forbidden');
    expect((await patch({ active: true })).status).toBe(200);

    const changes = (await all()).filter((e) => e.subjectId === agent.id && e.action !== 'login_succeeded').reverse();
    expect(changes.map((e: AuditEntry) => [e.action, e.actorId, e.detail])).toEqual([
      ['login_failed', null, { reason: 'wrong_password' }],
      ['password_changed', adminId, null],
      ['role_changed', adminId, { from: 'agent', to: 'admin' }],
      ['role_changed', adminId, { from: 'admin', to: 'agent' }],
      ['agent_deactivated', adminId, null],
      ['login_failed', null, { reason: 'deactivated' }],
      ['agent_reactivated', adminId, null],
    ]);
  });

  it('pages newest first; holds no password, hash or token anywhere', async () => {
    const first = await page('?limit=2');
    expect(first.entries).toHaveLength(2);
    expect(first.nextCursor).toEqual(expect.any(String));
    const second = await page(`?limit=2&before=${first.nextCursor}`);
    const everything = await all();
    expect([...first.entries, ...second.entries]).toEqual(everything.slice(0, 4));
    expectHttpError(await server.api('GET', '/api/admin/audit?before=garbage', undefined, admin), 'bad_request');

    const rows = JSON.stringify(await server.ctx.db.db.selectFrom('audit_log').selectAll().execute());
    for (const secret of [...SECRET_PASSWORDS, admin, agent.token, 'scrypt$']) expect(rows).not.toContain(secret);
  });

  it('is for admins only', async () => {
    expectHttpError(await server.api('GET', '/api/admin/audit', undefined, (await server.login(agent.email, 'new-password-77')).token), 'forbidden');
  });
});
