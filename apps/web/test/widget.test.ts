import { execFileSync, spawn } from 'node:child_process';
import { createHmac } from 'node:crypto';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { AgentClient } from '@kefu/client';
import type { Message } from '@kefu/protocol';
import type { BrowserContext, FrameLocator, Page } from 'playwright-core';
import { ADMIN, artifactsDir, onePixelPng, repoRoot, startDesk, type Desk } from './desk.js';

/** A shopper in a real Chromium on a customer's shop page, an agent on the SDK, a real server. */
describe('shopper widget in a browser', () => {
  let desk: Desk;
  let agent: AgentClient;
  let agentName: string;
  beforeAll(async () => {
    desk = await startDesk();
    const { client, profile } = await desk.agent();
    agent = client;
    agentName = profile.name;
  }, 120_000);
  afterAll(() => desk?.stop(), 60_000);

  const shopper = async (inboxKey = 'demo', viewport = { width: 1280, height: 800 }) => {
    const context = await desk.browser.newContext({ viewport, locale: 'en-US' });
    const page = await context.newPage();
    await page.goto(desk.shopUrl(inboxKey));
    return { context, page, chat: page.frameLocator('iframe') };
  };
  const openChat = async (page: Page, chat: FrameLocator) => {
    await page.getByRole('button', { name: 'Open chat' }).click();
    await chat.getByRole('textbox', { name: 'Message' }).waitFor();
  };
  const send = async (chat: FrameLocator, text: string) => {
    await chat.getByRole('textbox', { name: 'Message' }).fill(text);
    await chat.getByRole('textbox', { name: 'Message' }).press('Enter');
  };
  /** The next visitor message the agent receives with this body. */
  const agentReceives = (body: string) =>
    new Promise<Message>((resolve) => {
      const off = agent.on('message:created', (message) => {
        if (message.body === body) {
          off();
          resolve(message);
        }
      });
    });
  const bubbles = (chat: FrameLocator) => chat.locator('[role="log"] .bubble .body');

  let conversationId = '';
  let context: BrowserContext;
  let page: Page;
  let chat: FrameLocator;

  it('costs the shop page one small script until the shopper opens the chat', async () => {
    const requests: string[] = [];
    const fresh = await desk.browser.newContext();
    const idle = await fresh.newPage();
    idle.on('request', (request) => requests.push(request.url()));
    await idle.goto(desk.shopUrl('demo'), { waitUntil: 'networkidle' });
    await idle.getByRole('button', { name: 'Open chat' }).waitFor();
    const toDesk = requests.filter((url) => url.startsWith(desk.webUrl) || url.startsWith(desk.serverUrl));
    expect(toDesk).toEqual([`${desk.webUrl}/widget.js`]);

    // The host page's CSS (button { all: unset }, iframe borders) cannot reach the launcher or the chat.
    const launcher = idle.getByRole('button', { name: 'Open chat' });
    expect(await launcher.evaluate((el) => getComputedStyle(el).borderRadius)).toBe('50%');
    await launcher.click();
    await idle.frameLocator('iframe').getByRole('textbox', { name: 'Message' }).waitFor();
    expect(await idle.locator('iframe').evaluate((el) => getComputedStyle(el).borderTopWidth)).toBe('0px');
    expect(requests.some((url) => url.startsWith(`${desk.webUrl}/widget/frame`))).toBe(true);
    await fresh.close();
  });

  it('fits the weight budget: widget.js ≤ 3 KB and the whole frame ≤ 80 KB gzipped', () => {
    const report = JSON.parse(execFileSync(process.execPath, [join(repoRoot, 'packages/widget/scripts/size.mjs'), '--json']).toString()) as {
      loaderGzip: number;
      frameGzip: number;
      budget: { loaderGzip: number; frameGzip: number };
    };
    expect(report.loaderGzip).toBeLessThanOrEqual(3 * 1024);
    expect(report.frameGzip).toBeLessThanOrEqual(80 * 1024);
  });

  it('a shopper opens the chat and sends; the agent replies; the reply appears with the agent’s name', async () => {
    ({ context, page, chat } = await shopper());
    await openChat(page, chat);
    await expect(chat.getByRole('heading', { name: 'Demo Shop' }).textContent()).resolves.toBe('Demo Shop');
    const received = agentReceives('Hello, is the Longjing in stock?');
    await send(chat, 'Hello, is the Longjing in stock?');
    const message = await received;
    conversationId = message.conversationId;
    expect(message.author.type).toBe('visitor');

    await agent.send({ conversationId, body: 'Yes, 12 boxes left.' });
    await chat.getByText('Yes, 12 boxes left.').waitFor();
    await chat.getByText(`You are chatting with ${agentName}`).first().waitFor();
    expect(await bubbles(chat).allTextContents()).toEqual(['Hello, is the Longjing in stock?', 'Yes, 12 boxes left.']);
    // The agent's page-view data came from the loader through visitor:update.
    const opened = await agent.call('conversation:open', { conversationId });
    expect(opened.visitor).toMatchObject({ page: { url: desk.shopUrl('demo') } });
    await page.screenshot({ path: join(artifactsDir, 'widget-desktop.png') });
  });

  it('renders an agent message full of HTML and javascript: links as inert text', async () => {
    const hostile = '<img src=x onerror="window.pwned=1"><b>bold</b> <a href="javascript:alert(1)">click</a> javascript:alert(2) https://shop.example/ok';
    await agent.send({ conversationId, body: hostile });
    const bubble = chat.locator('.bubble .body', { hasText: 'bold' });
    await bubble.waitFor();
    expect(await bubble.textContent()).toBe(hostile);
    expect(await bubble.locator('img, b').count()).toBe(0);
    const links = bubble.locator('a');
    expect(await links.count()).toBe(1);
    expect(await links.getAttribute('href')).toBe('https://shop.example/ok');
    expect(await links.getAttribute('rel')).toBe('noopener noreferrer');
    expect(await chat.locator('body').evaluate(() => (window as { pwned?: number }).pwned)).toBeUndefined();
  });

  it('shows the agent typing and a read receipt, and counts unread on the launcher while closed', async () => {
    await agent.call('typing:set', { conversationId, typing: true });
    await chat.getByText(`${agentName} is typing…`).waitFor();
    await agent.call('typing:set', { conversationId, typing: false });
    await chat.getByText(`${agentName} is typing…`).waitFor({ state: 'detached' });

    const receivedThanks = agentReceives('One more question');
    await send(chat, 'One more question');
    const mine = await receivedThanks;
    await agent.call('read:set', { conversationId, seq: mine.seq });
    await chat.getByText('Seen').waitFor();

    await page.getByRole('button', { name: 'Close chat' }).first().click();
    await agent.send({ conversationId, body: 'Unread one' });
    await agent.send({ conversationId, body: 'Unread two' });
    await page.waitForFunction(() => document.title.startsWith('(2) '));
    expect(await page.locator('.badge').textContent()).toBe('2');
    await page.getByRole('button', { name: 'Open chat' }).click();
    await page.waitForFunction(() => !document.title.startsWith('('));
  });

  it('keeps the history across a reload', async () => {
    const before = await bubbles(chat).allTextContents();
    await page.reload();
    // A conversation is in progress: the frame loads with the page, before any click.
    await page.frameLocator('iframe').locator('.bubble').first().waitFor({ state: 'attached' });
    await openChat(page, chat);
    await chat.getByText('Unread two').waitFor();
    expect(await bubbles(chat).allTextContents()).toEqual(before);
  });

  it('loses and doubles nothing when the server restarts mid-conversation', async () => {
    await desk.stopServer();
    await chat.getByText('Reconnecting…').waitFor();
    await send(chat, 'Sent while the server was down');
    await chat.getByText('Not sent yet. It will be sent when the connection is back.').waitFor();
    await desk.startServer();
    await chat.getByText('Reconnecting…').waitFor({ state: 'detached', timeout: 20_000 });
    await chat.locator('.pending').waitFor({ state: 'detached', timeout: 20_000 });
    // The agent's SDK reconnects and syncs too; it replies after the restart.
    await agent.ready();
    await agent.send({ conversationId, body: 'Back after the restart' });
    await chat.getByText('Back after the restart').waitFor();
    const texts = await bubbles(chat).allTextContents();
    expect(texts.filter((t) => t === 'Sent while the server was down')).toHaveLength(1);
    expect(new Set(texts).size).toBe(texts.length);
    const history = await agent.call('conversation:history', { conversationId, limit: 200 });
    expect(history.messages.filter((m) => m.body === 'Sent while the server was down')).toHaveLength(1);
  });

  it('asks for a rating once the conversation is resolved', async () => {
    await agent.call('conversation:set-status', { conversationId, status: 'resolved' });
    await chat.getByText('This conversation has been closed.').waitFor();
    await chat.getByRole('radio', { name: '4 stars' }).check();
    await chat.getByRole('button', { name: 'Send rating' }).click();
    await chat.getByText('Thank you for your feedback!').waitFor();
    await context.close();
  });

  it('keeps what the shopper is writing when the shop goes away meanwhile', async () => {
    const inbox = await desk.createInbox({ name: 'Closing time' });
    const session = await agent.ready();
    await desk.joinInbox(session.agent.id, inbox.id);
    const shop = await shopper(inbox.key);
    await openChat(shop.page, shop.chat);
    await shop.chat.getByText('Online').waitFor();
    const field = shop.chat.getByRole('textbox', { name: 'Message' });
    await field.fill('Do you have the green');
    // Closed from now on: nobody answers, and the widget hears it at once (inbox:presence).
    await desk.api('PATCH', `/api/admin/inboxes/${inbox.id}`, { businessHours: { timeZone: 'UTC', periods: [] } });
    await shop.chat.getByText('Away').waitFor();
    expect(await field.inputValue()).toBe('Do you have the green');
    expect(await shop.chat.getByText("We're away right now").count()).toBe(0);
    await shop.context.close();
  });

  it('offers the away form when nobody is online, and the message waits in the queue', async () => {
    const inbox = await desk.createInbox({ name: 'Night Shop', greeting: 'Hello from the night shop' });
    const away = await shopper(inbox.key);
    await openChat(away.page, away.chat).catch(() => undefined);
    await away.chat.getByText("We're away right now").waitFor();
    await away.chat.getByRole('textbox', { name: 'Name' }).fill('Mei <script>');
    await away.chat.getByRole('textbox', { name: 'Email' }).fill('mei@example.com');
    await away.chat.locator('form.away textarea').fill('Please call me back about order 42');
    await away.chat.getByRole('button', { name: 'Send message' }).click();
    await away.chat.getByText('Thanks! We got your message and will reply as soon as we are back.').waitFor();
    await away.chat.getByText("You're number 1 in the queue.").waitFor();
    await away.chat.getByText('We will be with you as soon as someone is available.').waitFor();
    const queued = await agent.call('conversation:list', { view: 'all', inboxId: inbox.id });
    expect(queued.conversations).toHaveLength(1);
    expect(queued.conversations[0]).toMatchObject({ status: 'queued', visitor: { name: 'Mei <script>', email: 'mei@example.com' } });
    await away.context.close();
  });

  it('shares one conversation between two tabs of the shop', async () => {
    const tabs = await desk.browser.newContext({ viewport: { width: 1280, height: 800 } });
    const first = await tabs.newPage();
    await first.goto(desk.shopUrl('demo'));
    const firstChat = first.frameLocator('iframe');
    await openChat(first, firstChat);
    const received = agentReceives('Asked in the first tab');
    await send(firstChat, 'Asked in the first tab');
    const { conversationId: shared } = await received;

    const second = await tabs.newPage();
    await second.goto(desk.shopUrl('demo'));
    const secondChat = second.frameLocator('iframe');
    await openChat(second, secondChat);
    await secondChat.getByText('Asked in the first tab').waitFor();
    await agent.send({ conversationId: shared, body: 'Answered in both' });
    await firstChat.getByText('Answered in both').waitFor();
    await secondChat.getByText('Answered in both').waitFor();
    await send(secondChat, 'And from the second tab');
    await firstChat.getByText('And from the second tab').waitFor();
    expect(await bubbles(firstChat).allTextContents()).toEqual(await bubbles(secondChat).allTextContents());
    await tabs.close();
  });

  it("keeps a closed tab's unsent message for the shop's other tab to send", async () => {
    const tabs = await desk.browser.newContext({ viewport: { width: 1280, height: 800 } });
    const [first, second] = [await tabs.newPage(), await tabs.newPage()];
    const [firstChat, secondChat] = [first.frameLocator('iframe'), second.frameLocator('iframe')];
    await first.goto(desk.shopUrl('demo'));
    await openChat(first, firstChat);
    const received = agentReceives('Two tabs, one shopper');
    await send(firstChat, 'Two tabs, one shopper');
    const { conversationId: shared } = await received;
    await second.goto(desk.shopUrl('demo'));
    await openChat(second, secondChat);
    await secondChat.getByText('Two tabs, one shopper').waitFor();

    await desk.stopServer();
    await firstChat.getByText('Reconnecting…').waitFor();
    await secondChat.getByText('Reconnecting…').waitFor();
    const outbox = () => second.evaluate(() => localStorage.getItem('kefu:demo:outbox') ?? '');
    await send(firstChat, 'Unsent from the first tab');
    await second.waitForFunction(() => (localStorage.getItem('kefu:demo:outbox') ?? '').includes('Unsent from the first tab'));
    await send(secondChat, 'Unsent from the second tab');
    await second.waitForFunction(() => (localStorage.getItem('kefu:demo:outbox') ?? '').includes('Unsent from the second tab'));
    // Each tab wrote its own message into the shared outbox without dropping the other's.
    expect(await outbox()).toContain('Unsent from the first tab');
    await first.close();

    await desk.startServer();
    await secondChat.getByText('Unsent from the first tab').waitFor({ timeout: 20_000 });
    // Both acked: the outbox is gone.
    await second.waitForFunction(() => localStorage.getItem('kefu:demo:outbox') === null, undefined, { timeout: 20_000 });
    await agent.ready();
    const history = await agent.call('conversation:history', { conversationId: shared, limit: 50 });
    for (const body of ['Unsent from the first tab', 'Unsent from the second tab']) expect(history.messages.filter((m) => m.body === body)).toHaveLength(1);
    // Resolved, so that the agents' loads (and routing in the tests after this one) are as before it.
    await agent.call('conversation:set-status', { conversationId: shared, status: 'resolved' });
    await tabs.close();
  });

  it('identifies a customer with kefu("identify") and speaks Chinese to a Chinese browser', async () => {
    const secret = 'identity-secret-for-e2e-tests';
    const inbox = await desk.createInbox({ name: '茶叶店', identitySecret: secret });
    // The agent joins the new inbox, so that it is online (else the shopper gets the away form).
    const session = await agent.ready();
    await desk.joinInbox(session.agent.id, inbox.id);
    const hash = createHmac('sha256', secret).update('customer-42').digest('hex');
    const zh = await desk.browser.newContext({ locale: 'zh-CN' });
    const tab = await zh.newPage();
    await tab.goto(desk.shopUrl(inbox.key));
    await tab.evaluate((h) => (window as unknown as { kefu: (c: string, a: unknown) => void }).kefu('identify', { externalId: 'customer-42', name: '王小明', email: 'wang@example.com', hash: h }), hash);
    await tab.getByRole('button', { name: '打开聊天' }).click();
    const zhChat = tab.frameLocator('iframe');
    const received = agentReceives('你好，我的订单到哪了？');
    await zhChat.getByRole('textbox', { name: '消息' }).fill('你好，我的订单到哪了？');
    await zhChat.getByRole('button', { name: '发送' }).click();
    const message = await received;
    expect(message.author).toMatchObject({ type: 'visitor', name: '王小明' });
    const opened = await agent.call('conversation:open', { conversationId: message.conversationId });
    expect(opened.visitor).toMatchObject({ name: '王小明', email: 'wang@example.com', externalId: 'customer-42' });
    await zh.close();
  });

  it('composes with emoji, an image and a PDF, within the inbox limit, under live typing preview', async () => {
    const inbox = await desk.createInbox({ name: 'Limits', maxMessageLength: 20, livePreview: true, widgetColor: '#aa3300' });
    const session = await agent.ready();
    await desk.joinInbox(session.agent.id, inbox.id);
    const shop = await shopper(inbox.key);
    await openChat(shop.page, shop.chat);
    await shop.chat.getByText('Our team can see what you type before you send it.').waitFor();
    // The inbox's colour, with text that reads on it.
    expect(await shop.chat.locator('header').evaluate((el) => [getComputedStyle(el).backgroundColor, getComputedStyle(el).color])).toEqual(['rgb(170, 51, 0)', 'rgb(255, 255, 255)']);
    const field = shop.chat.getByRole('textbox', { name: 'Message' });

    await field.fill('x'.repeat(25));
    await shop.chat.getByText('Your message is 5 characters too long.').waitFor();
    expect(await shop.chat.getByRole('button', { name: 'Send' }).isDisabled()).toBe(true);
    await field.fill('Photo and invoice');
    await shop.chat.getByText('17 / 20').waitFor();
    await shop.chat.getByRole('button', { name: 'Emoji' }).click();
    await shop.chat.getByRole('button', { name: '👍' }).click();
    expect(await field.inputValue()).toBe('Photo and invoice👍');

    await shop.chat.locator('input[type=file]').setInputFiles([
      { name: 'parcel.png', mimeType: 'image/png', buffer: onePixelPng },
      { name: 'invoice.pdf', mimeType: 'application/pdf', buffer: Buffer.from('%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n') },
    ]);
    await shop.chat.getByText('parcel.png', { exact: true }).waitFor();
    await shop.chat.getByText('invoice.pdf', { exact: true }).waitFor();
    const received = agentReceives('Photo and invoice👍');
    await shop.chat.getByRole('button', { name: 'Send' }).click();
    const message = await received;
    expect(message.attachments.map((a) => [a.name, a.mime])).toEqual([
      ['parcel.png', 'image/png'],
      ['invoice.pdf', 'application/pdf'],
    ]);
    const image = shop.chat.getByRole('img', { name: 'Image: parcel.png' });
    await image.waitFor();
    expect(await image.getAttribute('src')).toBe(`${desk.serverUrl}${message.attachments[0]!.url}`);
    expect(await shop.chat.getByRole('link', { name: '📄 invoice.pdf' }).getAttribute('href')).toBe(`${desk.serverUrl}${message.attachments[1]!.url}`);

    // Live typing preview: the agent viewing the conversation sees the draft as it stands, as the
    // notice above told the shopper.
    await agent.call('conversation:open', { conversationId: message.conversationId });
    const draft = new Promise<string | undefined>((resolve) => {
      const off = agent.on('typing:changed', (event) => {
        if (event.conversationId === message.conversationId && event.draft === 'Still th') {
          off();
          resolve(event.draft);
        }
      });
    });
    await field.pressSequentially('Still th', { delay: 30 });
    expect(await draft).toBe('Still th');
    // Escape closes the chat and gives the focus back to the launcher.
    await field.press('Escape');
    await shop.page.getByRole('button', { name: 'Open chat' }).waitFor();
    expect(await shop.page.evaluate(() => document.activeElement?.shadowRoot?.activeElement?.getAttribute('aria-label'))).toBe('Open chat');
    await shop.context.close();
  });

  it('opens from a kefu("open") queued before widget.js loaded', async () => {
    const shop = await shopper('demo');
    await shop.page.goto(`${desk.shopUrl('demo')}&open=1`);
    await shop.chat.getByRole('textbox', { name: 'Message' }).waitFor();
    await shop.page.getByRole('button', { name: 'Close chat' }).waitFor();
    await shop.context.close();
  });

  it('fits a 390 px phone: the chat takes the screen and closes from its header', async () => {
    const phone = await shopper('demo', { width: 390, height: 844 });
    await openChat(phone.page, phone.chat);
    // prefers-reduced-motion: no slide-in.
    await phone.page.emulateMedia({ reducedMotion: 'reduce' });
    expect(await phone.page.locator('.panel').evaluate((el) => getComputedStyle(el).animationName)).toBe('none');
    const box = await phone.page.locator('iframe').boundingBox();
    expect(box).toMatchObject({ x: 0, y: 0, width: 390, height: 844 });
    await send(phone.chat, 'Hi from my phone');
    await phone.chat.getByText('Hi from my phone').waitFor();
    // The attach button is drawn: no emoji that a system without its font shows as an empty box.
    const attach = phone.chat.getByRole('button', { name: 'Attach a file' });
    expect(await attach.locator('svg').count()).toBe(1);
    expect((await attach.textContent())?.trim()).toBe('');
    await phone.page.screenshot({ path: join(artifactsDir, 'widget-phone.png') });
    await phone.chat.getByRole('button', { name: 'Close chat' }).click();
    await phone.page.getByRole('button', { name: 'Open chat' }).waitFor();
    await phone.context.close();
  });

  // Last: from here on every shopper message gets an automatic answer.
  it('lets a newcomer answer the demo shop with `npm run demo -- --answer`', async () => {
    const demo = spawn(process.execPath, [join(repoRoot, 'packages/client/dist/demo.js'), '--answer', '--agent-url', desk.serverUrl, '--password', ADMIN.password], { stdio: ['ignore', 'pipe', 'inherit'] });
    const exited = new Promise((resolve) => demo.once('exit', resolve));
    try {
      await new Promise<void>((resolve) => demo.stdout.on('data', (chunk: Buffer) => chunk.toString().includes('answers every shopper') && resolve()));
      const shop = await shopper();
      await openChat(shop.page, shop.chat);
      await send(shop.chat, 'Is anybody there?');
      await shop.chat.getByText('Thanks for your message! You wrote: "Is anybody there?"', { exact: false }).waitFor();
      await shop.context.close();
    } finally {
      demo.kill('SIGINT');
      await exited;
    }
  });
});
