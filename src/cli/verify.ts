/**
 * `guuru-emulator verify`: examines a running integration (its webhook receiver and, through the
 * Admin API, what it does) and prints a checklist. It talks to the emulator at --url through the
 * control API, and starts one in process on that address when none answers.
 */
import { writeFile } from 'node:fs/promises';
import { VirtualClock, type Clock } from '../kernel/clock.js';
import { createEmulator, type Emulator } from '../app/emulator.js';
import { silentLogger } from '../kernel/logger.js';
import { SUITES, type SuiteName } from '../verify/checks.js';
import { checkLine, summaryLines } from '../verify/checklist.js';
import { toJUnit } from '../verify/junit.js';
import { exitCodeOf, type VerificationReport } from '../verify/report.js';

export interface VerifyFlags {
  target: string;
  suite?: string;
  junit?: string;
  json?: string;
  url: string;
  seed?: number;
  timeout?: number;
  tenant?: string;
  /** The emulator's admin token (`--admin-token`, env ADMIN_TOKEN), when it requires one. */
  adminToken?: string;
}

/** A usage error: exit 2 with this message. */
export class UsageError extends Error {}

const POLL_MS = 100;

function parseSuites(value: string | undefined): SuiteName[] | undefined {
  if (value === undefined) return undefined;
  const names = value
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
  for (const name of names) {
    if (!(SUITES as readonly string[]).includes(name)) throw new UsageError(`--suite: unknown suite "${name}"; the suites are ${SUITES.join(', ')} (comma-separated).`);
  }
  return names as SuiteName[];
}

export function httpUrl(flag: string, value: string): URL {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new UsageError(`${flag}: "${value}" is not a URL; use an http(s) URL such as http://127.0.0.1:8000/webhooks.`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new UsageError(`${flag}: "${value}" is not an http(s) URL.`);
  return url;
}

/** True when a guuru-emulator answers its health check at `url`. */
export async function reachable(url: string): Promise<boolean> {
  try {
    const res = await fetch(`${url}/_emulator/health`, { signal: AbortSignal.timeout(1_500) });
    return res.ok && ((await res.json()) as { name?: string }).name === 'guuru-emulator';
  } catch {
    return false;
  }
}

interface TenantInfo {
  id: string;
  token: string;
  webhookSecret: string;
}

async function json<T>(res: Response): Promise<T> {
  const text = await res.text();
  try {
    return JSON.parse(text) as T;
  } catch {
    throw new Error(`the emulator answered ${res.status} with something that is not JSON: ${text.slice(0, 200)}`);
  }
}

/** Starts an emulator in this process on the address of --url, so an integration configured for it reaches it. */
export async function startLocal(url: URL, clock: Clock = new VirtualClock(Date.now())): Promise<{ emulator: Emulator; base: string }> {
  const port = Number(url.port || (url.protocol === 'https:' ? 443 : 80));
  if (url.protocol !== 'http:') throw new UsageError(`--url ${url.href}: no emulator answers there, and one can only be started on an http:// address.`);
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
  // By default a virtual clock, as `scenario run` uses: scenario time passes at the run's pace.
  const emulator = await createEmulator({ port, host, logger: silentLogger, clock });
  try {
    const base = await emulator.start();
    return { emulator, base };
  } catch (error) {
    await emulator.stop();
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EADDRINUSE' || code === 'EACCES' || code === 'EADDRNOTAVAIL') {
      throw new UsageError(`no emulator answers at ${url.origin}, and one cannot be started there (${code}): something else uses that address. Pass --url of a running guuru-emulator, or free the port.`);
    }
    throw error;
  }
}

export async function runVerify(flags: VerifyFlags, out: Pick<Console, 'log'> = console): Promise<number> {
  const target = httpUrl('--target', flags.target).href;
  const emulatorUrl = httpUrl('--url', flags.url);
  const suites = parseSuites(flags.suite);
  const colour = Boolean(process.stdout.isTTY) && process.env.NO_COLOR === undefined;

  let base = emulatorUrl.origin;
  let local: Emulator | undefined;
  if (!(await reachable(base))) {
    ({ emulator: local, base } = await startLocal(emulatorUrl));
    out.log(`no emulator at ${emulatorUrl.origin}; started one in this process at ${base} for this verification`);
  }
  const token = local?.adminToken ?? flags.adminToken ?? process.env.ADMIN_TOKEN;
  const headers: Record<string, string> = token ? { authorization: `Bearer ${token}` } : {};
  try {
    const listed = await fetch(`${base}/_emulator/tenants`, { headers });
    if (listed.status === 401) throw new UsageError(`the emulator at ${base} needs its admin token: pass --admin-token or set ADMIN_TOKEN (${(await json<{ message?: string }>(listed)).message ?? 'HTTP 401'})`);
    const tenants = (await json<{ tenants: TenantInfo[] }>(listed)).tenants;
    const tenant = flags.tenant === undefined ? tenants[0] : tenants.find((t) => t.id === flags.tenant);
    if (!tenant) throw new UsageError(`--tenant ${flags.tenant}: no such tenant at ${base}; there are ${tenants.map((t) => t.id).join(', ')}.`);
    out.log(`your integration must call ${base}/graphql with "Authorization: Bearer ${tenant.token}" and check webhook signatures with the secret "${tenant.webhookSecret}" (tenant ${tenant.id})`);

    const started = await fetch(`${base}/_emulator/verifications`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: JSON.stringify({ target, tenant: tenant.id, ...(suites ? { suites } : {}), ...(flags.seed !== undefined ? { seed: flags.seed } : {}), ...(flags.timeout !== undefined ? { timeoutMs: flags.timeout } : {}) }),
    });
    const answer = await json<{ id?: string; message?: string }>(started);
    if (started.status !== 202 || !answer.id) throw new UsageError(`cannot verify: ${answer.message ?? `HTTP ${started.status}`}`);
    out.log(`verifying ${target} (${answer.id})`);

    const printed = new Set<string>();
    let report: VerificationReport;
    for (;;) {
      report = await json<VerificationReport>(await fetch(`${base}/_emulator/verifications/${answer.id}`, { headers }));
      // In the catalogue's order, each line once its check and the ones before it are settled. A
      // verification that could not run has nothing to say per check.
      for (const check of report.status === 'error' ? [] : report.checks) {
        if (check.status === 'pending') break;
        if (printed.has(check.id)) continue;
        printed.add(check.id);
        out.log(checkLine(check, colour));
      }
      if (report.status !== 'running') break;
      await new Promise((resolve) => setTimeout(resolve, POLL_MS));
    }
    for (const line of summaryLines(report, colour)) out.log(line);
    if (flags.json) await writeFile(flags.json, `${JSON.stringify(report, null, 2)}\n`);
    if (flags.junit) await writeFile(flags.junit, toJUnit(report));
    if (flags.json || flags.junit) out.log(`report written to ${[flags.json, flags.junit].filter(Boolean).join(' and ')}`);
    return exitCodeOf(report);
  } finally {
    await local?.stop();
  }
}
