import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { connectVisitor, type VisitorClient } from '@kefu/client';
import type { Inbox, Message } from '@kefu/protocol';
import type { Page } from 'playwright-core';
import { ADMIN, artifactsDir, onePixelPng, startDesk, type Desk } from './desk.js';

/**
 * The dashboard's tools in a real Chromium, two server nodes over Redis and PostgreSQL: search
 * (English and Chinese, names as text), transfer to a colleague who sees it in Mine, the composer's
 * emoji and attachments reaching the shopper, and the recorded assignment reasons for admins.
 */
describe('dashboard tools: search, transfer, emoji and attachments, assignment reasons', () => {
  let desk: Desk;
  let inbox: Inbox;
  let shopper: VisitorClient;
  let ana: Page;
  let bo: Page;
  let admin: Page;
  const HOSTILE_NAME = 'Zoë <img src=x onerror=alert(1)>';
  const password = 'agent-password-1';

  beforeAll(async () => {
    desk = await startDesk({ nodes: 2 });
    inbox = await desk.createInbox({ name: 'Tea', routing: 'manual' });
    for (const name of ['Ana', 'Bo']) {
      await desk.api('POST', '/api/admin/agents', { email: `${name.toLowerCase()}@tea.test`, name, password, capacity: 4, inboxIds: [inbox.id] });
    }
  }, 120_000);
  afterAll(async () => {
    shopper?.close();
    await desk?.stop();
  }, 60_000);

  const signIn = async (email: string, secret: string) => {
    const tab = await (await desk.browser.newContext({ viewport: { width: 1400, height: 850 } })).newPage();
    await tab.goto(`${desk.webUrl}/login`);
    await tab.getByLabel('Email').fill(email);
    await tab.getByLabel('Password').fill(secret);
    await tab.getByRole('button', { name: 'Sign in' }).click();
    await tab.waitForURL('**/agent');
    await tab.getByRole('button', { name: 'Online' }).waitFor();
    return tab;
  };
  const search = async (tab: Page, query: string) => {
    await tab.getByRole('searchbox', { name: 'Search conversations' }).fill(query);
    await tab.getByRole('searchbox', { name: 'Search conversations' }).press('Enter');
    return tab.getByRole('list', { name: 'Search results' });
  };

  it('finds a conversation by Chinese message text and by the shopper name, shown as text', async () => {
    shopper = connectVisitor({ url: desk.shopperUrl, inboxKey: inbox.key });
    await shopper.ready();
    await shopper.call('visitor:update', { name: HOSTILE_NAME, email: 'zoe@tea.test' });
    await shopper.send({ body: '你好，我想退款。Order <b>7788</b>' });
    ana = await signIn('ana@tea.test', password);
    bo = await signIn('bo@tea.test', password);

    const byText = await search(ana, '退款');
    await byText.getByText('你好，我想退款。Order <b>7788</b>').waitFor();
    const byName = await search(ana, 'zoë <img');
    await byName.getByRole('button', { name: /Zoë <img src=x onerror=alert\(1\)>/ }).first().waitFor();
    expect(await ana.evaluate(() => document.querySelectorAll('img[src="x"]').length)).toBe(0);
    await (await search(ana, 'nothing-like-this')).getByText('No matches.').waitFor();

    await (await search(ana, '7788')).getByRole('button').first().click();
    await ana.getByRole('heading', { name: HOSTILE_NAME }).waitFor();
  });

  it('transfers to a colleague (status and load shown), whose Mine view then shows it', async () => {
    await ana.getByRole('button', { name: 'Claim' }).click();
    const picker = ana.getByLabel('Transfer to');
    await picker.focus();
    await picker.locator('option', { hasText: 'Bo — Online, 0/4' }).waitFor({ state: 'attached' });
    await picker.selectOption({ label: 'Bo — Online, 0/4' });
    await ana.getByRole('button', { name: 'Transfer', exact: true }).click();
    // Bo's Mine view (the default) shows it live, from node 1's event over Redis.
    await bo.getByRole('button', { name: /Order <b>7788<\/b>/ }).waitFor();
    await bo.screenshot({ path: join(artifactsDir, 'dashboard-transfer.png') });
  });

  it('sends emoji and an image from the composer; the shopper receives both, the image shows inline', async () => {
    await bo.getByRole('button', { name: /Order <b>7788<\/b>/ }).click();
    const received = new Promise<Message>((resolve) => {
      const off = shopper.onMessage((message) => {
        if (message.author.type === 'agent') {
          off();
          resolve(message);
        }
      });
    });
    await bo.getByRole('textbox', { name: 'Message' }).fill('Refund done ');
    await bo.getByRole('button', { name: 'Emoji' }).click();
    await bo.getByRole('group', { name: 'Emoji' }).getByRole('button', { name: '👍' }).click();
    await bo.locator('input[type=file]').setInputFiles({ name: 'receipt.png', mimeType: 'image/png', buffer: onePixelPng });
    await bo.getByRole('list', { name: 'Attachments' }).getByText('receipt.png', { exact: true }).waitFor();
    await bo.getByRole('button', { name: 'Send' }).click();
    const message = await received;
    expect(message.body).toBe('Refund done 👍');
    expect(message.attachments).toMatchObject([{ name: 'receipt.png', mime: 'image/png' }]);
    const image = bo.getByRole('img', { name: 'receipt.png' });
    await image.waitFor();
    expect(await image.getAttribute('src')).toBe(`${desk.serverUrl}${message.attachments[0]!.url}`);
  });

  it('shows admins why each assignment happened', async () => {
    admin = await signIn(ADMIN.email, ADMIN.password);
    await admin.getByRole('button', { name: 'All' }).click();
    await admin.getByRole('button', { name: /Refund done/ }).click();
    const history = admin.getByRole('region', { name: 'Assignment history' });
    await history.getByText(/Ana/).first().waitFor();
    await history.getByText(/Bo/).first().waitFor();
    await admin.screenshot({ path: join(artifactsDir, 'dashboard-assignments.png') });
    // Agents do not get the admin's explanation panel.
    expect(await bo.getByRole('region', { name: 'Assignment history' }).count()).toBe(0);
  });

  it('sets business hours in the admin console; outside them the widget offers the away form although agents are online', async () => {
    await admin.getByRole('link', { name: 'Admin console' }).click();
    await admin.getByRole('button', { name: 'Inboxes' }).click();
    const form = admin.getByRole('form', { name: 'Tea' });
    await form.getByLabel('Open only at these times').check();
    await form.getByLabel('Time zone').fill('Asia/Shanghai');
    await form.getByLabel('Monday').fill('nine to five');
    await form.getByRole('button', { name: 'Save' }).click();
    await admin.getByRole('alert').getByText('Monday: "nine to five" is not like 09:00-18:00').waitFor();
    // Every day empty: closed all week, whatever the time the test runs.
    await form.getByLabel('Monday').fill('');
    const saved = admin.waitForResponse((r) => r.url().endsWith(`/api/admin/inboxes/${inbox.id}`) && r.request().method() === 'PATCH');
    await form.getByRole('button', { name: 'Save' }).click();
    expect((await saved).status()).toBe(200);
    const stored = (await desk.api<{ inboxes: Inbox[] }>('GET', '/api/admin/inboxes')).inboxes.find((i) => i.id === inbox.id);
    expect(stored?.businessHours).toEqual({ timeZone: 'Asia/Shanghai', periods: [] });

    const widgetOf = async () => {
      const tab = await (await desk.browser.newContext({ locale: 'en-US' })).newPage();
      await tab.goto(desk.shopUrl(inbox.key));
      await tab.getByRole('button', { name: 'Open chat' }).click();
      return tab.frameLocator('iframe');
    };
    await (await widgetOf()).getByText("We're away right now").waitFor();

    // Open around the clock: the same widget is a live chat again.
    const allWeek = ([0, 1, 2, 3, 4, 5, 6] as const).map((day) => ({ day, open: '00:00', close: '24:00' }));
    await desk.api('PATCH', `/api/admin/inboxes/${inbox.id}`, { businessHours: { timeZone: 'Asia/Shanghai', periods: allWeek } });
    const open = await widgetOf();
    await open.getByRole('textbox', { name: 'Message' }).waitFor();
    expect(await open.getByText("We're away right now").count()).toBe(0);
  });
});
