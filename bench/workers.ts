/**
 * The `workers` part of the bench (`npm run bench -- --only workers`): many CI jobs on one emulator.
 * The built CLI (`start --port 0`, pinned to CPU 0) serves 200 workers at once (25 with `--quick`),
 * each its own tenant playing a whole Third Party Messaging conversation and walking its chats
 * (bench/ci-worker.ts), all in one load process on CPU 1 (bench/ci-workers.ts). Before them, in the
 * same run, a few workers one after another: the single-worker baseline. Measured: workers passed,
 * wall time, operations per second (GraphQL calls + webhooks), p50/p99 of the workers' GraphQL
 * calls beside the baseline's, the emulator's CPU time and its peak RSS (`VmHWM`).
 */
import { fileURLToPath } from 'node:url';
import { LISTENING, cpuMsOf, peakRssOf, round, rssOf, spawnChild, type Child } from './lib.js';

const MAIN = fileURLToPath(new URL('../dist/main.js', import.meta.url));
const LOAD = fileURLToPath(new URL('./ci-workers.ts', import.meta.url));
const MiB = 1024 * 1024;

export interface PhaseResult {
  workers: number;
  passed: number;
  failed: number;
  failures: string[];
  wallMs: number;
  graphqlCalls: number;
  webhooks: number;
  webhooksVerified: number;
  duplicates: number;
  controlCalls: number;
  pagesWalked: number;
  chatsWalked: number;
  opsPerSecond: number;
  graphql: { p50Ms: number; p99Ms: number; maxMs: number };
  graphqlOnceTenantsMade: { calls: number; p50Ms: number; p99Ms: number };
  setupMs: { p50: number; p99: number; max: number };
  workerMs: { p50: number; p99: number; max: number };
}

interface LoadResult {
  warmup: PhaseResult;
  baseline: PhaseResult;
  workers: PhaseResult;
  strays: number;
}

export async function measureWorkers({ quick, pin, env }: { quick: boolean; pin: boolean; env: NodeJS.ProcessEnv }) {
  const workers = quick ? 25 : 200;
  const baseline = quick ? 2 : 10;
  const warmup = quick ? 2 : 5;
  // Room for every tenant and run of the workers (the defaults are 100 of each: see docs/scaling.md).
  const limits = ['--max-tenants', String(workers + 50), '--max-runs', String(workers + 50)];
  let emulator: Child | undefined;
  let load: Child | undefined;
  try {
    // The seed cache off: every tenant is generated, as on a long-lived emulator whose new tenants
    // the cache has never seen (with it on, a second run would read the first run's tenants back).
    emulator = spawnChild(process.execPath, [MAIN, 'start', '--port', '0', ...limits], {
      pin,
      env: { ...env, GUURU_EMULATOR_SEED_CACHE: '0' },
    });
    const base = (await emulator.waitFor(LISTENING, 60_000))[1] ?? '';
    const pid = emulator.pid;
    const rssAfterStartBytes = rssOf(pid);
    const args = [
      '--url',
      base,
      '--workers',
      String(workers),
      '--baseline',
      String(baseline),
      '--warmup',
      String(warmup),
    ];
    load = spawnChild(process.execPath, ['--import', 'tsx', LOAD, ...args], { pin, cpu: 1, env });
    await load.waitFor(/PHASE baseline/, 300_000);
    const cpuAtBaseline = cpuMsOf(pid);
    await load.waitFor(/PHASE workers/, 300_000);
    const peakBeforeWorkersBytes = peakRssOf(pid);
    const cpuAtWorkers = cpuMsOf(pid);
    const line = (await load.waitFor(/RESULT (.+)/, 300_000))[1] ?? '{}';
    const cpuAtEnd = cpuMsOf(pid);
    const peakRssBytes = peakRssOf(pid);
    const result = JSON.parse(line) as LoadResult;
    const many = result.workers;
    const cpuMs = (from: number | undefined, to: number | undefined) =>
      from === undefined || to === undefined ? undefined : to - from;
    const cpuBaselineMs = cpuMs(cpuAtBaseline, cpuAtWorkers);
    const cpuWorkersMs = cpuMs(cpuAtWorkers, cpuAtEnd);
    return {
      pinned: pin,
      flags: limits.join(' '),
      seedCache: false,
      warmup: result.warmup,
      baseline: result.baseline,
      workers: many,
      strays: result.strays,
      allPassed: many.failed === 0 && many.passed === workers && result.baseline.failed === 0 && result.strays === 0,
      p50Ratio: round(many.graphql.p50Ms / result.baseline.graphql.p50Ms, 1),
      p99Ratio: round(many.graphql.p99Ms / result.baseline.graphql.p99Ms, 1),
      // The emulator's CPU time (/proc, 10 ms ticks) per worker: one after another vs all at once.
      emulatorCpu:
        cpuBaselineMs === undefined || cpuWorkersMs === undefined
          ? undefined
          : {
              workersMs: cpuWorkersMs,
              percentOfWall: round((100 * cpuWorkersMs) / many.wallMs),
              perWorkerMs: round(cpuWorkersMs / many.workers),
              perWorkerAloneMs: round(cpuBaselineMs / result.baseline.workers),
            },
      rssMiB: {
        afterStart: rssAfterStartBytes === undefined ? undefined : round(rssAfterStartBytes / MiB),
        peakBeforeWorkers: peakBeforeWorkersBytes === undefined ? undefined : round(peakBeforeWorkersBytes / MiB),
        peak: peakRssBytes === undefined ? undefined : round(peakRssBytes / MiB),
      },
    };
  } finally {
    await load?.stop();
    await emulator?.stop();
  }
}
