/**
 * `guuru-emulator scenario list|run`: the scenario engine from a terminal or a CI job. `run` talks
 * to the emulator at --url through the control API, and starts one in process, listening at --url,
 * when none answers (so an integrator configured for that URL reaches it).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { VirtualClock } from '../kernel/clock.js';
import { createEmulator, type Emulator } from '../app/emulator.js';
import { loadScenarios } from '../scenarios/loader.js';
import type { RunRecord, TimelineEntry } from '../scenarios/run-types.js';
import { isOpenWait, timelineText } from '../scenarios/timeline-text.js';
import { formatVerdict } from '../scenarios/verdict.js';
import { silentLogger } from '../kernel/logger.js';

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

/** `--param k=v` pairs; numbers and booleans keep their type. */
export function parseParams(pairs: string[]): Record<string, string | number | boolean> {
  const out: Record<string, string | number | boolean> = {};
  for (const pair of pairs) {
    const eq = pair.indexOf('=');
    if (eq < 1) throw new Error(`--param needs key=value, got "${pair}"`);
    const key = pair.slice(0, eq);
    const raw = pair.slice(eq + 1);
    out[key] = raw === 'true' ? true : raw === 'false' ? false : /^-?\d+(\.\d+)?$/.test(raw) ? Number(raw) : raw;
  }
  return out;
}

/** True when an emulator answers its health check at `url`. */
export async function reachable(url: string): Promise<boolean> {
  try {
    const res = await fetch(`${url}/_emulator/health`, { signal: AbortSignal.timeout(1_500) });
    return res.ok;
  } catch {
    return false;
  }
}

/** One time-line entry in words: its time in the run, what happened, the webhooks it caused. */
const line = (entry: TimelineEntry, run: RunRecord): string => {
  const offset = ((entry.at - run.startedAt) / 1000).toFixed(1).padStart(7);
  const hooks = entry.webhooks.length > 0 ? `  → ${entry.webhooks.map((w) => `${w.event}#${w.deliveryId}`).join(', ')}` : '';
  return `  +${offset}s  ${timelineText(entry, run.chats)}${hooks}`;
};

const LOCAL_HOSTS = new Set(['127.0.0.1', 'localhost', '::1', '[::1]', '0.0.0.0']);

/** Where to start an emulator for --url: its host and port when that is this machine, else why not. */
export function localAddress(url: string, command = 'scenario run'): { host: string; port: number } | string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return `--url: "${url}" is not a URL (e.g. http://127.0.0.1:4000).`;
  }
  if (parsed.protocol !== 'http:') return `No emulator answers at ${url}, and ${command} only starts one over http: use --url http://127.0.0.1:PORT.`;
  if (!LOCAL_HOSTS.has(parsed.hostname)) {
    return `No emulator answers at ${url}. ${command} starts one only on this machine (127.0.0.1, localhost): start guuru-emulator on ${parsed.hostname}, or point --url at a local address.`;
  }
  const host = parsed.hostname === 'localhost' ? '127.0.0.1' : parsed.hostname.replace(/^\[|\]$/g, '');
  return { host, port: parsed.port === '' ? 80 : Number(parsed.port) };
}

/** Sends the scenario files of `dir` to a running emulator; false when the folder cannot be read. */
async function loadFolderInto(base: string, dir: string): Promise<boolean> {
  let names: string[];
  try {
    names = readdirSync(dir).filter((f) => /\.ya?ml$/.test(f)).sort();
  } catch (error) {
    console.error(`--scenarios: cannot read ${dir} (${(error as NodeJS.ErrnoException).code ?? String(error)})`);
    return false;
  }
  const files = names.map((file) => ({ file: join(dir, file), yaml: readFileSync(join(dir, file), 'utf8') }));
  const res = await fetch(`${base}/_emulator/scenarios`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ files }) });
  const answer = (await res.json()) as { scenarios?: string[]; errors?: string[]; message?: string };
  if (answer.scenarios === undefined) {
    console.error(`--scenarios: the emulator at ${base} refused the files: ${answer.message ?? res.statusText}`);
    return false;
  }
  console.log(`loaded ${answer.scenarios.length} scenario file${answer.scenarios.length === 1 ? '' : 's'} of ${dir} into the emulator at ${base}${answer.scenarios.length > 0 ? `: ${answer.scenarios.join(', ')}` : ''}`);
  for (const error of answer.errors ?? []) console.error(`skipped: ${error}`);
  return true;
}

export async function runScenario(name: string, flags: RunFlags): Promise<number> {
  let base = flags.url.replace(/\/$/, '');
  let local: Emulator | undefined;
  if (!(await reachable(base))) {
    const where = localAddress(base);
    if (typeof where === 'string') {
      console.error(where);
      return 2;
    }
    // A virtual clock: scenario time passes at the run's speed and timestamps stay consistent.
    local = await createEmulator({ ...where, logger: silentLogger, clock: new VirtualClock(Date.now()), ...(flags.scenarios ? { scenarios: [flags.scenarios] } : {}) });
    try {
      base = await local.start();
    } catch (error) {
      await local.stop();
      const code = (error as NodeJS.ErrnoException).code;
      console.error(
        code === 'EADDRINUSE'
          ? `No emulator answers at ${flags.url}, and port ${where.port} is taken by another program: stop it, or point --url at a running emulator.`
          : `No emulator answers at ${flags.url}, and one cannot listen there: ${(error as Error).message}`,
      );
      return 2;
    }
    console.log(`no emulator at ${flags.url}; started one in this process at ${base} (it stops when the run ends)`);
  } else if (flags.scenarios && !(await loadFolderInto(base, flags.scenarios))) {
    return 2;
  }
  const token = flags.adminToken ?? process.env.ADMIN_TOKEN;
  const auth: Record<string, string> = token && !local ? { authorization: `Bearer ${token}` } : {};
  try {
    const body = {
      ...(flags.target ? { target: flags.target } : {}),
      speed: flags.instant ? 0 : (flags.speed ?? 1),
      ...(flags.seed !== undefined ? { seed: flags.seed } : {}),
      ...(flags.tenant ? { tenant: flags.tenant } : {}),
      params: parseParams(flags.param),
    };
    const started = await fetch(`${base}/_emulator/scenarios/${encodeURIComponent(name)}/runs`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...auth },
      body: JSON.stringify(body),
    });
    const answer = (await started.json()) as { id?: string; message?: string };
    if (started.status !== 202 || !answer.id) {
      console.error(`cannot run ${name}: ${answer.message ?? started.statusText}`);
      return 2;
    }
    console.log(`${name} ${answer.id}${flags.target ? ` → ${flags.target}` : ''} (speed ${body.speed})`);
    const deadline = Date.now() + flags.timeout;
    let shown = 0;
    let run: RunRecord;
    for (;;) {
      run = (await (await fetch(`${base}/_emulator/scenarios/${encodeURIComponent(name)}/runs/${answer.id}`, { headers: auth })).json()) as RunRecord;
      // Each entry once, in order: a wait on the integrator when its outcome is known, and what came after it then.
      const over = run.status !== 'running';
      while (shown < run.timeline.length && (over || !isOpenWait(run.timeline[shown] as TimelineEntry))) {
        console.log(line(run.timeline[shown] as TimelineEntry, run));
        shown += 1;
      }
      const waiting = run.timeline[shown];
      const webhooks = run.timeline.reduce((n, e) => n + e.webhooks.length, 0);
      if (process.stdout.isTTY) process.stdout.write(`\r  ${run.status} · ${run.timeline.length} steps · ${webhooks} webhooks${waiting ? ` · ${timelineText(waiting, run.chats)}` : ''}  `);
      if (run.status !== 'running') break;
      if (Date.now() > deadline) {
        console.error(`\n${name} ${answer.id} still running after ${flags.timeout} ms; cancelling`);
        await fetch(`${base}/_emulator/scenarios/${encodeURIComponent(name)}/runs/${answer.id}`, { method: 'DELETE', headers: auth });
        return 1;
      }
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    if (process.stdout.isTTY) process.stdout.write('\n');
    if (local) {
      // Let the webhooks reach the target before the in-process emulator goes away.
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([local.webhooks.dispatcher.idle(), new Promise((resolve) => (timer = setTimeout(resolve, 10_000)))]);
      clearTimeout(timer);
    }
    if (local) run = (await (await fetch(`${base}/_emulator/scenarios/${encodeURIComponent(name)}/runs/${answer.id}`)).json()) as RunRecord;
    const { sent, delivered, failed, pending, undelivered } = run.deliveries;
    console.log(`${name} ${run.id} ${run.status}: ${run.timeline.length} timeline entries, chats ${run.chats.join(', ') || '-'}`);
    console.log(`webhooks: ${sent} sent, ${delivered} delivered, ${failed} failed${pending > 0 ? `, ${pending} still on their way` : ''}`);
    if (flags.target && sent > 0 && delivered === 0 && pending === 0) console.log(`  none of the webhooks reached ${flags.target}`);
    for (const d of undelivered.slice(0, 5)) console.log(`  ✘ ${d.event} #${d.deliveryId} → ${d.url}: ${d.error ?? `HTTP ${d.statusCode}`} after ${d.attempts} attempt${d.attempts === 1 ? '' : 's'}`);
    if (undelivered.length > 5) console.log(`  … ${failed - 5} more (GET ${base}/_emulator/deliveries?status=failed)`);
    if (run.verdict) {
      console.log('verdict (the Third Party Messaging guide, expectation by expectation):');
      for (const text of formatVerdict(run.verdict)) console.log(text);
    }
    if (run.error) console.error(`error: ${run.error}`);
    return run.status === 'completed' ? 0 : 1;
  } finally {
    await local?.stop();
  }
}
