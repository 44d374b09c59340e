/// <reference lib="dom" />
/// <reference lib="dom.iterable" />
import { mkdirSync } from 'node:fs';
import type { Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startBrowser, type TestBrowser } from '../../helpers/browser.js';
import { startEmulator, type TestEmulator } from '../../helpers/emulator.js';
import { startReferenceIntegration } from '../../helpers/reference-integration.js';
import { startWebhookSink, type WebhookSink } from '../../helpers/webhook-sink.js';

// The dashboard in a real browser (Debian's chromium), with every request to another host
// blocked: each view shows the seeded data, a scenario started from the form plays out on the
// Chats view without a reload, webhooks show their attempts, redeliver adds one, GraphiQL runs a
// typed query, a verification started from the Verify form fills in its checklist. UPDATE_SCREENSHOTS=1 also writes the README's screenshots to docs/screenshots/.
const SHOTS = process.env.UPDATE_SCREENSHOTS ? 'docs/screenshots' : undefined;
const shot = async (page: Page, name: string) => {
  if (!SHOTS) return;
  mkdirSync(SHOTS, { recursive: true });
  await page.screenshot({ path: `${SHOTS}/${name}.png` });
};

let t: TestEmulator;
let browser: TestBrowser;
let sink: WebhookSink;
beforeAll(async () => {
  t = await startEmulator();
  sink = await startWebhookSink();
  browser = await startBrowser(t.url);
});
afterAll(async () => {
  await browser?.close();
  await sink?.close();
  await t?.stop();
});
afterEach(() => {
  // Offline: nothing was fetched from elsewhere, and no page logged an error.
  expect(browser.foreign).toEqual([]);
  expect(browser.pageErrors).toEqual([]);
});

const control = (path: string, body?: unknown, method = body === undefined ? 'GET' : 'POST') =>
  fetch(`${t.url}/_emulator${path}`, {
    method,
    headers: { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  }).then((r) => r.json() as Promise<any>);

describe('each view shows the seeded data', () => {
  it('Overview: the tenant with its token, secret and chats by status; the clock', async () => {
    const page = await browser.open('/');
    const tenant = page.locator('.card.tenant', { hasText: 'guuru-qa' });
    await expect.poll(() => tenant.textContent()).toContain('demo-token');
    const text = (await tenant.textContent()) ?? '';
    expect(text).toContain('secr3t');
    expect(text).toContain('demo-api-key');
    const rated = t.emulator.store.tenant('guuru-qa')!.data.chats.filter((c) => c.status === 'rated').length;
    await expect
      .poll(() =>
        page
          .getByRole('list', { name: 'Chats of guuru-qa by status' })
          .getByRole('link', { name: /rated/ })
          .textContent(),
      )
      .toContain(String(rated));
    expect(await page.locator('.card', { hasText: 'Clock' }).textContent()).toMatch(/system/);
    await expect.poll(() => page.locator('.live').textContent()).toBe('Live');
    await shot(page, 'overview');
    await page.close();
  });

  it('Chats: newest first, filtered by status; a seeded chat shows its conversation and time line', async () => {
    const chats = t.emulator.store.tenant('guuru-qa')!.data.chats;
    const newest = chats[chats.length - 1]!;
    const page = await browser.open('/#/chats');
    const rows = page.locator('table.chats tbody tr');
    await expect.poll(() => rows.first().getAttribute('data-chat-id')).toBe(newest.id);
    expect(await page.locator('.card-head h2').first().textContent()).toBe(`${chats.length} chats`);
    await page.getByRole('button', { name: 'rated', exact: true }).click();
    await expect
      .poll(() => page.locator('.card-head h2').first().textContent())
      .toBe(`${chats.filter((c) => c.status === 'rated').length} chats`);
    expect(new Set(await rows.locator('.badge').allTextContents())).toEqual(new Set(['rated']));
    await shot(page, 'chats');

    const rich = chats.find((c) => c.status === 'rated' && c.messages.length >= 3)!;
    await page.goto(`${t.url}/#/chats/guuru-qa/${rich.id}`);
    // The question opens the transcript (once, whether or not it is also the first message).
    const asked = rich.messages[0]?.author.kind === 'user' && rich.messages[0].text === rich.question;
    await expect.poll(() => page.locator('.transcript .msg').count()).toBe(rich.messages.length + (asked ? 0 : 1));
    expect(await page.locator('.transcript .msg .bubble').first().textContent()).toBe(rich.question);
    expect(
      await page.locator('.transcript .msg').evaluateAll((msgs) => msgs.map((m) => m.className.replace('msg ', ''))),
    ).toEqual(expect.arrayContaining(['customer', 'guuru']));
    expect(
      await page.locator('.timeline .step').evaluateAll((steps) => steps.map((s) => s.getAttribute('data-step'))),
    ).toEqual(expect.arrayContaining(['chat.created', 'chat.accepted', 'chat.rated']));
    await page.close();
  });

  it('Scenarios, Gurusup and Deliveries (empty, saying what to do)', async () => {
    const page = await browser.open('/#/scenarios');
    await expect.poll(() => page.getByRole('navigation', { name: 'Scenarios' }).textContent()).toContain('happy-path');
    expect(await page.locator('.card', { hasText: 'A customer asks a question' }).count()).toBe(1);

    const thread = t.emulator.store
      .tenant('guuru-qa')!
      .data.gurusup!.threads.toSorted((a, b) => b.updatedAt - a.updatedAt || b.seq - a.seq)[0]!;
    await page.goto(`${t.url}/#/gurusup`);
    await expect
      .poll(() => page.getByRole('list', { name: 'Thread messages' }).locator('.bubble').first().textContent())
      .toBe(thread.messages[0]!.body);
    await shot(page, 'gurusup');

    await page.goto(`${t.url}/#/deliveries`);
    await expect.poll(() => page.locator('.empty').first().textContent()).toMatch(/No deliveries yet.*Subscribe a URL/);
    await page.close();
  });
});

describe('a person at the keyboard, on a narrow window', () => {
  it('reaches every view from the keyboard, and a phone-sized window needs no sideways scrolling', async () => {
    const page = await browser.open('/');
    await page.locator('.card.tenant').first().waitFor();
    let focused = '';
    for (let i = 0; i < 10 && focused !== 'Chats'; i += 1) {
      await page.keyboard.press('Tab');
      focused = await page.evaluate(() => document.activeElement?.textContent ?? '');
    }
    expect(focused).toBe('Chats');
    await page.keyboard.press('Enter');
    await page.waitForURL(/#\/chats$/);
    await page.locator('table.chats tbody tr').first().waitFor();
    await page.setViewportSize({ width: 390, height: 800 });
    for (const path of [
      '/',
      '/#/chats',
      '/#/deliveries',
      '/#/scenarios',
      '/#/requests',
      '/#/gurusup',
      '/#/verifications',
    ]) {
      await page.goto(`${t.url}${path}`);
      await page.locator('main .card').first().waitFor();
      expect({
        path,
        overflow: await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth),
      }).toEqual({ path, overflow: 0 });
    }
    await shot(page, 'narrow');
    await page.close();
  });
});

describe('live', () => {
  it('a happy-path run started from the Scenarios form moves through its statuses on the Chats view, without a reload', async () => {
    const chats = await browser.open('/#/chats');
    await chats.locator('table.chats tbody tr').first().waitFor();
    // Watch every status each chat row shows; a reload would lose the marker.
    await chats.evaluate(() => {
      const w = window as unknown as { seen: Record<string, string[]>; marker: boolean };
      w.marker = true;
      w.seen = {};
      const record = () => {
        for (const row of document.querySelectorAll('table.chats tbody tr[data-chat-id]')) {
          const id = row.getAttribute('data-chat-id') as string;
          const status = row.querySelector('.badge')?.textContent ?? '';
          const list = (w.seen[id] ??= []);
          if (list.at(-1) !== status) list.push(status);
        }
      };
      record();
      new MutationObserver(record).observe(document.body, { subtree: true, childList: true, characterData: true });
    });

    const form = await browser.open('/#/scenarios/happy-path');
    await form.locator('input[name="messages"]').fill('1');
    await form.locator('input[name="pace"]').fill('10s');
    await form.locator('input[name="speed"]').fill('40');
    await form.getByRole('button', { name: 'Start happy-path' }).click();
    await form.waitForURL(/#\/scenarios\/happy-path\/runs\/run-\d+$/);
    const chatLink = form.locator('a.chat-link').first();
    await chatLink.waitFor();
    const chatId = (await chatLink.textContent())!.trim();
    await expect.poll(() => form.locator('h1 .badge').textContent(), { timeout: 45_000 }).toBe('completed');
    await shot(form, 'scenario-run');

    const seen = () =>
      chats.evaluate((id) => (window as unknown as { seen: Record<string, string[]> }).seen[id] ?? [], chatId);
    await expect.poll(seen).toContain('rated');
    const statuses = await seen();
    // Seen on the page as it happened: at least assigned → open → closed → rated, in that order.
    const order = ['assigned', 'open', 'closed', 'rated'].map((s) => statuses.indexOf(s));
    expect(order.every((i) => i >= 0)).toBe(true);
    expect([...order].sort((a, b) => a - b)).toEqual(order);
    expect(await chats.locator('table.chats tbody tr').first().getAttribute('data-chat-id')).toBe(chatId);
    expect(await chats.evaluate(() => (window as unknown as { marker?: boolean }).marker)).toBe(true);
    await form.close();
    await chats.close();
  }, 90_000);

  it('eight tabs of one browser all stay live (one shared stream: a browser opens only six connections to a host)', async () => {
    const tabs = [];
    for (let i = 0; i < 8; i += 1) tabs.push(await browser.open('/#/chats'));
    for (const tab of tabs) await expect.poll(() => tab.locator('.live').textContent()).toBe('Live');
    const chat = await control('/tenants/guuru-qa/chats', { question: 'Seen in every tab?' });
    for (const tab of tabs)
      await expect.poll(() => tab.locator('table.chats tbody tr').first().getAttribute('data-chat-id')).toBe(chat.id);
    await Promise.all(tabs.map((tab) => tab.close()));
  }, 60_000);

  it('a delivery appears with its attempts; redeliver adds an attempt', async () => {
    const page = await browser.open('/#/deliveries');
    // Subscribe the receiver from the page itself.
    await page.getByLabel('Send every GUURU event to').fill(sink.url);
    await page.getByRole('button', { name: 'Subscribe' }).click();
    await expect.poll(() => page.locator('.card', { hasText: 'Subscriptions' }).textContent()).toContain(sink.url);
    const before = sink.received.length;

    const chat = await control('/tenants/guuru-qa/chats', {
      question: 'Does the green jacket come in XL?',
      requestedExperts: ['api'],
    });
    const row = page.locator('table.list tbody tr', { hasText: 'chat-assigned' }).first();
    await expect.poll(() => row.textContent()).toMatch(/delivered\s*200\s*1/);
    await sink.waitFor(before + 1);
    await shot(page, 'deliveries');

    await page.goto(`${t.url}/#/chats/guuru-qa/${chat.id}`);
    const webhook = page.locator('.step[data-step="chat.assigned"] .webhook');
    await expect.poll(() => webhook.locator('.attempt-count').textContent()).toBe('1 attempt');
    expect(await webhook.locator('.signature').textContent()).toMatch(/X-Guuru-Hmac-Sha256: [0-9a-f]{64}/);
    await webhook.getByRole('button', { name: /Redeliver/ }).click();
    await expect.poll(() => webhook.locator('.attempt-count').textContent()).toBe('2 attempts');
    await expect.poll(() => webhook.locator('table.attempts tr.attempt').count()).toBe(2);
    expect(await webhook.locator('table.attempts').textContent()).toMatch(/redelivery/);
    await sink.waitFor(before + 2);
    const [first, again] = sink.received.slice(before, before + 2);
    expect(again!.headers['idempotency-key']).toBe(first!.headers['idempotency-key']);
    expect(again!.rawBody).toBe(first!.rawBody);

    await control('/tenants/guuru-qa/chats/' + chat.id + '/accept', {});
    await expect.poll(() => page.locator('.timeline .step').count()).toBe(3);
    await shot(page, 'chat');
    await page.close();
    await control('/webhooks', { url: '' }, 'PUT');
  }, 60_000);
});

describe('Scenario verdicts', () => {
  it('a finished third-party run shows its verdict: which expectation failed and the evidence', async () => {
    const page = await browser.open('/#/scenarios/third-party-messaging');
    // Nobody accepts: the receiver only acknowledges the webhooks.
    await page.locator('input[name="acceptTimeout"]').fill('400ms');
    await page.locator('input[name="target"]').fill(sink.url);
    await page.locator('input[name="speed"]').fill('0');
    await page.getByRole('button', { name: 'Start third-party-messaging' }).click();
    await page.waitForURL(/#\/scenarios\/third-party-messaging\/runs\/run-\d+$/);
    const verdict = page.locator('.card', { hasText: 'Verdict' });
    await expect.poll(() => verdict.locator('h2 .badge').textContent(), { timeout: 20_000 }).toBe('failed');
    const accept = verdict
      .getByRole('list', { name: 'Expectations' })
      .locator('> li', { hasText: 'acceptChat' })
      .first();
    expect(await accept.locator('.badge').first().textContent()).toBe('failed');
    expect(await accept.textContent()).toMatch(
      /webhook chat-assigned.*waited for acceptChat after chat-assigned.*patience/s,
    );
    expect(await page.locator('h1 .badge').textContent()).toBe('failed');
    // Its time line in words: each wait once, with its outcome; no step paths of the file.
    const rows = await page.getByRole('table', { name: 'Run time line' }).locator('tbody tr td.wide').allTextContents();
    expect(rows.filter((text) => /steps\[|customer\.on/.test(text))).toEqual([]);
    expect(rows.filter((text) => /wait/.test(text))).toEqual([
      'waited 0.4 s for acceptChat (the chat was assigned to "api"): it did not come',
    ]);
    expect(rows).toContain('nobody accepted: the chat was missed');
    await shot(page, 'scenario-verdict');
    await page.close();
  }, 40_000);
});

describe('Verify', () => {
  it('a verification started from the form fills in its checklist live: a reference integration passes every check', async () => {
    const integration = await startReferenceIntegration({ graphqlUrl: `${t.url}/graphql` });
    try {
      const page = await browser.open('/#/verifications');
      const form = page.getByRole('form', { name: 'Verify an integration' });
      // What the integration must be configured with, as the CLI says it.
      await expect
        .poll(() => form.textContent())
        .toMatch(
          new RegExp(
            `must call ${t.url}/graphql with Authorization: Bearer demo-token .*secret secr3t \\(tenant guuru-qa\\)`,
          ),
        );
      expect(await page.locator('.empty').textContent()).toMatch(/No verification yet/);
      // Every status the page shows while it runs; a reload would lose them.
      await page.evaluate(() => {
        const w = window as unknown as { statuses: string[] };
        w.statuses = [];
        new MutationObserver(() => {
          const s = document.querySelector('h1 .badge')?.textContent;
          if (s && w.statuses.at(-1) !== s) w.statuses.push(s);
        }).observe(document.body, { subtree: true, childList: true, characterData: true });
      });
      await form.getByLabel('Target: your webhook receiver').fill(integration.url);
      await form.getByLabel('Timeout (ms)').fill('2000');
      await form.getByRole('button', { name: 'Verify' }).click();
      await page.waitForURL(/#\/verifications\/ver-\d+$/);
      const rows = page.getByRole('table', { name: 'Checklist' }).locator('tbody tr');
      await expect.poll(() => page.locator('h1 .badge').textContent(), { timeout: 45_000 }).toBe('passed');
      expect(await page.evaluate(() => (window as unknown as { statuses: string[] }).statuses)).toEqual([
        'running',
        'passed',
      ]);
      const statuses = Object.fromEntries(
        await rows.evaluateAll((trs) =>
          trs.map((tr) => [tr.getAttribute('data-check-id'), tr.querySelector('.badge')?.textContent]),
        ),
      );
      expect(Object.keys(statuses)).toHaveLength(19);
      expect(Object.values(statuses).filter((s) => s === 'passed')).toHaveLength(18);
      expect(statuses['third-party.reopen']).toBe('skipped');
      const signed = rows.and(page.locator('[data-check-id="receiver.signed-accepted"]'));
      expect(await signed.textContent()).toMatch(
        /Accepts a correctly signed delivery.*receiver\.signed-accepted.*required.*correctly signed → 200; then acceptChat ×1.*GUURU webhooks: Examples/,
      );
      expect(await signed.getByRole('link', { name: /GUURU webhooks: Examples/ }).getAttribute('href')).toBe(
        'https://developers.guuru.com/docs/webhooks/examples',
      );
      expect(await page.locator('dd.ack').textContent()).toMatch(
        /^p50 \d+ ms · p99 \d+ ms · max \d+ ms over \d+ answers$/,
      );
      await shot(page, 'verification');
      await page.close();
    } finally {
      await integration.close();
    }
  }, 60_000);

  it('an integration that accepts any signature fails that check, with the evidence and the rule; the list shows both', async () => {
    const integration = await startReferenceIntegration({
      graphqlUrl: `${t.url}/graphql`,
      flaw: 'accepts-any-signature',
    });
    try {
      const page = await browser.open('/#/verifications');
      const form = page.getByRole('form', { name: 'Verify an integration' });
      await form.getByLabel('Target: your webhook receiver').fill(integration.url);
      await form.getByLabel('Timeout (ms)').fill('2000');
      await form.getByLabel('third-party').uncheck();
      await form.getByRole('button', { name: 'Verify' }).click();
      await page.waitForURL(/#\/verifications\/ver-\d+$/);
      await expect.poll(() => page.locator('h1 .badge').textContent(), { timeout: 30_000 }).toBe('failed');
      const rows = page.getByRole('table', { name: 'Checklist' }).locator('tbody tr');
      expect(await rows.count()).toBe(11);
      const failed = page.locator('tr.check-failed');
      expect(await failed.getAttribute('data-check-id')).toBe('receiver.bad-signature-refused');
      expect(await failed.locator('.evidence-line').textContent()).toMatch(
        /body changed after signing \(chat \S+\) → 200; then acceptChat ×1: it acted on a forged delivery/,
      );
      expect(await failed.locator('.rule').textContent()).toMatch(/^The rule: A body changed after signing/);
      await failed.getByText(/pieces? of evidence/).click();
      expect(await failed.locator('ul.evidence').textContent()).toMatch(
        /sent chat-assigned, body changed after signing .*→ HTTP 200/,
      );
      expect(await page.locator('.card-head .summary').textContent()).toBe(
        '10 passed · 1 failed (1 required) · 0 skipped',
      );
      await shot(page, 'verification-failed');

      await page.goto(`${t.url}/#/verifications`);
      const list = page.getByRole('table', { name: 'Verifications' }).locator('tbody tr');
      await expect.poll(() => list.count()).toBe(2);
      expect(await list.first().textContent()).toMatch(
        new RegExp(`failed.*${integration.url}.*10 passed · 1 failed \\(1 required\\) · 0 skipped`),
      );
      expect(await list.nth(1).textContent()).toMatch(/passed.*18 passed · 0 failed · 1 skipped/);
      await shot(page, 'verifications');
      await page.close();
    } finally {
      await integration.close();
    }
  }, 60_000);

  it('an exploration started from the form shows the minimal failing flow, numbered, with its file to download', async () => {
    const integration = await startReferenceIntegration({
      graphqlUrl: `${t.url}/graphql`,
      closeAfterSilenceMs: 300,
      flaw: 'answers-own-messages',
    });
    try {
      const page = await browser.open('/#/verifications');
      const form = page.getByRole('form', { name: 'Verify an integration' });
      await form.getByLabel('Target: your webhook receiver').fill(integration.url);
      await form.getByLabel('Timeout (ms)').fill('1000');
      await form.getByLabel('receiver', { exact: true }).uncheck();
      await form.getByLabel('third-party').uncheck();
      await form.getByLabel(/^Explore/).check();
      await form.getByLabel('Flows').fill('5');
      await form.getByRole('button', { name: 'Verify' }).click();
      await page.waitForURL(/#\/verifications\/ver-\d+$/);
      await expect.poll(() => page.locator('h1 .badge').textContent(), { timeout: 45_000 }).toBe('failed');
      const steps = await page.getByRole('list', { name: 'Minimal flow' }).locator('li').allTextContents();
      expect(steps[0]).toBe('chat A assigned to api');
      expect(steps.length).toBeLessThanOrEqual(3);
      expect(await page.getByText(/The smallest flow that breaks/).textContent()).toMatch(
        /explore\.ignores-own-messages \(shrunk from \d+ steps\)/,
      );
      expect(await page.getByRole('link', { name: 'Download the flow file' }).getAttribute('download')).toBe(
        'guuru-explore-ignores-own-messages.json',
      );
      expect(await page.locator('tr.check-failed').getAttribute('data-check-id')).toBe('explore.ignores-own-messages');
      await page.close();
    } finally {
      await integration.close();
    }
  }, 60_000);
});

describe('GraphiQL', () => {
  it('runs a query typed in the editor and returns the seeded partner', async () => {
    const page = await browser.open('/graphql');
    const editor = page.locator('.graphiql-query-editor .CodeMirror').first();
    await editor.waitFor();
    // The documented examples are there as tabs.
    await expect.poll(() => page.locator('.graphiql-tab').count()).toBeGreaterThanOrEqual(10);
    expect(await page.locator('.graphiql-tabs').textContent()).toMatch(/ChatState.*FetchChats.*Payouts.*AcceptChat/);
    await shot(page, 'graphiql');
    // Each step waits for GraphiQL to take the last one in (a new tab, then its operation name), as a
    // person would see it: on a busy machine a click can otherwise land on the tab before.
    const tabs = page.locator('.graphiql-tab');
    const before = await tabs.count();
    await page.locator('.graphiql-tab-add').click();
    await expect.poll(() => tabs.count()).toBe(before + 1);
    await expect.poll(() => page.locator('.graphiql-tab-active').textContent()).not.toMatch(/ChatState|Payouts/);
    await editor.click();
    await page.keyboard.press('Control+A');
    await page.keyboard.press('Delete');
    await page.keyboard.type('query Mine { partner { id state { chat { isAvailable } } } }', { delay: 5 });
    await page.keyboard.press('Escape');
    await expect.poll(() => page.locator('.graphiql-tab-active').textContent()).toContain('Mine');
    await page.locator('.graphiql-execute-button').click();
    const response = page.locator('.graphiql-response .CodeMirror');
    await expect.poll(() => response.textContent(), { timeout: 10_000 }).toContain('"id": "guuru-qa"');
    expect(await response.textContent()).toContain('"isAvailable": true');
  });
});

describe('Requests', () => {
  it('lists what the client sent, newest first, with errors; a new request appears without a reload', async () => {
    await t.gql('query Mine($first: Int!) { partner { chats(first: $first) { edges { node { id } } } } }', {
      first: 2,
    });
    await t.gql('mutation { closeChat(id: "no-such-chat") { id } }');
    const page = await browser.open('/#/requests');
    const rows = page.locator('table.requests tbody tr[data-request-id]');
    await expect.poll(() => rows.first().textContent()).toMatch(/mutation \(anonymous\) \{ closeChat \}.*NOT_FOUND/);
    expect(await rows.nth(1).textContent()).toMatch(/query Mine \{ partner \}\s*200/);
    await rows.nth(1).getByRole('button').click();
    expect(await page.getByLabel('Variables').textContent()).toContain('"first": 2');
    await shot(page, 'requests');
    await fetch(`${t.url}/gurusup/threads`, { headers: { 'x-api-key': 'wrong-key' } });
    await expect.poll(() => rows.first().textContent()).toMatch(/GET \/gurusup\/threads\s*401/);
    await page.close();
  });
});

describe('behind an admin token', () => {
  it('asks for the token once, keeps it in a cookie, and works (also when given in the address)', async () => {
    const locked = await startEmulator({ adminToken: 'sekret-admin-token-42' });
    const other = await startBrowser(locked.url);
    try {
      const page = await other.open('/');
      const prompt = page.getByRole('dialog', { name: 'This emulator needs its admin token' });
      await prompt.waitFor();
      await prompt.getByLabel('Admin token').fill('sekret-admin-token-42');
      await prompt.getByRole('button', { name: 'Continue' }).click();
      await expect.poll(() => page.locator('.card.tenant').first().textContent()).toContain('demo-token');
      await expect.poll(() => page.locator('.live').textContent()).toBe('Live');
      expect(await prompt.count()).toBe(0);

      // A fresh browser given the address the start banner prints.
      await other.context.clearCookies();
      await page.goto(`${locked.url}/?token=sekret-admin-token-42#/chats`);
      await page.locator('table.chats tbody tr').first().waitFor();
      expect(page.url()).toBe(`${locked.url}/#/chats`);
      expect(other.foreign).toEqual([]);
    } finally {
      await other.close();
      await locked.stop();
    }
  }, 40_000);
});
