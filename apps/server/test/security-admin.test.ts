import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { AgentClient } from '@kefu/client';
import { AgentProfileSchema, AgentSessionSchema } from '@kefu/protocol';
import { ADMIN, startTestServer, type TestServer } from './harness.js';
import { expectHttpError, testStore, within } from './kit.js';

/** Resolves with the connect_error message that follows the server dropping this socket. */
const refusedAfterKick = (client: AgentClient) =>
  within(
    new Promise<string>((resolve) => {
      client.socket.once('disconnect', () => client.socket.once('connect_error', (error: Error) => resolve(error.message)));
    }),
    'kick and refused reconnect',
  );

describe('security: admin changes to agents', () => {
  let server: TestServer;
  let adminToken: string;
  let adminId: string;
  beforeAll(async () => {
    server = await startTestServer({ store: testStore() });
    ({ token: adminToken, agent: { id: adminId } } = await server.login());
  });
  afterAll(() => server.stop());

  const patch = (id: string, body: unknown, token = adminToken) => server.api<{ agent: unknown }>('PATCH', `/api/admin/agents/${id}`, body, token);

  it('a new password ends every session of that agent: tokens are refused and live sockets dropped', async () => {
    const agent = await server.createAgent({ inboxIds: [] });
    const second = (await server.login(agent.email, agent.password)).token;
    const live = server.agent(second);
    AgentSessionSchema.parse(await within(live.ready(), 'agent session'));
    const refused = refusedAfterKick(live);

    const res = await patch(agent.id, { password: 'brand-new-password-1' });
    expect(res.status).toBe(200);
    AgentProfileSchema.parse(res.body.agent);

    // The socket was dropped, and its token no longer opens a session.
    expect(await refused).toBe('unauthorized');
    for (const token of [agent.token, second]) expectHttpError(await server.api('POST', '/api/auth/logout', undefined, token), 'unauthorized');
    // The new password works and gives a working session.
    const fresh = await server.login(agent.email, 'brand-new-password-1');
    expect((await server.api('POST', '/api/auth/logout', undefined, fresh.token)).status).toBe(204);
  });

  it('other changes keep the sessions of the agent', async () => {
    const agent = await server.createAgent({ inboxIds: [] });
    expect((await patch(agent.id, { name: 'Renamed', capacity: 5 })).status).toBe(200);
    expect((await server.api('POST', '/api/auth/logout', undefined, agent.token)).status).toBe(204);
  });

  it('refuses (409 conflict) to demote or deactivate the last active admin', async () => {
    expectHttpError(await patch(adminId, { role: 'agent' }), 'conflict');
    expectHttpError(await patch(adminId, { active: false }), 'conflict');
    expectHttpError(await patch(adminId, { role: 'agent', name: 'Not applied' }), 'conflict');
    // Nothing of a refused change was applied, and the admin is still one.
    const listed = await server.api<{ agents: { id: string; role: string; active: boolean; name: string }[] }>('GET', '/api/admin/agents', undefined, adminToken);
    expect(listed.body.agents.find((a) => a.id === adminId)).toMatchObject({ role: 'admin', active: true });
    expect(listed.body.agents.find((a) => a.id === adminId)?.name).not.toBe('Not applied');
    // Changes that keep it an active admin pass.
    expect((await patch(adminId, { role: 'admin', active: true, capacity: 4 })).status).toBe(200);

    // An inactive admin is no stand-in.
    const dormant = await server.createAgent({ role: 'admin', inboxIds: [] });
    expect((await patch(dormant.id, { active: false })).status).toBe(200);
    expectHttpError(await patch(adminId, { role: 'agent' }), 'conflict');

    // With another active admin, the first may step down; then the other is the last one.
    const other = await server.createAgent({ role: 'admin', inboxIds: [] });
    expect((await patch(adminId, { role: 'agent' })).status).toBe(200);
    expectHttpError(await patch(other.id, { active: false }, other.token), 'conflict');
    expectHttpError(await patch(other.id, { role: 'agent' }, other.token), 'conflict');
    // Demoting or deactivating someone who is not an active admin is not refused.
    expect((await patch(dormant.id, { role: 'agent' }, other.token)).status).toBe(200);
    // Restore the seeded admin for the harness helpers.
    expect((await patch(adminId, { role: 'admin' }, other.token)).status).toBe(200);
    expect((await server.login(ADMIN.email, ADMIN.password)).agent.id).toBe(adminId);
  });

  it('two admins demoting each other at once: one passes, one is refused, one admin is left', async () => {
    const first = await server.createAgent({ role: 'admin', inboxIds: [] });
    const second = await server.createAgent({ role: 'admin', inboxIds: [] });
    // Only these two are active admins now.
    const others = await server.api<{ agents: { id: string; role: string; active: boolean }[] }>('GET', '/api/admin/agents', undefined, first.token);
    for (const agent of others.body.agents.filter((a) => a.role === 'admin' && a.active && a.id !== first.id && a.id !== second.id)) {
      expect((await patch(agent.id, { role: 'agent' }, first.token)).status).toBe(200);
    }
    const activeAdmins = async () =>
      (await server.ctx.db.db.selectFrom('agents').select('id').where('role', '=', 'admin').where('active', '=', 1).execute()).map((a) => a.id);
    for (let round = 0; round < 5; round++) {
      expect((await activeAdmins()).sort()).toEqual([first.id, second.id].sort());
      const change = round % 2 === 0 ? { role: 'agent' } : { active: false };
      const results = await Promise.all([patch(second.id, change, first.token), patch(first.id, change, second.token)]);
      const statuses = results.map((r) => r.status).sort();
      expect(statuses[0]).toBe(200);
      // The loser is refused by the guard (409), or already as a caller: demoted (403) or deactivated, its session ended (401).
      expect([401, 403, 409]).toContain(statuses[1]);
      const left = await activeAdmins();
      expect(left).toHaveLength(1);
      // The one left restores the other for the next round.
      const survivor = left[0] === first.id ? first : second;
      const demoted = survivor === first ? second : first;
      expect((await patch(demoted.id, { role: 'admin', active: true }, survivor.token)).status).toBe(200);
      if (round % 2 === 1) Object.assign(demoted, { token: (await server.login(demoted.email, demoted.password)).token });
    }
  });
});
