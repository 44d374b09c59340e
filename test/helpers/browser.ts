import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';

/** Debian's chromium (CI installs it in .ci/run); playwright-core only drives it. */
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export interface TestBrowser {
  context: BrowserContext;
  /** A new tab on `path` of the emulator, once its dashboard has rendered. */
  open(path?: string): Promise<Page>;
  /** Every request the pages tried to send elsewhere than the emulator (all were blocked). */
  foreign: string[];
  /** Errors the pages logged or threw. */
  pageErrors: string[];
  close(): Promise<void>;
}

/**
 * Chromium with a fresh profile, where every request to a host other than the emulator's is
 * aborted and recorded: the pages must work with no network.
 */
export async function startBrowser(
  baseUrl: string,
  options: { width?: number; height?: number } = {},
): Promise<TestBrowser> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(
      `The browser tests drive Debian's chromium at ${CHROMIUM}, which is missing: run "apt-get install chromium" (as .ci/run does), or set CHROMIUM_PATH to another Chromium.`,
    );
  }
  const profile = mkdtempSync(join(tmpdir(), 'guuru-emulator-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: CHROMIUM_ARGS,
    viewport: { width: options.width ?? 1280, height: options.height ?? 800 },
    timezoneId: 'UTC',
    locale: 'en-US',
  });
  const origin = new URL(baseUrl).origin;
  const foreign: string[] = [];
  const pageErrors: string[] = [];
  await context.route('**/*', (route) => {
    const url = route.request().url();
    if (url.startsWith(`${origin}/`) || url === origin || url.startsWith('data:') || url.startsWith('blob:'))
      return route.continue();
    foreign.push(url);
    return route.abort('blockedbyclient');
  });
  const watch = (page: Page) => {
    page.on('pageerror', (error) => pageErrors.push(String(error)));
    page.on('console', (message) => {
      if (message.type() === 'error') pageErrors.push(message.text());
    });
  };
  context.on('page', watch);
  return {
    context,
    foreign,
    pageErrors,
    async open(path = '/') {
      const page = context.pages().find((p) => p.url() === 'about:blank') ?? (await context.newPage());
      await page.goto(`${baseUrl}${path}`);
      return page;
    },
    async close() {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}
