/**
 * Soak: `npm run soak` (builds first; `-- --minutes 5`, the default). The built CLI on a virtual
 * clock plays `busy-day` at speed 0 in a loop (each run to its end through `?wait=1`, then
 * `POST /_emulator/reset`), its webhooks going to a loopback receiver in this process, while a
 * light query load (about 20 queries/s: a page of chats, sequential) runs beside it. The emulator's
 * RSS (and heap, from /_emulator/health) is sampled every 5 s. The baseline is the same run: after
 * a warm-up of 40% of the time, the highest RSS of the next 20%; the rest of the run must stay
 * within 64 MiB of it, and the last runs may take at most 1.5 times as long as the first ones.
 * Writes bench/soak-results.json; exit 0 when within bounds.
 *
 * `--no-reset`: no reset between runs, so the tenant fills to its chat cap (20,000, after about
 * 330 runs) and the later runs are refused with LIMIT_REACHED; the chats are dated on the virtual
 * clock, behind the seed time, so out of creation order. Then the bound is on the later half: its
 * RSS within 64 MiB of the highest before it, its query p50 at most twice the first minute's, and
 * its runs not slower. Writes bench/soak-no-reset-results.json.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { writeFileSync } from 'node:fs';
import { LISTENING, guardChildren, median, percentile, postGraphQL, round, rssOf, sleep, spawnChild } from './lib.js';

const argv = process.argv.slice(2);
const minutesAt = argv.indexOf('--minutes');
const minutes = minutesAt >= 0 ? Number(argv[minutesAt + 1]) : 5;
const noReset = argv.includes('--no-reset');
if (!Number.isFinite(minutes) || minutes <= 0) {
  console.error('--minutes takes a positive number');
  process.exit(2);
}
guardChildren();
const DURATION_MS = minutes * 60_000;
const RSS_BOUND_MIB = 64;
const SLOWDOWN_BOUND = 1.5;
const MiB = 1024 * 1024;

// The integrator's webhook receiver: answers 200 to everything and counts.
let webhooks = 0;
const receiver = createServer((req, res) => {
  req.resume();
  req.on('end', () => {
    webhooks += 1;
    res.writeHead(200).end('ok');
  });
});
await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
const receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/webhooks`;

const emulator = spawnChild(
  process.execPath,
  ['dist/main.js', 'start', '--port', '0', '--virtual-clock', '--webhook-url', receiverUrl],
  {
    env: { ...process.env, NODE_ENV: 'production' },
    pin: true,
  },
);
const url = (await emulator.waitFor(LISTENING, 15_000))[1] as string;
const started = Date.now();
const elapsed = () => Date.now() - started;
console.log(
  `soak: ${url} (pid ${emulator.pid}${emulator.pinned ? ', CPU 0' : ''}) for ${minutes} min: busy-day at speed 0 in a loop${noReset ? ' without reset (to the chat cap and beyond)' : ''} + ~20 queries/s`,
);

const samples: { atS: number; rssMiB: number; heapUsedMiB?: number }[] = [];
const sampler = setInterval(() => {
  const rss = rssOf(emulator.pid);
  const atS = Math.round(elapsed() / 1000);
  void fetch(`${url}/_emulator/health`)
    .then((r) => r.json() as Promise<{ memory?: { heapUsedMiB: number } }>)
    .then(
      (health) =>
        rss !== undefined &&
        samples.push({ atS, rssMiB: round(rss / MiB, 1), heapUsedMiB: health.memory?.heapUsedMiB }),
      () => undefined,
    );
}, 5_000);

const control = async (method: string, path: string, body?: unknown) => {
  const res = await fetch(`${url}/_emulator${path}`, {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return (await res.json()) as Record<string, unknown>;
};

const runs: { atS: number; ms: number; chats: number; status: string }[] = [];
const loop = async () => {
  while (elapsed() < DURATION_MS) {
    const t0 = performance.now();
    const run = await control('POST', '/scenarios/busy-day/runs', { speed: 0 });
    const done = await control('GET', `/scenarios/busy-day/runs/${String(run.id)}?wait=1`);
    runs.push({
      atS: round(elapsed() / 1000),
      ms: round(performance.now() - t0),
      chats: (done.chats as unknown[]).length,
      status: String(done.status),
    });
    if (!noReset) await control('POST', '/reset');
  }
};

const latencies: number[] = [];
const latencyAt: number[] = [];
let queryErrors = 0;
const queries = async () => {
  while (elapsed() < DURATION_MS) {
    const t0 = performance.now();
    const answer = await postGraphQL(
      `${url}/graphql`,
      '{ partner { chats(first: 10, orderBy: {field: id, direction: desc}) { edges { node { id status question } } } } }',
    );
    latencies.push(performance.now() - t0);
    latencyAt.push(elapsed() / 1000);
    if (answer.status !== 200 || answer.json?.errors) queryErrors += 1;
    await sleep(50);
  }
};

await Promise.all([loop(), queries()]);
clearInterval(sampler);
await emulator.stop();
receiver.close();

// V8 grows its heap for a while before it settles (garbage waits for the next major GC), so the
// first 40% of the run is warm-up; the baseline is the highest RSS in the next 20%, and the rest
// of the run must not go more than RSS_BOUND_MIB above it.
const warmUpEnd = (DURATION_MS * 0.4) / 1000;
const baselineEnd = (DURATION_MS * 0.6) / 1000;
const peak = (list: typeof samples) => Math.max(...list.map((x) => x.rssMiB));
const baseline = peak(samples.filter((x) => x.atS >= warmUpEnd && x.atS < baselineEnd));
const later = samples.filter((x) => x.atS >= baselineEnd);
const highest = peak(later);
const end = samples.at(-1)?.rssMiB ?? 0;
// Least-squares slope of RSS after the warm-up, in MiB per minute.
const settled = samples.filter((x) => x.atS >= warmUpEnd);
const meanT = settled.reduce((a, x) => a + x.atS, 0) / settled.length;
const meanR = settled.reduce((a, x) => a + x.rssMiB, 0) / settled.length;
const slope =
  (settled.reduce((a, x) => a + (x.atS - meanT) * (x.rssMiB - meanR), 0) /
    settled.reduce((a, x) => a + (x.atS - meanT) ** 2, 0)) *
  60;
const firstRuns = runs.slice(0, 5).map((r) => r.ms);
const lastRuns = runs.slice(-5).map((r) => r.ms);
const slowdown = round(median(lastRuns) / median(firstRuns), 2);
// Without reset: the first minute (below the cap) against the second half (at the cap, runs refused).
const halfS = DURATION_MS / 2000;
const latenciesBetween = (from: number, to: number) =>
  latencies.filter((_, i) => (latencyAt[i] as number) >= from && (latencyAt[i] as number) < to);
const runsBetween = (from: number, to: number) => runs.filter((r) => r.atS >= from && r.atS < to);
const capPhase = noReset
  ? {
      chatCap: {
        firstRefusedAtS: runs.find((r) => r.status === 'failed')?.atS,
        runsRefused: runs.filter((r) => r.status === 'failed').length,
        queryP50MsFirstMinute: round(percentile(latenciesBetween(0, 60), 50), 1),
        queryP50MsSecondHalf: round(percentile(latenciesBetween(halfS, Infinity), 50), 1),
        queryP99MsSecondHalf: round(percentile(latenciesBetween(halfS, Infinity), 99), 1),
        runsPerSecondHalfFirstQuarter: round(runsBetween(halfS, halfS * 1.5).length / (halfS / 2), 1),
        runsPerSecondHalfLastQuarter: round(runsBetween(halfS * 1.5, Infinity).length / (halfS / 2), 1),
        heapUsedMiBAtHalf: samples.find((x) => x.atS >= halfS)?.heapUsedMiB,
        heapUsedMiBEnd: samples.at(-1)?.heapUsedMiB,
        rssMiBAtHalf: samples.find((x) => x.atS >= halfS)?.rssMiB,
      },
    }
  : {};
const result = {
  date: new Date().toISOString(),
  node: process.version,
  minutes,
  reset: !noReset,
  ...capPhase,
  runs: runs.length,
  runsCompleted: runs.filter((r) => r.status === 'completed').length,
  chatsPlayed: runs.reduce((n, r) => n + r.chats, 0),
  webhooksReceived: webhooks,
  queries: latencies.length,
  queryErrors,
  queryP50Ms: round(percentile(latencies, 50), 1),
  queryP99Ms: round(percentile(latencies, 99), 1),
  runMsFirst5: round(median(firstRuns)),
  runMsLast5: round(median(lastRuns)),
  slowdown,
  rssStartMiB: samples[0]?.rssMiB,
  rssBaselineMiB: baseline,
  rssHighestLaterMiB: highest,
  rssEndMiB: end,
  rssGrowthMiB: round(highest - baseline, 1),
  rssSlopeMiBPerMin: round(slope, 1),
  rssBoundMiB: RSS_BOUND_MIB,
  samples,
};
writeFileSync(
  noReset ? 'bench/soak-no-reset-results.json' : 'bench/soak-results.json',
  `${JSON.stringify(result, null, 2)}\n`,
);
const { samples: _s, ...printed } = result;
console.log(JSON.stringify(printed, null, 2));
const cap = capPhase.chatCap;
const ok = cap
  ? // At the cap: refused runs (failed, LIMIT_REACHED) are expected; memory, queries and pace must hold.
    highest - baseline <= RSS_BOUND_MIB &&
    queryErrors === 0 &&
    cap.queryP50MsSecondHalf <= 2 * Math.max(cap.queryP50MsFirstMinute, 1) &&
    cap.runsPerSecondHalfLastQuarter >= cap.runsPerSecondHalfFirstQuarter / SLOWDOWN_BOUND
  : highest - baseline <= RSS_BOUND_MIB &&
    slowdown <= SLOWDOWN_BOUND &&
    queryErrors === 0 &&
    result.runsCompleted === runs.length;
console.log(ok ? 'soak: PASS' : 'soak: FAIL');
process.exit(ok ? 0 : 1);
