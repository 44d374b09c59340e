/**
 * `guuru-emulator scenario list|run`: the scenario engine from a terminal or a CI job. `run` talks
 * to the emulator at --url through the control API, and starts one in process, listening at --url,
 * when none answers (so an integrator configured for that URL reaches it).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadScenarios } from '../scenarios/loader.js';
import type { RunRecord, TimelineEntry } from '../scenarios/run-types.js';
import { isOpenWait, timelineText } from '../scenarios/timeline-text.js';
import { formatVerdict } from '../scenarios/verdict.js';
import type { ControlClient } from '../testing/control-client.js';
import { parseParams } from './flags.js';
import { messageOf, reachOrStart, UsageError, type Remote } from './remote.js';

export interface RunFlags {
  url: string;
  target?: string;
  speed?: number;
  instant?: boolean;
  seed?: number;
  tenant?: string;
  param: string[];
  scenarios?: string;
  timeout: number;
  /** The emulator's admin token (`--admin-token`, env ADMIN_TOKEN), when it requires one. */
  adminToken?: string;
}

export function listScenarios(dir?: string): number {
  const { scenarios, errors } = loadScenarios(dir ? [dir] : []);
  for (const s of [...scenarios.values()].sort((a, b) => a.name.localeCompare(b.name))) {
    console.log(`${s.name}${s.builtIn ? '' : `  (${s.file})`}`);
    console.log(`  ${s.description.replace(/\s+/g, ' ')}`);
    const params = Object.entries(s.params).map(([k, p]) => `${k}=${JSON.stringify(p.default)}`);
    if (params.length > 0) console.log(`  params: ${params.join(' ')}`);
  }
  for (const error of errors) console.error(`skipped: ${error}`);
  return errors.length > 0 ? 1 : 0;
}

/** One time-line entry in words: its time in the run, what happened, the webhooks it caused. */
const line = (entry: TimelineEntry, run: RunRecord): string => {
  const offset = ((entry.at - run.startedAt) / 1000).toFixed(1).padStart(7);
  const hooks =
    entry.webhooks.length > 0 ? `  → ${entry.webhooks.map((w) => `${w.event}#${w.deliveryId}`).join(', ')}` : '';
  return `  +${offset}s  ${timelineText(entry, run.chats)}${hooks}`;
};

/** Sends the scenario files of `dir` to a running emulator; false when the folder cannot be read or the files are refused. */
async function loadFolderInto(control: ControlClient, dir: string): Promise<boolean> {
  let names: string[];
  try {
    names = readdirSync(dir)
      .filter((f) => /\.ya?ml$/.test(f))
      .sort();
  } catch (error) {
    console.error(`--scenarios: cannot read ${dir} (${(error as NodeJS.ErrnoException).code ?? String(error)})`);
    return false;
  }
  const files = names.map((file) => ({ file: join(dir, file), yaml: readFileSync(join(dir, file), 'utf8') }));
  let answer: { scenarios: string[]; errors?: string[] };
  try {
    answer = await control.loadScenarios(files);
  } catch (error) {
    console.error(`--scenarios: the emulator at ${control.url} refused the files: ${messageOf(error)}`);
    return false;
  }
  console.log(
    `loaded ${answer.scenarios.length} scenario file${answer.scenarios.length === 1 ? '' : 's'} of ${dir} into the emulator at ${control.url}${answer.scenarios.length > 0 ? `: ${answer.scenarios.join(', ')}` : ''}`,
  );
  for (const error of answer.errors ?? []) console.error(`skipped: ${error}`);
  return true;
}

export async function runScenario(name: string, flags: RunFlags): Promise<number> {
  let remote: Remote;
  try {
    remote = await reachOrStart({
      url: flags.url,
      command: 'scenario run',
      adminToken: flags.adminToken,
      virtualClock: true,
      scenarios: flags.scenarios ? [flags.scenarios] : [],
      lifetime: ' (it stops when the run ends)',
    });
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    console.error(error.message);
    return 2;
  }
  const { control, local } = remote;
  if (!local && flags.scenarios && !(await loadFolderInto(control, flags.scenarios))) return 2;
  try {
    const body = {
      ...(flags.target ? { target: flags.target } : {}),
      speed: flags.instant ? 0 : (flags.speed ?? 1),
      ...(flags.seed !== undefined ? { seed: flags.seed } : {}),
      ...(flags.tenant ? { tenant: flags.tenant } : {}),
      params: parseParams(flags.param),
    };
    let id: string;
    try {
      ({ id } = await control.startRun(name, body));
    } catch (error) {
      console.error(`cannot run ${name}: ${messageOf(error)}`);
      return 2;
    }
    console.log(`${name} ${id}${flags.target ? ` → ${flags.target}` : ''} (speed ${body.speed})`);
    const deadline = Date.now() + flags.timeout;
    let shown = 0;
    let run: RunRecord;
    for (;;) {
      run = await control.run(name, id);
      // Each entry once, in order: a wait on the integrator when its outcome is known, and what came after it then.
      const over = run.status !== 'running';
      while (shown < run.timeline.length && (over || !isOpenWait(run.timeline[shown] as TimelineEntry))) {
        console.log(line(run.timeline[shown] as TimelineEntry, run));
        shown += 1;
      }
      const waiting = run.timeline[shown];
      const webhooks = run.timeline.reduce((n, e) => n + e.webhooks.length, 0);
      if (process.stdout.isTTY)
        process.stdout.write(
          `\r  ${run.status} · ${run.timeline.length} steps · ${webhooks} webhooks${waiting ? ` · ${timelineText(waiting, run.chats)}` : ''}  `,
        );
      if (run.status !== 'running') break;
      if (Date.now() > deadline) {
        console.error(`\n${name} ${id} still running after ${flags.timeout} ms; cancelling`);
        await control.cancelRun(name, id);
        return 1;
      }
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    if (process.stdout.isTTY) process.stdout.write('\n');
    if (local) {
      // Let the webhooks reach the target before the in-process emulator goes away.
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([
        local.webhooks.dispatcher.idle(),
        new Promise((resolve) => (timer = setTimeout(resolve, 10_000))),
      ]);
      clearTimeout(timer);
      run = await control.run(name, id);
    }
    printOutcome(name, run, flags.target, remote.base);
    return run.status === 'completed' ? 0 : 1;
  } finally {
    await remote.stop();
  }
}

function printOutcome(name: string, run: RunRecord, target: string | undefined, base: string): void {
  const { sent, delivered, failed, pending, undelivered } = run.deliveries;
  console.log(
    `${name} ${run.id} ${run.status}: ${run.timeline.length} timeline entries, chats ${run.chats.join(', ') || '-'}`,
  );
  console.log(
    `webhooks: ${sent} sent, ${delivered} delivered, ${failed} failed${pending > 0 ? `, ${pending} still on their way` : ''}`,
  );
  if (target && sent > 0 && delivered === 0 && pending === 0) console.log(`  none of the webhooks reached ${target}`);
  for (const d of undelivered.slice(0, 5))
    console.log(
      `  ✘ ${d.event} #${d.deliveryId} → ${d.url}: ${d.error ?? `HTTP ${d.statusCode}`} after ${d.attempts} attempt${d.attempts === 1 ? '' : 's'}`,
    );
  if (undelivered.length > 5) console.log(`  … ${failed - 5} more (GET ${base}/_emulator/deliveries?status=failed)`);
  if (run.verdict) {
    console.log('verdict (the Third Party Messaging guide, expectation by expectation):');
    for (const text of formatVerdict(run.verdict)) console.log(text);
  }
  if (run.error) console.error(`error: ${run.error}`);
}
