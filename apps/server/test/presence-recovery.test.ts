import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { findAgent, setAgentPresence } from '@kefu/store';
import { createInbox, nextEvent, onlineAgent, testStore, within } from './kit.js';
import { startTestServer, type TestServer } from './harness.js';

describe('presence recovery', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({ store: testStore(), env: { KEFU_AGENT_OFFLINE_GRACE_MS: '300' } });
  });
  afterAll(() => server.stop());

  it('marks a still-connected agent online again after another node took them offline', async () => {
    const inbox = await createInbox(server, { routing: 'manual' });
    const agent = await onlineAgent(server, [inbox.id], { name: 'Stalled' });
    // What another node's sweep does when this node's heartbeats stalled past the grace period.
    const back = nextEvent(agent.client, 'agent:updated', (profile) => profile.id === agent.id && profile.status === 'online');
    await setAgentPresence(server.ctx.db.db, agent.id, { connected: false });
    await within(back, 'the agent marked online again');
    expect((await findAgent(server.ctx.db.db, agent.id))?.connected).toBe(1);
  });
});
