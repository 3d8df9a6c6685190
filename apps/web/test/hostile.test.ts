import { createHmac } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { connectVisitor, type VisitorClient } from '@kefu/client';
import type { Inbox } from '@kefu/protocol';
import type { BrowserContext, Frame, Page } from 'playwright-core';
import { ADMIN, startDesk, type Desk } from './desk.js';

/**
 * Every string a shopper, an agent or an admin typed, made hostile at once, through the widget, the
 * dashboard and the admin console: each must show as the very text typed, and none may run. A payload
 * that ran would set `window.__xss` (in whichever document it ran) or open a dialog.
 */
const hostile = (where: string) => `<img src=x onerror="__xss='${where}'"><script>__xss=1</script>${where} &amp;`;
const HOSTILE = {
  inbox: hostile('inbox name'),
  greeting: hostile('greeting'),
  agent: hostile('agent name'),
  canned: hostile('canned response'),
  shopper: hostile('shopper name'),
  message: `${hostile('message')} [link](javascript:window.__xss='md') javascript:window.__xss='bare'`,
  queued: hostile('queued shopper'),
  page: `https://shop.example/"><img src=x onerror="window.__xss='page'">`,
};
const SECRET = 'identity-secret-for-hostile-tests';

type Pwned = { xss: string[]; dialogs: string[] };

/** Watches a context: dialogs opened, and after each check, whatever set `__xss` in any frame. */
function watch(context: BrowserContext): Pwned {
  const pwned: Pwned = { xss: [], dialogs: [] };
  context.on('dialog', (dialog) => {
    pwned.dialogs.push(dialog.message());
    void dialog.dismiss();
  });
  return pwned;
}

async function ranIn(page: Page): Promise<string[]> {
  const frames: Frame[] = page.frames();
  const values = await Promise.all(frames.map((frame) => frame.evaluate(() => (window as unknown as { __xss?: string }).__xss ?? null).catch(() => null)));
  return values.filter((v): v is string => v !== null);
}

/** Elements a payload would have made, in every frame of the page. */
async function injectedElements(page: Page): Promise<number> {
  const counts = await Promise.all(page.frames().map((frame) => frame.locator('img[src="x"], script:text("__xss")').count().catch(() => 0)));
  return counts.reduce((a, b) => a + b, 0);
}

describe('hostile strings everywhere render as text', () => {
  let desk: Desk;
  let inbox: Inbox;
  let queueInbox: Inbox;
  const agent = { email: 'hostile-agent@kefu.local', password: 'hostile-agent-password' };
  const sockets: VisitorClient[] = [];
  beforeAll(async () => {
    desk = await startDesk();
    inbox = await desk.createInbox({ name: HOSTILE.inbox, greeting: HOSTILE.greeting, identitySecret: SECRET, routing: 'auto' });
    queueInbox = await desk.createInbox({ name: 'Queue', routing: 'manual' });
    await desk.api('POST', '/api/admin/agents', { ...agent, name: HOSTILE.agent, capacity: 5, inboxIds: [inbox.id, queueInbox.id] });
    await desk.api('POST', '/api/admin/canned', { shortcut: 'evil', body: HOSTILE.canned });
  }, 120_000);
  afterAll(async () => {
    for (const socket of sockets) socket.close();
    await desk?.stop();
  }, 60_000);

  const signIn = async (context: BrowserContext, email: string, password: string) => {
    const page = await context.newPage();
    await page.goto(`${desk.webUrl}/login`);
    await page.getByLabel('Email').fill(email);
    await page.getByLabel('Password').fill(password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL('**/agent');
    return page;
  };

  it('in the widget, the dashboard and the admin console', async () => {
    // The agent signs in first, so that the inbox is staffed and the shopper gets the chat, not the away form.
    const agentContext = await desk.browser.newContext({ viewport: { width: 1280, height: 800 }, locale: 'en-US' });
    const agentPwned = watch(agentContext);
    const dashboard = await signIn(agentContext, agent.email, agent.password);
    await dashboard.getByRole('button', { name: 'Online' }).waitFor();

    const shopContext = await desk.browser.newContext({ viewport: { width: 1280, height: 800 }, locale: 'en-US' });
    const shopPwned = watch(shopContext);
    const shop = await shopContext.newPage();
    await shop.goto(desk.shopUrl(inbox.key));
    const hash = createHmac('sha256', SECRET).update('customer-666').digest('hex');
    await shop.evaluate(
      ({ name, h }) => (window as unknown as { kefu: (c: string, a: unknown) => void }).kefu('identify', { externalId: 'customer-666', name, email: 'evil@example.com', hash: h }),
      { name: HOSTILE.shopper, h: hash },
    );
    await shop.getByRole('button', { name: 'Open chat' }).click();
    const chat = shop.frameLocator('iframe');
    await chat.getByText(HOSTILE.greeting, { exact: true }).waitFor();
    await chat.getByText(HOSTILE.inbox, { exact: true }).first().waitFor();
    await chat.getByRole('textbox', { name: 'Message' }).fill(HOSTILE.message);
    await chat.getByRole('textbox', { name: 'Message' }).press('Enter');

    // The dashboard: the shopper's name, message and page, as typed.
    await dashboard.getByRole('button', { name: 'Mine' }).click();
    await dashboard.getByRole('button', { name: /shopper name/ }).first().click();
    await dashboard.getByRole('heading', { name: HOSTILE.shopper }).waitFor();
    const conversation = dashboard.getByRole('region', { name: 'Conversation', exact: true });
    await conversation.getByText(HOSTILE.message, { exact: true }).waitFor();
    const composer = dashboard.getByRole('textbox', { name: 'Message' });
    await composer.fill('/evil');
    await dashboard.getByRole('button', { name: /^\/evil / }).waitFor();
    await composer.press('Tab');
    expect(await composer.inputValue()).toBe(HOSTILE.canned);
    await composer.press('Enter');

    // Back in the widget: the canned answer and the agent's name, as typed.
    await chat.getByText(HOSTILE.canned, { exact: true }).waitFor();
    await chat.getByText(HOSTILE.agent, { exact: true }).first().waitFor();
    // The page URL comes from the shopper: another shopper sends a hostile (but http) one over the SDK.
    const queued = connectVisitor({ url: desk.shopperUrl, inboxKey: queueInbox.key });
    sockets.push(queued);
    await queued.ready();
    await queued.call('visitor:update', { name: HOSTILE.queued, page: { url: HOSTILE.page, referrer: HOSTILE.page } });
    await queued.send({ body: HOSTILE.message });

    // The admin console: queue, inboxes, agents and canned responses, as typed.
    const adminContext = await desk.browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'en-US' });
    const adminPwned = watch(adminContext);
    const admin = await signIn(adminContext, ADMIN.email, ADMIN.password);
    await admin.getByRole('link', { name: 'Admin console' }).click();
    await admin.getByRole('cell', { name: HOSTILE.queued }).waitFor();
    await admin.getByText(HOSTILE.agent, { exact: true }).first().waitFor();
    await admin.getByRole('button', { name: 'Inboxes' }).click();
    const inboxForm = admin.getByRole('form', { name: HOSTILE.inbox });
    expect(await inboxForm.getByLabel('Greeting').inputValue()).toBe(HOSTILE.greeting);
    await admin.getByRole('button', { name: 'Agents' }).click();
    await admin.getByRole('form', { name: HOSTILE.agent }).waitFor();
    await admin.getByRole('button', { name: 'Canned responses' }).click();
    await admin.getByText(HOSTILE.canned, { exact: true }).waitFor();

    // The agent opens the queued shopper too: the hostile page URL is text and no link.
    await dashboard.getByRole('button', { name: 'All' }).click();
    await dashboard.getByRole('button', { name: /queued shopper/ }).first().click();
    await dashboard.getByRole('heading', { name: HOSTILE.queued }).waitFor();
    await dashboard.getByText(HOSTILE.page, { exact: true }).first().waitFor();
    expect(await dashboard.locator(`a[href^="javascript:"]`).count()).toBe(0);

    for (const [where, page, pwned] of [
      ['widget', shop, shopPwned],
      ['dashboard', dashboard, agentPwned],
      ['admin console', admin, adminPwned],
    ] as const) {
      expect({ where, ran: await ranIn(page), dialogs: pwned.dialogs, injected: await injectedElements(page) }).toEqual({ where, ran: [], dialogs: [], injected: 0 });
    }
    await Promise.all([shopContext.close(), agentContext.close(), adminContext.close()]);
  });
});
