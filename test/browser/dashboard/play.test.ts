/// <reference lib="dom" />
/// <reference lib="dom.iterable" />
import { mkdirSync, readFileSync } from 'node:fs';
import type { Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startBrowser, type TestBrowser } from '../../helpers/browser.js';
import { startEmulator, type TestEmulator } from '../../helpers/emulator.js';
import { startReferenceIntegration, type ReferenceIntegration } from '../../helpers/reference-integration.js';
import { startWebhookSink } from '../../helpers/webhook-sink.js';

// A person plays the conversation in the dashboard (Debian's chromium, every other host blocked):
// as the shopper against the reference Third Party Messaging integration, with the chat's one
// time line of webhooks and API calls beside it and a duplicated delivery one click away; as both
// sides in two tabs with nobody subscribed, on a phone-sized window and from the keyboard; then the
// session kept as a scenario and as an exported file imported back read-only.
// UPDATE_SCREENSHOTS=1 writes the README's screenshots of the shopper's window and the agent console.
const SHOTS = process.env.UPDATE_SCREENSHOTS ? 'docs/screenshots' : undefined;
const shot = async (page: Page, name: string) => {
  if (!SHOTS) return;
  mkdirSync(SHOTS, { recursive: true });
  await page.screenshot({ path: `${SHOTS}/${name}.png` });
};

let t: TestEmulator;
let browser: TestBrowser;
beforeAll(async () => {
  t = await startEmulator();
  browser = await startBrowser(t.url);
});
afterAll(async () => {
  await browser?.close();
  await t?.stop();
});
afterEach(() => {
  expect(browser.foreign).toEqual([]);
  expect(browser.pageErrors).toEqual([]);
});

const control = (path: string, body?: unknown, method = body === undefined ? 'GET' : 'POST') =>
  fetch(`${t.url}/_emulator${path}`, {
    method,
    headers: { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  }).then((r) => r.json() as Promise<any>);

/** Presses Tab until the focused control's accessible name (its label, aria-label or text) is `name` (at most 40 times). */
async function tabTo(page: Page, name: string): Promise<void> {
  for (let i = 0; i < 40; i += 1) {
    await page.keyboard.press('Tab');
    const focused = await page.evaluate(() => {
      const el = document.activeElement;
      return (
        el?.getAttribute('aria-label') ??
        el?.closest('label')?.querySelector('span')?.textContent ??
        el?.textContent ??
        ''
      );
    });
    if (focused === name) return;
  }
  throw new Error(`Tab never reached "${name}"`);
}
const statusOf = (page: Page) => page.locator('.widget-status').textContent();
/** The time line's entries in order: steps by their event, API calls by their mutation. */
const timeline = (page: Page) =>
  page
    .locator('.timeline > li')
    .evaluateAll((items) => items.map((li) => li.getAttribute('data-step') ?? `call ${li.getAttribute('data-call')}`));

describe('the shopper against an integration', () => {
  let integration: ReferenceIntegration;
  beforeAll(async () => {
    integration = await startReferenceIntegration({ graphqlUrl: `${t.url}/graphql`, closeAfterReplies: 1 });
    await control('/webhooks', { url: integration.url }, 'PUT');
  });
  afterAll(async () => {
    await control('/webhooks', { url: '' }, 'PUT');
    await integration?.close();
  });

  it('asks, the integration accepts and answers, closes, the shopper rates; the time line holds every webhook and API call in order; a duplicated delivery shows both attempts with one key', async () => {
    const shop = await browser.open('/');
    await shop.getByRole('link', { name: 'Chat as a customer' }).click();
    await shop.getByRole('textbox', { name: 'Question' }).fill('Can I return shoes I wore once?');
    await shop.getByRole('textbox', { name: 'Name' }).fill('Mia Keller');
    await shop.getByRole('textbox', { name: 'Email' }).fill('mia@example.com');
    await shop.getByRole('combobox', { name: 'Language' }).selectOption('en');
    await shop.getByRole('button', { name: 'Start chat' }).click();
    await shop.waitForURL(/#\/shop\/guuru-qa\/[\w-]+$/);
    const chatId = shop.url().split('/').pop()!;
    await expect.poll(() => statusOf(shop)).toBe('Anna from Support joined the chat');

    // The agent's side, in another tab: the next webhook of this chat arrives twice.
    const agent = await browser.context.newPage();
    await agent.goto(`${t.url}/#/chats/guuru-qa/${chatId}`);
    await agent.getByRole('button', { name: 'Next webhook: Twice' }).click();
    await expect
      .poll(() => agent.getByRole('status').filter({ hasText: 'Armed' }).textContent())
      .toMatch(/arrives twice/);

    await shop.getByRole('textbox', { name: 'Message' }).fill('They are a bit tight.');
    await shop.getByRole('textbox', { name: 'Message' }).press('Enter');
    await expect
      .poll(() => shop.locator('.widget .msg.persona .bubble').allTextContents())
      .toEqual(['Thanks for your message. Here is answer 1.']);
    expect(await shop.locator('.widget .msg.persona .who').first().textContent()).toMatch(/Anna from Support/);
    await expect.poll(() => statusOf(shop)).toBe('The chat was closed');
    const rating = shop.getByRole('group', { name: 'Rating' });
    await rating.getByRole('textbox', { name: 'Comment' }).fill('Helpful');
    await shot(shop, 'shopper');
    await rating.getByRole('button', { name: 'Good' }).click();
    await expect.poll(() => statusOf(shop)).toMatch(/you rated this chat good/);
    expect(await shop.getByRole('textbox', { name: 'Message' }).count()).toBe(0);
    expect(await shop.locator('.done').textContent()).toMatch(/takes nothing more/);

    await control('/deliveries/flush', {});
    await expect
      .poll(() => timeline(agent))
      .toEqual([
        'chat.created',
        'chat.assigned',
        'call acceptChat',
        'chat.accepted',
        'message.created',
        'call sendChatMessage',
        'message.created',
        'call closeChat',
        'chat.closed',
        'chat.rated',
      ]);
    expect(await agent.locator('.step.message .step-title').allTextContents()).toEqual([
      'message by the customer',
      'message by your integration (Admin API)',
    ]);
    const hooks = agent.locator('.timeline .webhook');
    await expect
      .poll(() => hooks.evaluateAll((els) => els.map((e) => e.querySelector('.event')?.textContent)))
      .toEqual(['chat-assigned', 'chat-opened', 'message-created', 'message-created', 'chat-closed', 'chat-rated']);
    // The duplicated one: two attempts (the copy marked), one Idempotency-Key; its signed body a click away.
    const duplicated = hooks.nth(2);
    await expect.poll(() => duplicated.locator('table.attempts tr').count()).toBe(2);
    expect(await duplicated.locator('table.attempts').textContent()).toMatch(/duplicate/);
    expect(await duplicated.locator('.idempotency-key code').count()).toBe(1);
    await duplicated.getByText('Signed body and headers').click();
    expect(await duplicated.getByLabel(/^Body of delivery/).textContent()).toContain('They are a bit tight.');
    expect(await duplicated.getByLabel(/^Headers of delivery/).textContent()).toMatch(
      /X-Guuru-Hmac-Sha256: [0-9a-f]{64}/,
    );
    // The integration acted once: one answer, though the message came twice.
    expect(integration.received.filter((e) => e === 'message-created')).toHaveLength(3);

    // Kept as a test: saved as a scenario (shown, and loaded), exported and imported back read-only.
    await agent.getByRole('button', { name: 'Save as scenario' }).click();
    await expect.poll(() => agent.getByLabel('Scenario file').textContent()).toMatch(/wait-until:\s+event: closed/);
    const savedName = (await agent.locator('.saved-scenario a').textContent())!;
    expect((await control(`/scenarios/${savedName}`)).steps).toBe(6);
    const [download] = await Promise.all([
      agent.waitForEvent('download'),
      agent.getByRole('button', { name: 'Export session' }).click(),
    ]);
    const file = JSON.parse(readFileSync((await download.path())!, 'utf8'));
    expect(file).toMatchObject({
      format: 'guuru-emulator-session',
      chat: { id: chatId, status: 'rated', ratingComment: 'Helpful' },
    });
    const live = await timeline(agent);

    await agent.goto(`${t.url}/#/chats`);
    const [chooser] = await Promise.all([
      agent.waitForEvent('filechooser'),
      agent.getByRole('button', { name: 'Import session' }).click(),
    ]);
    await chooser.setFiles((await download.path())!);
    await agent.waitForURL(/#\/sessions\/session-\d+$/);
    await expect.poll(() => timeline(agent)).toEqual(live);
    expect(await agent.getByRole('note').textContent()).toMatch(/read-only/);
    expect(await agent.getByRole('button', { name: 'Accept' }).count()).toBe(0);
    await agent.close();
    await shop.close();
  }, 60_000);
});

describe('two tabs, nobody subscribed: a person on each side', () => {
  it('the shopper (390 px, keyboard only) and the agent hold a whole chat to rated; accepting twice shows CHAT_ALREADY_ACCEPTED', async () => {
    const shop = await browser.open('/#/shop');
    await shop.setViewportSize({ width: 390, height: 800 });
    await shop.getByRole('button', { name: 'Start chat' }).waitFor();
    // Keyboard only: Tab to the question, then through the form.
    await tabTo(shop, 'Question');
    await shop.keyboard.type('Is the blue kettle in stock?');
    await shop.keyboard.press('Tab');
    await shop.keyboard.type('Jonas');
    await shop.keyboard.press('Tab');
    await shop.keyboard.type('jonas@example.com');
    await shop.keyboard.press('Tab'); // Language
    await shop.keyboard.press('Tab'); // Pool
    await shop.keyboard.press('Tab'); // Start chat
    await shop.keyboard.press('Enter');
    await shop.waitForURL(/#\/shop\/guuru-qa\/[\w-]+$/);
    const chatId = shop.url().split('/').pop()!;
    await expect.poll(() => statusOf(shop)).toBe('Waiting for an expert…');
    expect(await shop.evaluate(() => document.documentElement.scrollWidth - window.innerWidth)).toBe(0);

    const agent = await browser.context.newPage();
    await agent.goto(`${t.url}/#/chats/guuru-qa/${chatId}`);
    await agent.getByRole('textbox', { name: 'New persona name' }).fill('Lena Berg');
    await agent.getByRole('button', { name: 'Create persona' }).click();
    await expect
      .poll(() => agent.getByRole('combobox', { name: 'Persona' }).locator('option:checked').textContent())
      .toBe('Lena Berg');
    await agent.getByRole('button', { name: 'Accept', exact: true }).click();
    await expect.poll(() => statusOf(shop)).toBe('Lena Berg joined the chat');
    // A refusal reads as the Admin API's documented code.
    await agent.getByRole('button', { name: 'Accept', exact: true }).click();
    await expect
      .poll(() => agent.locator('.agent-console [role=alert]').textContent())
      .toMatch(/^CHAT_ALREADY_ACCEPTED: /);
    // The browser logs the refused request (409) as a console error: that one was expected.
    expect(browser.pageErrors.splice(0)).toEqual([
      'Failed to load resource: the server responded with a status of 409 (Conflict)',
    ]);

    const send = async (page: Page, text: string) => {
      await page.getByRole('textbox', { name: 'Message' }).fill(text);
      await page.getByRole('textbox', { name: 'Message' }).press('Enter');
    };
    // The shopper writes from the keyboard: Tab to the message box, Enter sends.
    await tabTo(shop, 'Message');
    await shop.keyboard.type('Also in green?');
    await shop.keyboard.press('Enter');
    await expect
      .poll(() => agent.locator('.transcript .msg.customer .bubble').allTextContents())
      .toContain('Also in green?');
    await send(agent, 'Yes, both colours are in stock.');
    await expect
      .poll(() => shop.locator('.widget .msg.persona .bubble').allTextContents())
      .toEqual(['Yes, both colours are in stock.']);
    await shot(agent, 'agent-console');
    await agent.getByRole('button', { name: 'Close chat' }).click();
    await expect.poll(() => statusOf(shop)).toBe('The chat was closed');
    // Writing again after a close reopens the chat.
    await send(shop, 'One more question: delivery time?');
    await expect.poll(() => statusOf(shop)).toBe('Lena Berg joined the chat');
    await send(agent, 'Two days.');
    await agent.getByRole('button', { name: 'Close chat' }).click();
    await shop.getByRole('group', { name: 'Rating' }).waitFor();
    await tabTo(shop, 'Bad');
    await shop.keyboard.press('Enter');
    await expect.poll(() => agent.locator('h1 .badge').textContent()).toBe('rated');
    expect(await shop.evaluate(() => document.documentElement.scrollWidth - window.innerWidth)).toBe(0);
    expect(await timeline(agent)).toEqual([
      'chat.created',
      'chat.assigned',
      'chat.accepted',
      'message.created',
      'message.created',
      'chat.closed',
      'chat.reopened',
      'message.created',
      'message.created',
      'chat.closed',
      'chat.rated',
    ]);
    expect(await agent.locator('.step.message .step-title').allTextContents()).toEqual([
      'message by the customer',
      'message by the agent, by hand',
      'message by the customer',
      'message by the agent, by hand',
    ]);
    // The agent's side fits a phone too.
    await agent.setViewportSize({ width: 390, height: 800 });
    expect(await agent.evaluate(() => document.documentElement.scrollWidth - window.innerWidth)).toBe(0);
    await agent.close();
    await shop.close();
  }, 40_000);
});

describe('Gurusup: a person writes as a Gurusup user', () => {
  it('starts a thread and writes into it; the automatic reply appears, its send-message webhook beside it', async () => {
    const sink = await startWebhookSink(null);
    try {
      await control('/tenants/guuru-qa/gurusup', { webhookUrl: sink.url, autoReply: true }, 'PUT');
      const page = await browser.open('/#/gurusup');
      const form = page.getByRole('form', { name: 'New Gurusup thread' });
      await form.getByRole('textbox', { name: 'Thread (thread_fid)' }).fill('play-thread-1');
      await form.getByRole('textbox', { name: 'First message' }).fill('Do you ship to Austria?');
      await form.getByRole('button', { name: 'Start thread' }).click();
      await page.waitForURL(/#\/gurusup\/play-thread-1/);
      const bubbles = page.getByRole('list', { name: 'Thread messages' }).locator('.bubble');
      await expect.poll(() => bubbles.count()).toBe(2);
      expect(await bubbles.first().textContent()).toBe('Do you ship to Austria?');
      const box = page.getByRole('textbox', { name: 'Message', exact: true });
      await box.fill('And to Italy?');
      await box.press('Enter');
      await expect.poll(() => bubbles.count()).toBe(4);
      expect(await bubbles.nth(2).textContent()).toBe('And to Italy?');
      // Each automatic reply went out as a send-message webhook, listed beside the thread.
      const rows = page.getByRole('table', { name: 'send-message deliveries' }).locator('tr');
      await expect.poll(() => rows.count()).toBe(2);
      await expect.poll(() => rows.locator('.badge').first().textContent()).toBe('delivered');
      await page.close();
    } finally {
      await control('/tenants/guuru-qa/gurusup', { webhookUrl: '' }, 'PUT');
      await sink.close();
    }
  }, 30_000);
});
