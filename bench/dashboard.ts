/**
 * The "dashboard" part of the bench (`npm run bench -- --only dashboard`):
 * - page weight: the dashboard's own JS + CSS as served (gzip), beside the GraphiQL page's;
 * - time to first render in Debian's chromium, cold cache: navigation start → the Overview shows
 *   the tenants (a performance mark the page sets), beside first paint of a bare JSON page;
 * - what ten open dashboards cost the API during a busy-day run: `{ partner { id } }` throughput
 *   with ten tabs on the dashboard views vs the same ten tabs on about:blank, interleaved rounds.
 * The emulator is the built CLI pinned to CPU 0; chromium runs niced (and on CPU 1 when pinning).
 */
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import { chromium, type Browser, type Page } from 'playwright-core';
import { AUTH_HEADER, LISTENING, Q1, cpuSecondsOf, median, round, sleep, spawnChild } from './lib.js';

const MAIN = fileURLToPath(new URL('../dist/main.js', import.meta.url));
const MANIFEST = fileURLToPath(new URL('../dist/dashboard/manifest.json', import.meta.url));
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];
const FIRST_RENDER = 'guuru-dashboard:first-render';

interface Manifest {
  dashboard: { js: string; css?: string };
  graphiql: { js: string; css?: string };
  files: Record<string, { bytes: number; gzip: number }>;
}

function weights() {
  const m = JSON.parse(readFileSync(MANIFEST, 'utf8')) as Manifest;
  const of = (page: { js: string; css?: string }) => {
    const files = [page.js, ...(page.css ? [page.css] : [])].map((f) => m.files[f] ?? { bytes: 0, gzip: 0 });
    return { bytes: files.reduce((n, f) => n + f.bytes, 0), gzip: files.reduce((n, f) => n + f.gzip, 0) };
  };
  return { dashboard: of(m.dashboard), graphiql: of(m.graphiql) };
}

/** Chromium at low priority (and on CPU 1 when pinning), so it competes as little as it can with the server. */
function launcher(pin: boolean, dir: string): string {
  const wrapper = join(dir, 'chromium.sh');
  writeFileSync(wrapper, `#!/bin/sh\nexec ${pin ? 'taskset -c 1 ' : ''}nice -n 10 ${CHROMIUM} "$@"\n`);
  chmodSync(wrapper, 0o755);
  return wrapper;
}

async function firstRender(
  browser: Browser,
  url: string,
  plainPage: string,
): Promise<{ renderMs: number; fcpMs: number; baselineFcpMs: number }> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  try {
    const page = await context.newPage();
    await page.goto(plainPage);
    await page.waitForFunction(() => performance.getEntriesByName('first-contentful-paint').length > 0, undefined, {
      polling: 50,
      timeout: 10_000,
    });
    const baselineFcpMs = await page.evaluate(
      () => performance.getEntriesByName('first-contentful-paint')[0]?.startTime ?? NaN,
    );
    await page.goto(`${url}/`);
    await page.waitForFunction((mark) => performance.getEntriesByName(mark).length > 0, FIRST_RENDER, {
      timeout: 30_000,
    });
    const { renderMs, fcpMs } = await page.evaluate(
      (mark) => ({
        renderMs: performance.getEntriesByName(mark)[0]?.startTime ?? NaN,
        fcpMs: performance.getEntriesByName('first-contentful-paint')[0]?.startTime ?? NaN,
      }),
      FIRST_RENDER,
    );
    return { renderMs, fcpMs, baselineFcpMs };
  } finally {
    await context.close();
  }
}

/** One load window: Q1 req/s, and Q1 requests per CPU second of the emulator (what the dashboards take from it). */
interface Window {
  reqPerSec: number;
  perCpuSecond: number;
}

async function cannon(url: string, duration: number, serverPid: number): Promise<Window> {
  const cpuBefore = cpuSecondsOf(serverPid);
  const result = await autocannon({
    url: `${url}/graphql`,
    connections: 50,
    duration,
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: AUTH_HEADER },
    body: JSON.stringify({ query: Q1 }),
  });
  if (result.non2xx > 0 || result.errors > 0)
    throw new Error(`autocannon: ${result.non2xx} non-2xx, ${result.errors} errors`);
  const cpu = (cpuSecondsOf(serverPid) ?? NaN) - (cpuBefore ?? NaN);
  return { reqPerSec: result.requests.average, perCpuSecond: result.requests.total / cpu };
}

export async function measureDashboard({ quick, pin }: { quick: boolean; pin: boolean }) {
  const weight = weights();
  const dir = mkdtempSync(join(tmpdir(), 'guuru-bench-dashboard-'));
  // A receiver for busy-day's webhooks: the Deliveries views have something to show.
  // Also serves the baseline of the first-render figure: a plain HTML page with one paragraph.
  const receiver = createServer((req, res) => {
    req.resume();
    req.on('end', () =>
      req.url === '/plain'
        ? res
            .writeHead(200, { 'content-type': 'text/html' })
            .end('<!doctype html><title>plain</title><p>A plain page.</p>')
        : res.writeHead(200).end('ok'),
    );
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  const receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`;
  const target = `${receiverUrl}/webhooks`;
  const child = spawnChild(process.execPath, [MAIN, 'start', '--port', '0'], { pin });
  let browser: Browser | undefined;
  try {
    const url = (await child.waitFor(LISTENING, 60_000))[1] ?? '';
    browser = await chromium.launch({ executablePath: launcher(pin, dir), args: ARGS, headless: true });

    const renders = [];
    for (let i = 0; i < (quick ? 3 : 7); i += 1) renders.push(await firstRender(browser, url, `${receiverUrl}/plain`));

    // busy-day: 300 chats over a simulated day, played at 1,500× (a day in about a minute), signed webhooks to the receiver.
    const post = (path: string, body: unknown) =>
      fetch(`${url}${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      }).then((r) => r.json() as Promise<any>);
    const startRun = () => post('/_emulator/scenarios/busy-day/runs', { speed: 1500, target, params: { chats: 300 } });
    let run = await startRun();
    await sleep(3_000);
    const chatId: string = (
      await fetch(`${url}/_emulator/tenants/guuru-qa/chats?limit=1`).then((r) => r.json() as Promise<any>)
    ).chats[0].id;
    const views = [
      '/',
      '/',
      '/#/chats',
      '/#/chats',
      '/#/chats',
      '/#/deliveries',
      '/#/requests',
      `/#/scenarios/busy-day/runs/${run.id}`,
      `/#/chats/guuru-qa/${chatId}`,
      '/',
    ];
    // Ten dashboards of ten people: a context each (tabs of one browser would share one stream).
    const contexts = await Promise.all(
      views.map(() => browser!.newContext({ viewport: { width: 1280, height: 800 } })),
    );
    const tabs: Page[] = await Promise.all(contexts.map((c) => c.newPage()));
    const show = async (dashboards: boolean) => {
      await Promise.all(tabs.map((tab, i) => tab.goto(dashboards ? `${url}${views[i]}` : 'about:blank')));
      if (dashboards) {
        await Promise.all(
          tabs.map((tab, i) =>
            tab
              .waitForFunction(() => document.querySelector('.live')?.textContent === 'Live', undefined, {
                timeout: 30_000,
                polling: 250,
              })
              .catch(async (error: Error) => {
                throw new Error(
                  `dashboard ${views[i]} never went live (${await tab
                    .locator('.live')
                    .textContent()
                    .catch(() => 'no indicator')}): ${error.message}`,
                );
              }),
          ),
        );
      }
      await sleep(1_000);
    };

    const rounds = quick ? 1 : 4;
    const duration = quick ? 4 : 8;
    const withTabs: Window[] = [];
    const without: Window[] = [];
    for (let r = 0; r < rounds; r += 1) {
      // Keep a busy-day running through every measurement.
      const status = await fetch(`${url}/_emulator/scenarios/busy-day/runs/${run.id}`).then(
        (res) => res.json() as Promise<any>,
      );
      if (status.status !== 'running') run = await startRun();
      for (const dashboards of r % 2 === 0 ? [false, true] : [true, false]) {
        await show(dashboards);
        (dashboards ? withTabs : without).push(await cannon(url, duration, child.pid));
      }
    }
    const listeners = await fetch(`${url}/_emulator/health`).then((r) => r.json() as Promise<any>);
    await Promise.all(contexts.map((c) => c.close()));
    // Judged per CPU second of the emulator: the browser (CPU 1) and the load generator share a CPU,
    // so req/s alone also counts the tabs slowing the load generator down, not the emulator.
    const middle = (windows: Window[], pick: (w: Window) => number) => median(windows.map(pick));
    const ratio = round(middle(withTabs, (w) => w.perCpuSecond) / middle(without, (w) => w.perCpuSecond), 3);
    const reqPerSecRatio = round(middle(withTabs, (w) => w.reqPerSec) / middle(without, (w) => w.reqPerSec), 3);
    return {
      pageWeight: weight,
      firstRender: {
        runs: renders.length,
        medianRenderMs: round(median(renders.map((r) => r.renderMs))),
        medianFcpMs: round(median(renders.map((r) => r.fcpMs))),
        medianBaselineFcpMs: round(median(renders.map((r) => r.baselineFcpMs))),
      },
      liveCost: {
        rounds,
        durationS: duration,
        busyDay: { chats: 300, speed: 1500, webhooksTo: 'a loopback receiver' },
        views,
        reqPerSecWithoutDashboards: without.map((w) => round(w.reqPerSec)),
        reqPerSecWithDashboards: withTabs.map((w) => round(w.reqPerSec)),
        perCpuSecondWithoutDashboards: without.map((w) => round(w.perCpuSecond)),
        perCpuSecondWithDashboards: withTabs.map((w) => round(w.perCpuSecond)),
        ratio,
        costPercent: round((1 - ratio) * 100, 1),
        reqPerSecCostPercent: round((1 - reqPerSecRatio) * 100, 1),
        tenantsAtEnd: listeners.tenants,
      },
    };
  } finally {
    await browser?.close().catch(() => undefined);
    await child.stop();
    await new Promise<void>((resolve) => receiver.close(() => resolve()));
    receiver.closeAllConnections();
    rmSync(dir, { recursive: true, force: true });
  }
}
