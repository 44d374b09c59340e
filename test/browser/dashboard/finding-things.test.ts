/// <reference lib="dom" />
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startBrowser, type TestBrowser } from '../../helpers/browser.js';
import { startEmulator, type TestEmulator } from '../../helpers/emulator.js';
import { startWebhookSink, type WebhookSink } from '../../helpers/webhook-sink.js';

// What a newcomer looked for in the pages: one search for any id across the views, "copy as curl"
// for a request and a delivery (the commands are run here, with a shell and curl), a chat titled by
// its question, GraphiQL's way back to the dashboard, and the wait docs/dashboard.md recommends.
const sh = promisify(execFile);
const runShell = async (command: string) => (await sh('sh', ['-c', command], { timeout: 10_000 })).stdout;

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
  expect(browser.foreign).toEqual([]);
  expect(browser.pageErrors).toEqual([]);
});

const control = (path: string, body?: unknown, method = body === undefined ? 'GET' : 'POST') =>
  fetch(`${t.url}/_emulator${path}`, {
    method,
    headers: { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  }).then((r) => r.json() as Promise<any>);

const QUESTION = 'Is the blue rain jacket really waterproof?';

describe('one search for any id', () => {
  it('opens a chat by its id, a delivery by its Idempotency-Key, and lists a delivery and a request that share an id', async () => {
    await control('/webhooks', { url: sink.url }, 'PUT');
    const chat = await control('/tenants/guuru-qa/chats', { question: QUESTION, requestedExperts: ['api'] });
    await control(`/tenants/guuru-qa/chats/${chat.id}/accept`, {});
    await control(`/tenants/guuru-qa/chats/${chat.id}/messages`, { from: 'user', text: 'And does it have a hood?' });
    await sink.waitFor(3);
    await t.gql('query Partner { partner { id } }');
    const page = await browser.open('/#/deliveries');
    const search = page.getByRole('search', { name: 'Find by id' });
    const field = search.getByRole('searchbox', { name: 'Chat id, delivery id, Idempotency-Key or request id' });

    // A chat id: its page opens, titled by its question (not its latest message), in the tab too.
    await field.fill(chat.id);
    await field.press('Enter');
    await page.waitForURL(new RegExp(`#/chats/guuru-qa/${chat.id}$`));
    await expect.poll(() => page.getByRole('heading', { level: 1 }).textContent()).toContain(QUESTION);
    await expect.poll(() => page.title()).toBe(`${QUESTION} · guuru-emulator`);

    // The Idempotency-Key a receiver logged: the one delivery with it.
    const assigned = sink.received.find((r) => r.event === 'chat-assigned')!;
    await field.fill(String(assigned.headers['idempotency-key']));
    await search.getByRole('button', { name: 'Find' }).click();
    await page.waitForURL(/#\/deliveries\/\d+$/);
    await expect.poll(() => page.getByRole('heading', { level: 1 }).textContent()).toContain('chat-assigned');

    // "1" is a delivery and a request: both are listed; the request opens in the journal.
    await field.fill('1');
    await field.press('Enter');
    const results = page.getByRole('region', { name: 'Search results' });
    await expect
      .poll(() => results.getByRole('link').allTextContents())
      .toEqual([
        expect.stringMatching(/^Delivery 1: chat-assigned → http:\/\/127\.0\.0\.1:\d+/),
        expect.stringMatching(/^Request 1: POST \/graphql Partner \(HTTP 200\)$/),
      ]);
    await results.getByRole('link', { name: /^Request 1/ }).click();
    await page.waitForURL(/#\/requests\?request=1$/);
    await expect
      .poll(() => page.getByRole('button', { name: 'query Partner { partner }' }).getAttribute('aria-expanded'))
      .toBe('true');

    // An id nothing has.
    await field.fill('no-such-id');
    await field.press('Enter');
    await expect.poll(() => results.getByRole('status').textContent()).toMatch(/^Nothing has the id "no-such-id"/);
    await page.close();
  }, 30_000);
});

describe('copy as curl', () => {
  it('a delivery: the command sends it again, signed, with its Idempotency-Key', async () => {
    const delivered = sink.received.length;
    const [first] = (await control('/deliveries?event=chat-assigned')).deliveries;
    const page = await browser.open(`/#/deliveries/${first.id}`);
    await page.getByRole('button', { name: 'Copy as curl' }).click();
    const command = await page.getByRole('textbox', { name: 'curl command for this delivery' }).inputValue();
    expect(command).toMatch(/^curl -s -X POST 'http:\/\/127\.0\.0\.1:\d+\/webhooks'/);
    await runShell(command);
    await sink.waitFor(delivered + 1);
    const again = sink.received.at(-1)!;
    expect(again).toMatchObject({ event: 'chat-assigned', verified: true, rawBody: first.rawBody });
    expect(again.headers['idempotency-key']).toBe(first.idempotencyKey);
    await page.close();
  });

  it("a GraphQL request: the command sends it again with the tenant's token and gets the same answer", async () => {
    await t.gql('query Chats($first: Int!) { partner { chats(first: $first) { edges { node { id question } } } } }', {
      first: 2,
    });
    const page = await browser.open('/#/requests');
    await page.getByRole('button', { name: 'query Chats { partner }' }).click();
    await page.getByRole('button', { name: 'Copy as curl' }).click();
    const command = await page.getByRole('textbox', { name: 'curl command for this request' }).inputValue();
    expect(command).toContain("-H 'Authorization: Bearer demo-token'");
    const answer = JSON.parse(await runShell(command));
    expect(answer).toEqual(
      (
        await t.gql(
          'query Chats($first: Int!) { partner { chats(first: $first) { edges { node { id question } } } } }',
          { first: 2 },
        )
      ).body,
    );
    expect(answer.data.partner.chats.edges).toHaveLength(2);
    await page.close();
  });
});

describe('GraphiQL', () => {
  it('has a link back to the dashboard on one line', async () => {
    const page = await browser.open('/graphql');
    const back = page.getByRole('link', { name: 'guuru-emulator dashboard' });
    await back.waitFor();
    // One line: less than two font sizes high (wrapped, it was two lines).
    const { height, fontSize } = await back.evaluate((a) => ({
      height: a.getBoundingClientRect().height,
      fontSize: parseFloat(getComputedStyle(a).fontSize),
    }));
    expect(height).toBeLessThan(fontSize * 2);
    await back.click();
    await page.getByRole('navigation', { name: 'Views' }).waitFor();
    expect(new URL(page.url()).pathname).toBe('/');
    await page.close();
  });
});

describe('waiting for the dashboard in a test (docs/dashboard.md)', () => {
  it('the documented wait (the Live indicator) works, and "network idle" never comes: the live stream stays open', async () => {
    const page = await browser.context.newPage();
    await page.goto(`${t.url}/`);
    await page
      .getByRole('status')
      .filter({ hasText: /^Live$/ })
      .waitFor({ timeout: 10_000 });
    await expect(page.waitForLoadState('networkidle', { timeout: 1_500 })).rejects.toThrow(/Timeout/);
    await page.close();
  });
});
