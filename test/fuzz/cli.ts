/**
 * The long fuzz run: `npm run fuzz -- --requests 100000 [--seed N] [--concurrency 8]`. Starts the
 * built CLI (dist/main.js) as its own process, sends the generated requests, and reports requests,
 * status counts, 5xx, stack traces, unanswered requests, crashes (the process exiting) and its RSS
 * before and after. Exit 0 when all of 5xx, stack traces, unanswered and crashes are 0.
 */
import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { buildSchema } from '../../src/graphql/server.js';
import { fuzz, knownIds } from './runner.js';

const flag = (name: string, fallback: number): number => {
  const at = process.argv.indexOf(name);
  const value = at >= 0 ? Number(process.argv[at + 1]) : fallback;
  if (!Number.isInteger(value) || value < 0) {
    console.error(`${name} takes a whole number`);
    process.exit(2);
  }
  return value;
};
const requests = flag('--requests', 10_000);
const seed = flag('--seed', 20_261_122);
const concurrency = flag('--concurrency', 8);

const rssMiB = (pid: number): number => {
  const kb = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
  return Math.round(Number(kb) / 1024);
};

const child = spawn(process.execPath, ['dist/main.js', 'start', '--port', '0', '--seed-time', '2026-11-22'], {
  stdio: ['ignore', 'pipe', 'pipe'],
  env: { ...process.env, NODE_ENV: 'production' },
});
// The emulator never outlives the run, also when the run is stopped (Ctrl-C) or fails.
process.on('exit', () => child.kill('SIGKILL'));
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => process.exit(130));
let output = '';
let exited: number | null | undefined;
child.on('exit', (code, signal) => (exited = code ?? (signal ? -1 : null)));
const url = await new Promise<string>((resolve, reject) => {
  const onData = (chunk: Buffer) => {
    output += chunk.toString();
    const match = /listening on (http:\/\/\S+)/.exec(output);
    if (match?.[1]) resolve(match[1]);
  };
  child.stdout.on('data', onData);
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.once('exit', () => reject(new Error(`the emulator exited before listening:\n${output}`)));
});
const pid = child.pid as number;
const rssBefore = rssMiB(pid);
console.log(
  `fuzzing ${url} (pid ${pid}, RSS ${rssBefore} MiB): ${requests.toLocaleString('en-US')} requests, seed ${seed}, ${concurrency} in flight`,
);
const report = await fuzz({
  baseUrl: url,
  schema: buildSchema(),
  ids: await knownIds(url),
  requests,
  seed,
  concurrency,
  onProgress: (done) =>
    console.log(`  ${done.toLocaleString('en-US')} sent, RSS ${exited === undefined ? rssMiB(pid) : '-'} MiB`),
});
const alive =
  exited === undefined &&
  (await fetch(`${url}/_emulator/health`).then(
    (r) => r.ok,
    () => false,
  ));
const rssAfter = exited === undefined ? rssMiB(pid) : undefined;
const crashes = alive ? 0 : 1;

interface Memory {
  rssMiB: number;
  heapUsedMiB: number;
  heapTotalMiB: number;
  storedMiB: number;
}
const memory = async (): Promise<Memory | undefined> =>
  fetch(`${url}/_emulator/health`).then(
    async (r) => ((await r.json()) as { memory: Memory }).memory,
    () => undefined,
  );
// After a reset: is what the process holds retained objects (heapUsed stays high) or heap V8 keeps
// reserved after the peak (heapUsed falls, RSS stays)? Light queries for 20 s let the collector run.
const afterFuzz = alive ? await memory() : undefined;
let afterReset: Memory | undefined;
if (alive) {
  await fetch(`${url}/_emulator/reset`, { method: 'POST' });
  const until = Date.now() + 20_000;
  while (Date.now() < until) {
    await fetch(`${url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: 'Bearer demo-token' },
      body: '{"query":"{ partner { id chats(first: 100) { edges { node { id } } } } }"}',
    }).catch(() => undefined);
    const now = await memory();
    if (now && (afterReset === undefined || now.heapUsedMiB < afterReset.heapUsedMiB)) afterReset = now;
  }
}
child.kill('SIGTERM');

const summary = {
  date: new Date().toISOString(),
  node: process.version,
  requests: report.requests,
  byKind: report.byKind,
  statuses: report.statuses,
  serverErrors: report.serverErrors,
  stackTraces: report.stackTraces,
  unanswered: report.unanswered,
  crashes,
  slowestMs: report.slowest.map((r) => r.ms),
  rssBeforeMiB: rssBefore,
  rssAfterMiB: rssAfter,
  /** /health after the run, and the lowest heapUsed seen in the 20 s after POST /_emulator/reset. */
  memoryAfterFuzz: afterFuzz,
  memoryAfterReset: afterReset,
  durationS: Math.round(report.durationMs / 1000),
  seed,
};
console.log(JSON.stringify(summary, null, 2));
if (report.findings.length > 0) console.log('first findings:', JSON.stringify(report.findings.slice(0, 10), null, 2));
console.log('slowest answers:', JSON.stringify(report.slowest.slice(0, 5), null, 2));
writeFileSync('bench/fuzz-results.json', `${JSON.stringify(summary, null, 2)}\n`);
process.exit(report.serverErrors + report.stackTraces + report.unanswered + crashes === 0 ? 0 : 1);
