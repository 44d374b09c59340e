/**
 * `guuru-emulator verify`: examines a running integration (its webhook receiver and, through the
 * Admin API, what it does) and prints a checklist. It talks to the emulator at --url through the
 * control API, and starts one in process on that address when none answers.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { parseFlowFile, type FlowFile } from '../verify/explore/flow-file.js';
import { ControlApiError, type TenantInfo } from '../testing/control-client.js';
import { SUITES, type SuiteName } from '../verify/checks.js';
import { checkLine, summaryLines } from '../verify/checklist.js';
import { toJUnit } from '../verify/junit.js';
import { exitCodeOf, type VerificationReport } from '../verify/report.js';
import { httpUrl } from './flags.js';
import { messageOf, reachOrStart, UsageError, type Remote } from './remote.js';

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
  explore?: boolean;
  runs?: number;
  exploreTime?: number;
  exploreGrace?: number;
  exploreSilence?: number;
  exploreOut?: string;
  replay?: string;
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

/** A flow file of --explore, or a usage error saying why not (`what`: the flag or command that reads it). */
export async function readFlowFile(path: string, what = '--replay'): Promise<FlowFile> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new UsageError(
      `${what}: cannot read ${path} (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`,
    );
  }
  try {
    return parseFlowFile(JSON.parse(text));
  } catch (error) {
    throw new UsageError(
      `${what} ${path}: ${error instanceof SyntaxError ? `not JSON (${error.message})` : (error as Error).message}`,
    );
  }
}

export async function runVerify(flags: VerifyFlags, out: Pick<Console, 'log'> = console): Promise<number> {
  const target = httpUrl('--target', flags.target).href;
  const emulatorUrl = httpUrl('--url', flags.url);
  const suites = parseSuites(flags.suite);
  const colour = Boolean(process.stdout.isTTY) && process.env.NO_COLOR === undefined;
  const replay = flags.replay === undefined ? undefined : await readFlowFile(flags.replay);
  if (replay && flags.explore) throw new UsageError('--replay plays one recorded flow: leave out --explore');
  for (const [flag, value, what] of [
    ['--explore-grace', flags.exploreGrace, 'grace'],
    ['--explore-silence', flags.exploreSilence, 'longest silence'],
  ] as const)
    if (replay && value !== undefined)
      throw new UsageError(`--replay plays the flow with the ${what} it was recorded with: leave out ${flag}`);

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
    const tenant = await chooseTenant(control, base, flags.tenant);
    out.log(
      `your integration must call ${base}/graphql with "Authorization: Bearer ${tenant.token}" and check webhook signatures with the secret "${tenant.webhookSecret}" (tenant ${tenant.id})`,
    );

    const examiner = control.forTenant(tenant.id);
    let id: string;
    try {
      const settings = {
        ...(flags.runs !== undefined ? { runs: flags.runs } : {}),
        ...(flags.exploreTime !== undefined ? { timeMs: flags.exploreTime } : {}),
        ...(flags.exploreGrace !== undefined ? { graceMs: flags.exploreGrace } : {}),
        ...(flags.exploreSilence !== undefined ? { maxSilenceMs: flags.exploreSilence } : {}),
      };
      const explore = flags.explore || Object.keys(settings).length > 0 ? settings : undefined;
      ({ id } = await examiner.startVerification({
        target,
        ...(suites ? { suites } : {}),
        ...(flags.seed !== undefined ? { seed: flags.seed } : {}),
        ...(replay
          ? { timeoutMs: flags.timeout ?? replay.timeoutMs, replay }
          : flags.timeout !== undefined
            ? { timeoutMs: flags.timeout }
            : {}),
        ...(explore && !replay ? { explore } : {}),
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
    await printExplore(report, flags, target, out);
    if (flags.json) await writeFile(flags.json, `${JSON.stringify(report, null, 2)}\n`);
    if (flags.junit) await writeFile(flags.junit, toJUnit(report));
    if (flags.json || flags.junit)
      out.log(`report written to ${[flags.json, flags.junit].filter(Boolean).join(' and ')}`);
    return exitCodeOf(report);
  } finally {
    await remote.stop();
  }
}

/** The tenant of --tenant (default the first), or a usage error saying which there are or that the admin token is missing. */
async function chooseTenant(control: Remote['control'], base: string, wanted: string | undefined): Promise<TenantInfo> {
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
  const tenant = wanted === undefined ? tenants[0] : tenants.find((t) => t.id === wanted);
  if (!tenant)
    throw new UsageError(
      `--tenant ${wanted}: no such tenant at ${base}; there are ${tenants.map((t) => t.id).join(', ')}.`,
    );
  return tenant;
}

/** What --explore or --replay found: the minimal failing flow (written to its file) or that nothing broke. */
async function printExplore(
  report: VerificationReport,
  flags: VerifyFlags,
  target: string,
  out: Pick<Console, 'log'>,
): Promise<void> {
  const failure = report.explore?.failure;
  if (failure) {
    const file = flags.replay ?? flags.exploreOut ?? `guuru-explore-${failure.property.replace(/^explore\./, '')}.json`;
    if (!flags.replay) await writeFile(file, `${JSON.stringify(failure.file, null, 2)}\n`);
    out.log(
      `${flags.replay ? 'the replayed flow' : `the smallest failing flow (shrunk from ${failure.originalSteps} steps)`}, breaking ${failure.property}:`,
    );
    for (const step of failure.steps) out.log(`  ${step}`);
    out.log(`  → ${failure.text}`);
    if (!flags.replay) {
      out.log(
        `written to ${file}; play it again with: guuru-emulator verify --target ${target} --replay ${file} (against your integration restarted: the same Idempotency-Keys come again)`,
      );
      out.log(`keep it as a scenario with: guuru-emulator scenario from-flow ${file}`);
    }
  } else if (report.explore && report.status === 'passed') {
    out.log(
      report.explore.mode === 'replay'
        ? 'the replayed flow broke nothing'
        : `${report.explore.flows} generated flows broke nothing${report.explore.outOfTime ? ' (the time budget ended the search)' : ''}`,
    );
  }
}
