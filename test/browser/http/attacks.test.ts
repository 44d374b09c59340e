/// <reference lib="dom" />
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHROMIUM, CHROMIUM_ARGS } from '../../helpers/browser.js';
import { startEmulator, type TestEmulator } from '../../helpers/emulator.js';

// What a web page the developer visits can do to an emulator on their machine, tried in a real
// browser: cross-site requests a page may send without asking (text/plain fetch, forms), and DNS
// rebinding (a foreign name that resolves to 127.0.0.1, so the page is "same-origin" with it).
const ASSIGNED_CHAT = 'O2bqy2CsAaS7RBXZrhMOB';

let t: TestEmulator;
let context: BrowserContext;
let profile: string;
let port: string;
beforeAll(async () => {
  if (!existsSync(CHROMIUM))
    throw new Error(
      `These tests drive Debian's chromium at ${CHROMIUM}: run "apt-get install chromium" (as .ci/run does).`,
    );
  t = await startEmulator();
  port = new URL(t.url).port;
  profile = mkdtempSync(join(tmpdir(), 'guuru-attacks-chromium-'));
  context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: [
      ...CHROMIUM_ARGS,
      // evil.test resolves to this machine, as a rebinding attacker's DNS would make it.
      '--host-resolver-rules=MAP evil.test 127.0.0.1',
      // Chromium's own Local Network Access checks off: Firefox, Safari, older Chromes and a user
      // who clicked "Allow" do not stop these requests, so the emulator must refuse them itself.
      '--disable-features=LocalNetworkAccessChecks,BlockInsecurePrivateNetworkRequests,PrivateNetworkAccessSendPreflights,PrivateNetworkAccessRespectPreflightResults',
    ],
  });
});
afterAll(async () => {
  await context?.close();
  if (profile) rmSync(profile, { recursive: true, force: true });
  await t?.stop();
});

const unchanged = () => {
  expect(t.emulator.store.tenants().map((x) => x.id)).toEqual(['guuru-qa']);
  expect(t.emulator.store.tenant('guuru-qa')!.chatsById.get(ASSIGNED_CHAT)!.status).toBe('assigned');
  expect(t.emulator.scenarios.runsOf('happy-path')).toEqual([]);
};

describe('a web page cannot drive the emulator', () => {
  it('cross-site: text/plain fetches and auto-submitted forms change nothing', async () => {
    const page = await context.newPage();
    // The attacker's page, on a site of its own.
    await page.route('http://attacker.test/**', (route) =>
      route.fulfill({ contentType: 'text/html', body: '<!doctype html><title>cute cats</title><body></body>' }),
    );
    await page.goto('http://attacker.test/');
    const base = t.url;
    const sent = await page.evaluate(
      async ({ base, chat }) => {
        const targets = [
          '/_emulator/reset',
          '/_emulator/tenants',
          `/_emulator/tenants/guuru-qa/chats/${chat}/accept`,
          `/_emulator/tenants/guuru-qa/chats/${chat}/close`,
          '/_emulator/scenarios/happy-path/runs',
          '/_emulator/deliveries/flush',
        ];
        let count = 0;
        for (const path of targets) {
          // A "simple" request: the browser sends it without a preflight, the page just cannot read the answer.
          await fetch(base + path, {
            method: 'POST',
            mode: 'no-cors',
            headers: { 'content-type': 'text/plain' },
            body: '{}',
          });
          count += 1;
          const frame = document.createElement('iframe');
          frame.name = `f${count}`;
          document.body.append(frame);
          const form = document.createElement('form');
          form.method = 'POST';
          form.action = base + path;
          form.target = frame.name;
          form.enctype = 'text/plain';
          const field = document.createElement('input');
          field.name = '{"id":"from-a-form","x":"';
          field.value = '"}';
          form.append(field);
          document.body.append(form);
          await new Promise((resolve) => {
            frame.onload = resolve;
            form.submit();
          });
        }
        return count;
      },
      { base, chat: ASSIGNED_CHAT },
    );
    expect(sent).toBe(6);
    unchanged();
    await page.close();
  });

  it('DNS rebinding: a page at a foreign name that resolves to 127.0.0.1 reads and changes nothing', async () => {
    const page = await context.newPage();
    const origin = `http://evil.test:${port}`;
    // The attacker served this page while evil.test still pointed at its server; now the name points here.
    await page.route(`${origin}/rebind.html`, (route) =>
      route.fulfill({ contentType: 'text/html', body: '<!doctype html><title>rebind</title>' }),
    );
    await page.goto(`${origin}/rebind.html`);
    const outcome = await page.evaluate(async () => {
      const read = await fetch('/_emulator/tenants');
      const write = await fetch('/_emulator/reset', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: '{}',
      });
      const create = await fetch('/_emulator/tenants', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: '{"id":"rebound"}',
      });
      return { read: read.status, text: await read.text(), write: write.status, create: create.status };
    });
    expect(outcome).toMatchObject({ read: 403, write: 403, create: 403 });
    expect(outcome.text).not.toContain('demo-token');
    expect(outcome.text).toContain('FORBIDDEN_HOST');
    unchanged();
    await page.close();
  });

  it('while the emulator serves the same requests from scripts (no browser Origin)', async () => {
    const res = await fetch(`${t.url}/_emulator/tenants`);
    expect(((await res.json()) as { tenants: { token: string }[] }).tenants[0]!.token).toBe('demo-token');
  });
});
