import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { InboxSchema } from '@kefu/protocol';
import { startTestServer, type TestServer } from './harness.js';
import { adminToken, createInbox, expectHttpError, onlineAgent, patchInbox, testStore, visitorOf } from './kit.js';

const everyDay = (open: string, close: string) => ([0, 1, 2, 3, 4, 5, 6] as const).map((day) => ({ day, open, close }));
const allWeek = { timeZone: 'Asia/Shanghai', periods: everyDay('00:00', '24:00') };
/** No period at all: closed whatever the time (the rule itself is table-tested in @kefu/core). */
const neverOpen = { timeZone: 'Europe/Berlin', periods: [] };

describe('business hours per inbox (admin API and what shoppers see)', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({ store: testStore() });
  });
  afterAll(() => server.stop());

  it('stores weekly hours with a time zone, refuses invalid ones, and null removes them', async () => {
    const inbox = await createInbox(server);
    expect(inbox.businessHours).toBeNull();
    const hours = { timeZone: 'Asia/Shanghai', periods: [{ day: 1, open: '09:00', close: '18:00' }, { day: 6, open: '10:00', close: '24:00' }] };
    expect((await patchInbox(server, inbox.id, { businessHours: hours } as never)).businessHours).toEqual(hours);
    const listed = await server.api<{ inboxes: unknown[] }>('GET', '/api/admin/inboxes', undefined, await adminToken(server));
    expect(listed.body.inboxes.map((i) => InboxSchema.parse(i)).find((i) => i.id === inbox.id)?.businessHours).toEqual(hours);

    const token = await adminToken(server);
    for (const bad of [
      { timeZone: 'Mars/Olympus', periods: [] },
      { timeZone: 'UTC', periods: [{ day: 1, open: '18:00', close: '09:00' }] },
      { timeZone: 'UTC', periods: [{ day: 7, open: '09:00', close: '10:00' }] },
      { timeZone: 'UTC', periods: [{ day: 1, open: '9:00', close: '10:00' }] },
      { timeZone: 'UTC', periods: [{ day: 1, open: '09:00', close: '24:30' }] },
    ]) {
      expectHttpError(await server.api('PATCH', `/api/admin/inboxes/${inbox.id}`, { businessHours: bad }, token), 'bad_request');
    }
    expect((await patchInbox(server, inbox.id, { businessHours: null })).businessHours).toBeNull();
  });

  it('outside business hours the inbox is offline for shoppers (the away form), even with an agent online', async () => {
    const inbox = await createInbox(server);
    await onlineAgent(server, [inbox.id], { name: 'Hana' });
    const open = visitorOf(server, inbox.key);
    expect((await open.client.ready()).inbox.online).toBe(true);

    // Connected shoppers learn it at once when the hours change.
    let from = open.log.mark();
    await patchInbox(server, inbox.id, { businessHours: neverOpen });
    expect(await open.log.wait('inbox:presence', undefined, { from })).toEqual({ online: false });
    const later = visitorOf(server, inbox.key);
    expect((await later.client.ready()).inbox.online).toBe(false);

    from = open.log.mark();
    await patchInbox(server, inbox.id, { businessHours: allWeek });
    expect(await open.log.wait('inbox:presence', undefined, { from })).toEqual({ online: true });
    const during = visitorOf(server, inbox.key);
    expect((await during.client.ready()).inbox.online).toBe(true);
  });
});
