import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { connectVisitor, type VisitorClient } from '@kefu/client';
import type { Message } from '@kefu/protocol';
import type { BrowserContext, Page } from 'playwright-core';
import { ADMIN, artifactsDir, onePixelPng, startDesk, type Desk } from './desk.js';

/** An agent in a real Chromium on the dashboard (server node 1); shoppers on the SDK (node 2); Redis and PostgreSQL between. */
const HOSTILE_PAGE = 'https://shop.example/cart?q=<script>alert(1)</script>';

describe('agent dashboard in a browser', () => {
  let desk: Desk;
  let context: BrowserContext;
  let page: Page;
  const shoppers: VisitorClient[] = [];
  beforeAll(async () => {
    desk = await startDesk({ nodes: 2 });
  }, 120_000);
  afterAll(async () => {
    for (const shopper of shoppers) shopper.close();
    await desk?.stop();
  }, 60_000);

  const shopper = async (name: string) => {
    const client = connectVisitor({ url: desk.shopperUrl, inboxKey: 'demo' });
    shoppers.push(client);
    await client.ready();
    // The server refuses script URLs as pages (issue 8); a hostile but http(s) one still gets through.
    await expect(client.call('visitor:update', { page: { url: 'javascript:alert(1)' } })).rejects.toMatchObject({ code: 'bad_request' });
    await client.call('visitor:update', { name, page: { url: HOSTILE_PAGE, referrer: 'https://search.example/?q=tea' } });
    return client;
  };
  const shopperReceives = (client: VisitorClient, body: string) =>
    new Promise<Message>((resolve) => {
      const off = client.onMessage((message) => {
        if (message.body === body) {
          off();
          resolve(message);
        }
      });
    });

  const signIn = async (tab: Page, as: { email: string; password: string } = ADMIN) => {
    await tab.goto(`${desk.webUrl}/login`);
    await tab.getByLabel('Email').fill(as.email);
    await tab.getByLabel('Password').fill(as.password);
    await tab.getByRole('button', { name: 'Sign in' }).click();
    await tab.waitForURL('**/agent');
  };
  /** A new manual inbox, and a named shopper who has written and waits in its queue. */
  const waitingInNewInbox = async (inboxName: string, shopperName: string, body: string) => {
    const inbox = await desk.createInbox({ name: inboxName, routing: 'manual' });
    const client = connectVisitor({ url: desk.shopperUrl, inboxKey: inbox.key });
    shoppers.push(client);
    await client.ready();
    await client.call('visitor:update', { name: shopperName });
    await client.send({ body });
    return { inbox, client };
  };
  const agentSession = async () => {
    const { client } = await desk.agent();
    return client.ready();
  };

  it('signs in, stays signed in across a reload, and shows presence with load and capacity', async () => {
    context = await desk.browser.newContext({ viewport: { width: 1280, height: 800 } });
    page = await context.newPage();
    await page.goto(`${desk.webUrl}/agent`);
    await page.waitForURL('**/login');
    await page.getByLabel('Email').fill(ADMIN.email);
    await page.getByLabel('Password').fill('wrong password');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('alert').getByText('Wrong email or password.').waitFor();
    await page.getByLabel('Password').fill(ADMIN.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL('**/agent');
    await page.getByRole('button', { name: 'Online' }).waitFor();
    await page.reload();
    await page.getByText('0 / 5 open').waitFor();
  });

  it('shows a new conversation live, opens it, replies from the composer; private notes never reach the shopper', async () => {
    const mei = await shopper('Mei <img src=x onerror=alert(1)>');
    await mei.send({ body: 'Where is my <b>parcel</b>?' });
    await page.getByRole('button', { name: 'All' }).click();
    const row = page.getByRole('button', { name: /Where is my <b>parcel<\/b>\?/ });
    await row.waitFor();
    await row.click();
    await page.getByRole('heading', { name: 'Mei <img src=x onerror=alert(1)>' }).waitFor();
    // Her first conversation: the open one is not listed among her past ones.
    const panel = page.getByRole('complementary', { name: 'Shopper' });
    await panel.getByText('None', { exact: true }).waitFor();
    expect(await panel.getByText(/^#\d+ · /).count()).toBe(0);
    // Shopper-supplied page URLs are text; only http(s) becomes a link.
    await page.getByText(HOSTILE_PAGE).waitFor();
    expect(await page.getByRole('link', { name: 'https://search.example/?q=tea' }).getAttribute('href')).toBe('https://search.example/?q=tea');

    const notes: Message[] = [];
    mei.onMessage((message) => message.kind === 'note' && notes.push(message));
    await page.getByRole('button', { name: 'Private note' }).click();
    await page.getByRole('textbox', { name: 'Message' }).fill('VIP, offer a sample');
    await page.getByRole('textbox', { name: 'Message' }).press('Enter');
    await page.getByRole('region', { name: 'Conversation', exact: true }).getByText('VIP, offer a sample').waitFor();

    const reply = shopperReceives(mei, 'It left the warehouse today.');
    await page.getByRole('button', { name: 'Reply' }).click();
    await page.getByRole('textbox', { name: 'Message' }).fill('It left the warehouse today.');
    await page.getByRole('textbox', { name: 'Message' }).press('Enter');
    const received = await reply;
    expect(received.author.type).toBe('agent');
    // Routing gave the conversation to the one agent online: it is in Mine.
    await page.getByRole('button', { name: 'Mine' }).click();
    await page.getByRole('button', { name: /It left the warehouse today\./ }).waitFor();
    const history = await mei.call('conversation:history', { conversationId: received.conversationId, limit: 50 });
    expect(history.messages.some((m) => m.body.includes('VIP'))).toBe(false);
    expect(notes).toHaveLength(0);
    expect(await page.evaluate(() => document.querySelectorAll('img[src="x"]').length)).toBe(0);
    await page.screenshot({ path: join(artifactsDir, 'dashboard-conversation.png') });
  });

  it("shows the shopper's images and that the shopper has read the reply", async () => {
    const mei = shoppers[0]!;
    const conversationId = mei.conversation!.id;
    const form = new FormData();
    form.append('file', new Blob([onePixelPng], { type: 'image/png' }), 'parcel.png');
    const uploaded = await fetch(`${desk.shopperUrl}/api/uploads`, { method: 'POST', headers: { Authorization: `Bearer ${mei.visitorToken}` }, body: form });
    const { attachment } = (await uploaded.json()) as { attachment: { id: string; url: string } };
    await mei.send({ body: 'This is the box', attachmentIds: [attachment.id] });
    const image = page.getByRole('img', { name: 'parcel.png' });
    await image.waitFor();
    expect(await image.getAttribute('src')).toBe(`${desk.serverUrl}${attachment.url}`);

    const reply = await mei.call('conversation:history', { conversationId, limit: 50 });
    const lastReply = reply.messages.filter((m) => m.author.type === 'agent' && m.kind === 'text').at(-1)!;
    await mei.call('read:set', { conversationId, seq: lastReply.seq });
    await page.getByText('· Seen').waitFor();
  });

  it('sees the shopper typing with the live draft, and resolves with Alt+R', async () => {
    const inbox = (await desk.api<{ inboxes: { id: string; key: string }[] }>('GET', '/api/admin/inboxes')).inboxes.find((i) => i.key === 'demo')!;
    await desk.api('PATCH', `/api/admin/inboxes/${inbox.id}`, { livePreview: true });
    const mei = shoppers[0]!;
    const conversationId = mei.conversation!.id;
    await mei.call('typing:set', { conversationId, typing: true, draft: 'Can I also ord' });
    await page.getByText('is typing: Can I also ord').waitFor();
    await page.keyboard.press('Alt+r');
    await page.getByRole('button', { name: 'Resolved' }).click();
    await page.getByRole('button', { name: /This is the box/ }).waitFor();
  });

  it('gives back a reply the server refuses, with the reason, instead of losing it', async () => {
    const inbox = await desk.createInbox({ name: 'Short answers', routing: 'manual', maxMessageLength: 20 });
    const client = connectVisitor({ url: desk.shopperUrl, inboxKey: inbox.key });
    shoppers.push(client);
    await client.ready();
    await client.call('visitor:update', { name: 'Ines' });
    await client.send({ body: 'Quick question' });
    await page.getByRole('button', { name: 'All' }).click();
    await page.getByRole('button', { name: /Quick question/ }).click();
    await page.getByRole('heading', { name: 'Ines' }).waitFor();
    const field = page.getByRole('textbox', { name: 'Message' });
    const tooLong = 'This answer is longer than twenty characters.';
    await field.fill(tooLong);
    await field.press('Enter');
    await page.getByRole('alert').getByText(/^Not sent: .*Your message is back in the box\.$/).waitFor();
    expect(await field.inputValue()).toBe(tooLong);
    await page.screenshot({ path: join(artifactsDir, 'dashboard-send-refused.png') });
    // Shortened, it goes, and the notice goes with it.
    const reply = shopperReceives(client, 'Yes, tomorrow.');
    await field.fill('Yes, tomorrow.');
    await field.press('Enter');
    await reply;
    expect(await field.inputValue()).toBe('');
    expect(await page.getByText(/^Not sent:/).count()).toBe(0);
  });

  it("keeps each conversation's draft to itself: it never follows the agent to another shopper", async () => {
    await waitingInNewInbox('Drafts', 'Oskar', 'Hi there');
    const field = page.getByRole('textbox', { name: 'Message' });
    await page.getByRole('button', { name: 'All' }).click();
    await page.getByRole('button', { name: /^Ines/ }).click();
    await page.getByRole('heading', { name: 'Ines' }).waitFor();
    await field.fill('A draft for Ines only');
    await page.getByRole('button', { name: /^Oskar/ }).click();
    await page.getByRole('heading', { name: 'Oskar' }).waitFor();
    expect(await field.inputValue()).toBe('');
    await page.getByRole('button', { name: /^Ines/ }).click();
    await page.getByRole('heading', { name: 'Ines' }).waitFor();
    expect(await field.inputValue()).toBe('A draft for Ines only');
    await field.fill('');
  });

  it('shows every message the shopper sends while the agent opens the conversation', async () => {
    const { client } = await waitingInNewInbox('Busy shop', 'Noor', 'Are you there?');
    await page.getByRole('button', { name: 'All' }).click();
    const row = page.getByRole('button', { name: /^Noor/ });
    await row.waitFor();
    // Noor writes on, one message after another's ack, while the click opens her conversation: some
    // land between the snapshot the open returns and the moment it is on screen.
    const bodies = Array.from({ length: 40 }, (_, i) => `line ${i + 1} of 40`);
    const writing = (async () => {
      for (const body of bodies) await client.send({ body });
    })();
    await row.click();
    await writing;
    const conversation = page.getByRole('region', { name: 'Conversation', exact: true });
    await conversation.getByText('line 40 of 40', { exact: true }).waitFor();
    for (const body of bodies) expect(await conversation.getByText(body, { exact: true }).count()).toBe(1);
  });

  it('offers canned responses by /shortcut', async () => {
    await desk.api('POST', '/api/admin/canned', { shortcut: 'ship', body: 'We ship within 24 hours.' });
    await page.reload();
    const li = await shopper('Li');
    await li.send({ body: 'How fast do you ship?' });
    await page.getByRole('button', { name: 'All' }).click();
    await page.getByRole('button', { name: /How fast do you ship\?/ }).click();
    const field = page.getByRole('textbox', { name: 'Message' });
    await field.fill('/sh');
    await page.getByRole('button', { name: /\/ship We ship within 24 hours\./ }).waitFor();
    await field.press('Tab');
    expect(await field.inputValue()).toBe('We ship within 24 hours.');
    const reply = shopperReceives(li, 'We ship within 24 hours.');
    await field.press('Enter');
    await reply;
    await context.close();
  });

  it('keeps a long list light: only the rows on screen are in the page, and the next page loads on scroll', async () => {
    const inbox = await desk.createInbox({ name: 'Busy desk', routing: 'manual' });
    const session = await agentSession();
    await desk.api('PATCH', `/api/admin/agents/${session.agent.id}`, { inboxIds: [...session.inboxes.map((i) => i.id), inbox.id] });
    const count = 130;
    for (let i = 0; i < count; i += 10) {
      await Promise.all(
        Array.from({ length: Math.min(10, count - i) }, async (_, j) => {
          const client = connectVisitor({ url: desk.shopperUrl, inboxKey: inbox.key });
          await client.ready();
          await client.send({ body: `Question number ${i + j}` });
          client.close();
        }),
      );
    }
    const busy = await desk.browser.newContext({ viewport: { width: 1280, height: 800 } });
    const tab = await busy.newPage();
    await signIn(tab);
    await tab.getByLabel('Inbox').selectOption({ label: 'Busy desk' });
    await tab.getByRole('button', { name: 'Unassigned' }).click();
    const list = tab.getByRole('region', { name: 'Conversation list' });
    // Shoppers were created ten at a time: the newest is one of the last ten, the oldest one of the first.
    await list.getByText(/^Question number 12\d$/).first().waitFor();
    const rows = list.getByRole('button');
    expect(await rows.count()).toBeLessThan(40);
    // Scrolling to the end brings the last page (50 a page) and its oldest conversation.
    for (let shown = 50; shown < count; shown += 50) {
      const height = await list.evaluate((el) => el.scrollHeight);
      await list.evaluate((el) => el.scrollTo(0, el.scrollHeight));
      await list.evaluate((el, before) => new Promise<void>((resolve) => {
        const check = () => (el.scrollHeight > before ? resolve() : requestAnimationFrame(check));
        check();
      }), height);
    }
    await list.evaluate((el) => el.scrollTo(0, el.scrollHeight));
    await list.getByText(/^Question number \d$/).first().waitFor();
    expect(await rows.count()).toBeLessThan(40);

    // A conversation the agent neither holds nor has open updates through conversation:activity.
    const bystander = connectVisitor({ url: desk.shopperUrl, inboxKey: inbox.key });
    shoppers.push(bystander);
    await bystander.ready();
    await bystander.send({ body: 'A new question' });
    await list.evaluate((el) => el.scrollTo(0, 0));
    await list.getByText('A new question', { exact: true }).waitFor();
    await bystander.send({ body: 'And a follow-up' });
    await list.getByText('And a follow-up', { exact: true }).waitFor();
    await busy.close();
  });

  it('shows admins the live queue by shopper name, and saves inbox, agent and canned settings', async () => {
    const admin = await desk.browser.newContext({ viewport: { width: 1280, height: 900 } });
    const tab = await admin.newPage();
    await tab.goto(`${desk.webUrl}/login`);
    await tab.getByLabel('Email').fill(ADMIN.email);
    await tab.getByLabel('Password').fill(ADMIN.password);
    await tab.getByRole('button', { name: 'Sign in' }).click();
    await tab.getByRole('link', { name: 'Admin console' }).click();
    await tab.getByRole('heading', { name: /Queued/ }).waitFor();

    // A manual inbox keeps its shoppers queued; the view updates live as they arrive.
    const { inbox } = await waitingInNewInbox('Manual desk', 'Queued <i>Qiu</i>', 'Anyone?');
    await tab.getByRole('cell', { name: 'Queued <i>Qiu</i>' }).waitFor();
    await tab.screenshot({ path: join(artifactsDir, 'admin-queue.png') });

    await tab.getByRole('button', { name: 'Inboxes' }).click();
    const form = tab.getByRole('form', { name: 'Manual desk' });
    await form.getByLabel('Greeting').fill('Welcome to the manual desk');
    await form.getByLabel('Widget language').selectOption('zh-CN');
    const saved = tab.waitForResponse((r) => r.url().endsWith(`/api/admin/inboxes/${inbox.id}`) && r.request().method() === 'PATCH');
    await form.getByRole('button', { name: 'Save' }).click();
    expect((await saved).status()).toBe(200);
    const inboxes = await desk.api<{ inboxes: { id: string; greeting: string; language: string | null }[] }>('GET', '/api/admin/inboxes');
    expect(inboxes.inboxes.find((i) => i.id === inbox.id)).toMatchObject({ greeting: 'Welcome to the manual desk', language: 'zh-CN' });
    expect(await form.locator('code').textContent()).toBe(`<script src="${desk.webUrl}/widget.js" data-inbox="${inbox.key}" data-color="#2563eb" async></script>`);

    await tab.getByRole('button', { name: 'Agents' }).click();
    const newAgent = tab.getByRole('form', { name: 'New agent' });
    await newAgent.getByLabel('Name').fill('Ana');
    await newAgent.getByLabel('Email').fill('ana@kefu.local');
    await newAgent.getByLabel('Password').fill('ana-password-1');
    await newAgent.getByLabel('Manual desk').check();
    await newAgent.getByRole('button', { name: 'Create agent' }).click();
    await tab.getByRole('form', { name: 'Ana' }).waitFor();

    await tab.getByRole('button', { name: 'Canned responses' }).click();
    await tab.getByLabel('Shortcut').fill('hello');
    await tab.getByLabel('Text').fill('Hello! <b>How</b> can I help?');
    await tab.getByRole('button', { name: 'Add canned response' }).click();
    await tab.getByText('Hello! <b>How</b> can I help?').waitFor();
    await admin.close();
  });
  it('speaks Chinese to a zh-CN browser, and the language switch is kept across a reload', async () => {
    const zh = await desk.browser.newContext({ viewport: { width: 1280, height: 800 }, locale: 'zh-CN', timezoneId: 'Asia/Shanghai' });
    const tab = await zh.newPage();
    await tab.goto(`${desk.webUrl}/login`);
    await tab.getByRole('button', { name: '登录' }).waitFor();
    await tab.getByLabel('邮箱').fill(ADMIN.email);
    await tab.getByLabel('密码').fill('wrong password');
    await tab.getByRole('button', { name: '登录' }).click();
    await tab.getByRole('alert').getByText('邮箱或密码错误。').waitFor();
    await tab.getByLabel('密码').fill(ADMIN.password);
    await tab.getByRole('button', { name: '登录' }).click();
    await tab.waitForURL('**/agent');
    await tab.getByRole('button', { name: '我的' }).waitFor();
    await tab.getByRole('button', { name: '退出登录' }).waitFor();
    expect(await tab.evaluate(() => document.documentElement.lang)).toBe('zh-CN');
    await tab.getByLabel('时区').getByRole('option', { name: '本浏览器（Asia/Shanghai）' }).waitFor({ state: 'attached' });
    await tab.screenshot({ path: join(artifactsDir, 'dashboard-zh-CN.png') });

    await tab.getByLabel('语言').selectOption('en');
    await tab.getByRole('button', { name: 'Mine' }).waitFor();
    await tab.reload();
    await tab.getByRole('button', { name: 'Sign out' }).waitFor();
    expect(await tab.evaluate(() => document.documentElement.lang)).toBe('en');
    await zh.close();
  });
  it('shows a resolved, rated conversation in the reports: figures, charts and the same figures as tables', async () => {
    const inbox = await desk.createInbox({ name: 'Reports desk', routing: 'manual', csatEnabled: true });
    // The admin answers in this inbox too (assignment takes a member).
    const { client: agent, profile } = await desk.agent();
    await desk.joinInbox(profile.id, inbox.id);
    const rater = connectVisitor({ url: desk.serverUrl, inboxKey: inbox.key });
    shoppers.push(rater);
    await rater.ready();
    const { conversation } = await rater.send({ body: 'Is the oolong in stock?' });
    const conversationId = conversation.id;
    await agent.call('conversation:assign', { conversationId, agentId: profile.id });
    await agent.call('message:send', { conversationId, clientMsgId: 'report-1', body: 'Yes, plenty.' });
    await agent.call('conversation:set-status', { conversationId, status: 'resolved' });
    await rater.call('csat:submit', { conversationId, rating: 5 });

    const admin = await desk.browser.newContext({ viewport: { width: 1280, height: 1000 }, timezoneId: 'Asia/Shanghai' });
    const tab = await admin.newPage();
    await signIn(tab);
    await tab.goto(`${desk.webUrl}/admin#reports`);
    await tab.getByText('days and hours in Asia/Shanghai').waitFor();
    await tab.getByLabel('Inbox').selectOption({ label: 'Reports desk' });
    const summary = tab.getByRole('definition').filter({ hasText: '5.0 / 5 (1 rating)' });
    await summary.getByText('100% rated 4 or 5').waitFor();
    const row = tab.getByRole('table', { name: 'By inbox' }).getByRole('row', { name: /Reports desk/ });
    await row.getByRole('cell', { name: '5.0 / 5 (1 rating)' }).waitFor();
    expect(await row.getByRole('cell').allTextContents()).toEqual(['1', '1', expect.stringMatching(/ s$/), expect.stringMatching(/ s$/), expect.stringMatching(/ s$/), '5.0 / 5 (1 rating)']);
    await tab.getByRole('table', { name: 'By agent' }).getByRole('row', { name: new RegExp(profile.name) }).waitFor();

    // The per-day chart drew a bar (its blue) and its table, in the agent's zone, has today with 1.
    const today = new Intl.DateTimeFormat('en', { month: 'short', day: 'numeric', timeZone: 'Asia/Shanghai' }).format(new Date());
    const dayTable = tab.getByRole('table', { name: 'Conversations per day' });
    expect(await dayTable.getByRole('row', { name: new RegExp(`^${today} `) }).getByRole('cell').allTextContents()).toEqual(['1', '1']);
    const chart = tab.getByRole('img', { name: /Conversations per day/ });
    const bluePixels = await chart.evaluate((canvas: HTMLCanvasElement) => {
      const data = canvas.getContext('2d')!.getImageData(0, 0, canvas.width, canvas.height).data;
      let count = 0;
      for (let i = 0; i < data.length; i += 4) if (data[i] === 37 && data[i + 1] === 99 && data[i + 2] === 235) count++;
      return count;
    });
    expect(bluePixels).toBeGreaterThan(50);
    await tab.getByRole('button', { name: 'Show as a table' }).first().click();
    await dayTable.waitFor();
    await tab.screenshot({ path: join(artifactsDir, 'admin-reports.png'), fullPage: true });
    await admin.close();
  });
  it('shows an agent the inbox an admin gives them while they are signed in: in the filter, with its conversations', async () => {
    const { inbox } = await waitingInNewInbox('Late desk', 'Early Shopper', 'anyone at the late desk?');
    const credentials = { email: `late-${Date.now()}@kefu.test`, password: 'late-desk-password-1' };
    const { agent } = await desk.api<{ agent: { id: string } }>('POST', '/api/admin/agents', { ...credentials, name: 'Late Agent', capacity: 3, inboxIds: [] });
    const late = await desk.browser.newContext({ viewport: { width: 1280, height: 800 } });
    const tab = await late.newPage();
    await signIn(tab, credentials);
    // The sidebar's inbox filter: the select whose first choice is every inbox.
    const filter = tab.locator('select', { has: tab.locator('option', { hasText: 'All inboxes' }) });
    await filter.waitFor();
    await tab.getByRole('button', { name: 'Unassigned', exact: true }).click();
    expect(await filter.locator('option').allTextContents()).toEqual(['All inboxes']);

    await desk.joinInbox(agent.id, inbox.id);
    // No reload: the session comes again on the same socket, with the inbox and what waits in it.
    await filter.locator('option', { hasText: 'Late desk' }).waitFor({ state: 'attached' });
    await tab.getByText('Early Shopper').first().waitFor();
    await late.close();
  });

  it('chimes once for each shopper message: once in a conversation it follows (message and list row), never for the one on screen', async () => {
    const inbox = await desk.createInbox({ name: 'Chime desk', routing: 'manual' });
    const { client: agent, profile } = await desk.agent();
    await desk.joinInbox(profile.id, inbox.id);
    const chimes = await desk.browser.newContext({ viewport: { width: 1280, height: 800 } });
    // Notifications on, and each chime (one AudioContext each) counted.
    await chimes.addInitScript(() => {
      localStorage.setItem('kefu:notify', 'on');
      const counted = window as unknown as { chimes: number };
      counted.chimes = 0;
      const Base = window.AudioContext;
      window.AudioContext = class extends Base {
        constructor(options?: AudioContextOptions) {
          super(options);
          counted.chimes++;
        }
      };
    });
    const tab = await chimes.newPage();
    await signIn(tab);
    await tab.getByRole('button', { name: 'All' }).click();
    const chimed = (count: number) => tab.waitForFunction((n) => (window as unknown as { chimes: number }).chimes === n, count);
    const countNow = () => tab.evaluate(() => (window as unknown as { chimes: number }).chimes);

    const shopperIn = connectVisitor({ url: desk.shopperUrl, inboxKey: inbox.key });
    shoppers.push(shopperIn);
    await shopperIn.ready();
    const { conversation } = await shopperIn.send({ body: 'Do you ship to Lyon?' });
    await chimed(1); // conversation:created
    await agent.call('conversation:assign', { conversationId: conversation.id, agentId: profile.id });

    // The assignee follows it: the message comes as message:created and again in the list row.
    await shopperIn.send({ conversationId: conversation.id, body: 'And to Nantes?' });
    await tab.getByRole('button', { name: /And to Nantes\?/ }).waitFor();
    expect(await countNow()).toBe(2);

    // On screen (open, the tab visible): no chime, though the thread and the row both show it.
    // The thread (the log) shows it once the conversation is open; the row showed it already.
    await tab.getByRole('button', { name: /And to Nantes\?/ }).click();
    await tab.getByRole('log').getByText('And to Nantes?').waitFor();
    await shopperIn.send({ conversationId: conversation.id, body: 'Or Lille?' });
    await tab.getByRole('button', { name: /Or Lille\?/ }).waitFor();
    expect(await countNow()).toBe(2);
    await chimes.close();
  });
});
