/**
 * Child of the `workers` bench part (bench/workers.ts): the load, in one process. Against the
 * emulator at `--url` it runs `--warmup W` workers at once (not counted), then `--baseline K`
 * workers one after another (the single-worker baseline), then `--workers N` at once; each a
 * CiWorker (bench/ci-worker.ts), all sharing one webhook receiver that routes by tenant. Prints
 * `PHASE <name>` as each phase starts and `RESULT <json>` at the end; exits when stdin closes.
 *
 *   node --import tsx bench/ci-workers.ts --url http://127.0.0.1:4000 --workers 200 --baseline 10 --warmup 5
 */
import { performance } from 'node:perf_hooks';
import { CiWorker, WebhookRouter, type WorkerResult } from './ci-worker.js';
import { exitWithParent, percentile, round } from './lib.js';

exitWithParent();
const flag = (name: string, fallback: string): string => {
  const at = process.argv.indexOf(name);
  return at >= 0 ? (process.argv[at + 1] ?? fallback) : fallback;
};
const base = flag('--url', '');
if (!base) throw new Error('--url <emulator base URL> is required');
const workers = Number(flag('--workers', '200'));
const baseline = Number(flag('--baseline', '10'));
const warmup = Number(flag('--warmup', '5'));

const receiver = new WebhookRouter();
await receiver.listen();

/** What a phase's workers did together. */
function summarise(results: WorkerResult[], wallMs: number) {
  const graphqlMs = results.flatMap((r) => r.graphqlMs);
  const graphqlCalls = graphqlMs.length;
  const webhooks = results.reduce((n, r) => n + r.webhooks.received, 0);
  const totals = results.map((r) => r.totalMs);
  const setups = results.flatMap((r) => (r.setupMs === undefined ? [] : [r.setupMs]));
  const failed = results.filter((r) => !r.passed);
  // The calls that started once every tenant of the phase existed: creating a tenant generates its
  // seed data in one go, and calls that arrive meanwhile wait behind it.
  const allMadeAt = Math.max(...results.map((r) => r.setupEndAt ?? Infinity));
  const afterSetup = results.flatMap((r) => r.graphqlMs.filter((_, i) => (r.graphqlAt[i] ?? 0) >= allMadeAt));
  return {
    workers: results.length,
    passed: results.length - failed.length,
    failed: failed.length,
    failures: failed.slice(0, 10).map((r) => `${r.tenant ?? '(no tenant)'}: ${r.failures.join('; ')}`),
    wallMs: round(wallMs),
    graphqlCalls,
    webhooks,
    webhooksVerified: results.reduce((n, r) => n + r.webhooks.verified, 0),
    duplicates: results.reduce((n, r) => n + r.webhooks.duplicates, 0),
    controlCalls: results.reduce((n, r) => n + r.controlCalls, 0),
    pagesWalked: results.reduce((n, r) => n + r.pages, 0),
    chatsWalked: results.reduce((n, r) => n + r.chatsWalked, 0),
    opsPerSecond: round((graphqlCalls + webhooks) / (wallMs / 1000)),
    graphql: {
      p50Ms: round(percentile(graphqlMs, 50), 1),
      p99Ms: round(percentile(graphqlMs, 99), 1),
      maxMs: round(Math.max(...graphqlMs), 1),
    },
    setupMs: {
      p50: round(percentile(setups, 50)),
      p99: round(percentile(setups, 99)),
      max: round(Math.max(...setups)),
    },
    graphqlOnceTenantsMade: {
      calls: afterSetup.length,
      p50Ms: round(percentile(afterSetup, 50), 1),
      p99Ms: round(percentile(afterSetup, 99), 1),
    },
    workerMs: {
      p50: round(percentile(totals, 50)),
      p99: round(percentile(totals, 99)),
      max: round(Math.max(...totals)),
    },
  };
}

async function together(n: number) {
  const t0 = performance.now();
  const results = await Promise.all(Array.from({ length: n }, () => new CiWorker({ base, receiver }).run()));
  return summarise(results, performance.now() - t0);
}

async function oneAfterAnother(n: number) {
  const t0 = performance.now();
  const results: WorkerResult[] = [];
  for (let i = 0; i < n; i++) results.push(await new CiWorker({ base, receiver }).run());
  return summarise(results, performance.now() - t0);
}

console.log('PHASE warmup');
const warm = await together(warmup);
console.log('PHASE baseline');
const single = await oneAfterAnother(baseline);
console.log('PHASE workers');
const many = await together(workers);
console.log('PHASE done');
console.log(`RESULT ${JSON.stringify({ warmup: warm, baseline: single, workers: many, strays: receiver.strays })}`);
await receiver.close();
process.exit(0);
