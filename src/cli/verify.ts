/**
 * `guuru-emulator verify`: examines a running integration (its webhook receiver and, through the
 * Admin API, what it does) and prints a checklist. It talks to the emulator at --url through the
 * control API, and starts one in process on that address when none answers.
 */
import { writeFile } from 'node:fs/promises';
import { ControlApiError, type TenantInfo } from '../testing/control-client.js';
import { SUITES, type SuiteName } from '../verify/checks.js';
import { checkLine, summaryLines } from '../verify/checklist.js';
import { toJUnit } from '../verify/junit.js';
import { exitCodeOf, type VerificationReport } from '../verify/report.js';
import { httpUrl } from './flags.js';
import { messageOf, reachOrStart, UsageError } from './remote.js';

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

const POLL_MS = 100;

function parseSuites(value: string | undefined): SuiteName[] | undefined {
  if (value === undefined) return undefined;
  const names = value
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
  for (const name of names) {
    if (!(SUITES as readonly string[]).includes(name))
      throw new UsageError(`--suite: unknown suite "${name}"; the suites are ${SUITES.join(', ')} (comma-separated).`);
  }
  return names as SuiteName[];
}

export async function runVerify(flags: VerifyFlags, out: Pick<Console, 'log'> = console): Promise<number> {
  const target = httpUrl('--target', flags.target).href;
  const emulatorUrl = httpUrl('--url', flags.url);
  const suites = parseSuites(flags.suite);
  const colour = Boolean(process.stdout.isTTY) && process.env.NO_COLOR === undefined;

  const remote = await reachOrStart(
    {
      url: emulatorUrl.origin,
      command: 'verify',
      adminToken: flags.adminToken,
      virtualClock: true,
      lifetime: ' for this verification',
    },
    out,
  );
  const { control, base } = remote;
  try {
    let tenants: TenantInfo[];
    try {
      tenants = await control.tenants();
    } catch (error) {
      if (error instanceof ControlApiError && error.status === 401)
        throw new UsageError(
          `the emulator at ${base} needs its admin token: pass --admin-token or set ADMIN_TOKEN (${error.body.message ?? 'HTTP 401'})`,
        );
      throw error;
    }
    const tenant = flags.tenant === undefined ? tenants[0] : tenants.find((t) => t.id === flags.tenant);
    if (!tenant)
      throw new UsageError(
        `--tenant ${flags.tenant}: no such tenant at ${base}; there are ${tenants.map((t) => t.id).join(', ')}.`,
      );
    out.log(
      `your integration must call ${base}/graphql with "Authorization: Bearer ${tenant.token}" and check webhook signatures with the secret "${tenant.webhookSecret}" (tenant ${tenant.id})`,
    );

    const examiner = control.forTenant(tenant.id);
    let id: string;
    try {
      ({ id } = await examiner.startVerification({
        target,
        ...(suites ? { suites } : {}),
        ...(flags.seed !== undefined ? { seed: flags.seed } : {}),
        ...(flags.timeout !== undefined ? { timeoutMs: flags.timeout } : {}),
      }));
    } catch (error) {
      throw new UsageError(`cannot verify: ${messageOf(error)}`);
    }
    out.log(`verifying ${target} (${id})`);

    const printed = new Set<string>();
    let report: VerificationReport;
    for (;;) {
      report = await examiner.verification(id);
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
    if (flags.json || flags.junit)
      out.log(`report written to ${[flags.json, flags.junit].filter(Boolean).join(' and ')}`);
    return exitCodeOf(report);
  } finally {
    await remote.stop();
  }
}
