import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { connectVisitor, type VisitorClient } from '@kefu/client';
import type { Inbox, Message } from '@kefu/protocol';
import type { BrowserContext, Page } from 'playwright-core';
import { ADMIN, artifactsDir, startDesk, type Desk } from './desk.js';

/**
 * The collision guard and supervision in Chromium: two agents and an admin on the dashboard (server
 * node 1), shoppers on the SDK (node 2), Redis and PostgreSQL between.
 */
describe('collision guard and supervision in a browser', () => {
  let desk: Desk;
  let inbox: Inbox;
  const contexts: BrowserContext[] = [];
  const shoppers: VisitorClient[] = [];
  const tabs: Record<'ana' | 'bo', Page> = {} as Record<'ana' | 'bo', Page>;

  beforeAll(async () => {
    desk = await startDesk({ nodes: 2 });
    inbox = await desk.createInbox({ name: 'Tea shop', routing: 'manual' });
    for (const name of ['Ana', 'Bo']) {
      await desk.api('POST', '/api/admin/agents', { name, email: `${name.toLowerCase()}@kefu.local`, password: `${name}-password-1`, inboxIds: [inbox.id] });
    }
  }, 120_000);
  afterAll(async () => {
    for (const shopper of shoppers) shopper.close();
    for (const context of contexts) await context.close();
    await desk?.stop();
  }, 60_000);

  const signIn = async (email: string, password: string) => {
    const context = await desk.browser.newContext({ viewport: { width: 1280, height: 800 } });
    contexts.push(context);
    const tab = await context.newPage();
    await tab.goto(`${desk.webUrl}/login`);
    await tab.getByLabel('Email').fill(email);
    await tab.getByLabel('Password').fill(password);
    await tab.getByRole('button', { name: 'Sign in' }).click();
    await tab.waitForURL('**/agent');
    return tab;
  };
  const shopper = async (name: string, body: string) => {
    const client = connectVisitor({ url: desk.shopperUrl, inboxKey: inbox.key });
    shoppers.push(client);
    await client.ready();
    await client.call('visitor:update', { name });
    await client.send({ body });
    return client;
  };
  const receives = (client: VisitorClient, body: string) =>
    new Promise<Message>((resolve) => {
      const off = client.onMessage((m) => m.body === body && (off(), resolve(m)));
    });
  const openFromAll = async (tab: Page, preview: RegExp, heading: string) => {
    await tab.getByRole('button', { name: 'All' }).click();
    await tab.getByRole('button', { name: preview }).click();
    await tab.getByRole('heading', { name: heading }).waitFor();
  };

  it('two agents on one conversation see each other and who types; a reply on top of a colleague asks first', async () => {
    const yan = await shopper('Yan', 'Is the blue teapot in stock?');
    tabs.ana = await signIn('ana@kefu.local', 'Ana-password-1');
    tabs.bo = await signIn('bo@kefu.local', 'Bo-password-1');
    await openFromAll(tabs.ana, /Is the blue teapot in stock\?/, 'Yan');
    await openFromAll(tabs.bo, /Is the blue teapot in stock\?/, 'Yan');
    const alsoHere = (tab: Page) => tab.getByRole('status', { name: 'Also here' });
    await alsoHere(tabs.ana).getByText('Bo', { exact: true }).waitFor();
    await alsoHere(tabs.bo).getByText('Ana', { exact: true }).waitFor();

    // Ana starts a draft; Bo's composer shows her typing (not as the shopper typing).
    const anaField = tabs.ana.getByRole('textbox', { name: 'Message' });
    await anaField.fill('Yes, we have it.');
    await alsoHere(tabs.bo).getByText('Ana is typing…').waitFor();
    expect(await tabs.bo.getByText('Ana is typing…').count()).toBe(1);

    // Bo answers first; Ana's Enter then asks before her reply goes out on top of his.
    const bosReply = receives(yan, 'Let me check the stock.');
    await tabs.bo.getByRole('textbox', { name: 'Message' }).fill('Let me check the stock.');
    await tabs.bo.getByRole('textbox', { name: 'Message' }).press('Enter');
    await bosReply;
    await tabs.ana.getByRole('log').getByText('Let me check the stock.').waitFor();
    const anasReply = receives(yan, 'Yes, we have it.');
    await anaField.press('Enter');
    const question = tabs.ana.getByRole('alertdialog', { name: 'Replied meanwhile' });
    await question.getByText('Bo').waitFor();
    expect(await question.textContent()).toContain('Bo replied meanwhile');
    expect(await anaField.inputValue()).toBe('Yes, we have it.');
    await tabs.ana.screenshot({ path: join(artifactsDir, 'collision-guard.png') });
    await question.getByRole('button', { name: 'Send anyway' }).click();
    expect((await anasReply).author.name).toBe('Ana');
    await question.waitFor({ state: 'detached' });
  });

  it('an admin watches from the console and whispers; it pops up for the agent in another conversation, never for the shopper', async () => {
    // Bo's reply claimed Yan's conversation; Bo moves on to another shopper.
    const yan = shoppers[0]!;
    const yanHears: string[] = [];
    yan.socket.onAny((event: string, payload: unknown) => yanHears.push(`${event} ${JSON.stringify(payload)}`));
    await shopper('Zhou', 'Do you ship to Lyon?');
    await openFromAll(tabs.bo, /Do you ship to Lyon\?/, 'Zhou');

    const admin = await signIn(ADMIN.email, ADMIN.password);
    await admin.getByRole('link', { name: 'Admin console' }).click();
    await admin.getByRole('link', { name: 'Watch Yan' }).click();
    await admin.waitForURL('**/agent');
    await admin.getByRole('heading', { name: 'Yan' }).waitFor();
    await admin.getByText('Watching', { exact: true }).waitFor();
    await admin.getByRole('status', { name: 'Also here' }).getByText('Ana', { exact: true }).waitFor();

    await admin.getByRole('group', { name: 'Reply mode' }).getByRole('button', { name: 'Whisper' }).click();
    const field = admin.getByRole('textbox', { name: 'Message' });
    await field.fill('Offer <b>free</b> shipping, he is a regular');
    await field.press('Enter');
    await admin.getByRole('log').getByText('Offer <b>free</b> shipping, he is a regular').waitFor();

    const popup = tabs.bo.getByRole('alert', { name: 'Whisper from Admin' });
    await popup.getByText('Offer <b>free</b> shipping, he is a regular').waitFor();
    await tabs.bo.screenshot({ path: join(artifactsDir, 'whisper-popup.png') });
    // Ana views the conversation too: she sees the whisper in it, but no pop-up (it was not for her).
    await tabs.ana.getByRole('log').getByText('Offer <b>free</b> shipping, he is a regular').waitFor();
    expect(await tabs.ana.getByRole('alert', { name: /Whisper from/ }).count()).toBe(0);

    await popup.getByRole('button', { name: 'Open conversation' }).click();
    await tabs.bo.getByRole('heading', { name: 'Yan' }).waitFor();
    await tabs.bo.getByRole('log').getByText('Whisper · Admin').waitFor();
    await popup.waitFor({ state: 'detached' });
    await tabs.bo.getByRole('status', { name: 'Also here' }).getByText('Admin').waitFor();
    expect(await tabs.bo.evaluate(() => document.querySelectorAll('b').length)).toBe(0);

    // The shopper: a later reply arrives; the whisper never did, nor is it in the history.
    const later = receives(yan, 'Shipping is on us this time!');
    await tabs.bo.getByRole('textbox', { name: 'Message' }).fill('Shipping is on us this time!');
    await tabs.bo.getByRole('textbox', { name: 'Message' }).press('Enter');
    await later;
    const history = await yan.call('conversation:history', { conversationId: yan.conversation!.id, limit: 50 });
    expect(history.messages.map((m) => m.body)).not.toContain('Offer <b>free</b> shipping, he is a regular');
    expect(yanHears.filter((e) => e.includes('free') || e.includes('viewers') || e.includes('whisper'))).toEqual([]);
  });
});
