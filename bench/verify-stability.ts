/**
 * The stability figures of `verify` (docs/verify.md, "How reactions are observed"): the matrix of
 * test/helpers/verify-matrix.ts run again and again against one in-process emulator, every other
 * round with a busy loop on the other core; a flip is a run whose verdicts differ from the
 * expected ones (a correct integration not passing every check, a broken one not failing exactly
 * its check). Then how long one verify of a correct integration takes, alone, at the default
 * timeout. Prints a summary and `RESULT <json>`, writes bench/verify-stability-results.json.
 *
 *   npm run bench:verify -- [--rounds 10] [--timing-runs 3]
 */
import { writeFile } from 'node:fs/promises';
import { Worker } from 'node:worker_threads';
import { createEmulator, silentLogger } from '../src/index.js';
import { startReferenceIntegration, type ReferenceOptions } from '../test/helpers/reference-integration.js';
import { BROKEN, CORRECT, failedRequired, notPassed, type MatrixReport } from '../test/helpers/verify-matrix.js';

const flag = (name: string, fallback: number): number => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
};
const rounds = flag('rounds', 10);
const timingRuns = flag('timing-runs', 3);

const emulator = await createEmulator({ port: 0, logger: silentLogger });
const url = await emulator.start();

type Report = MatrixReport & { timings: { durationMs: number } };

async function verify(options: Partial<ReferenceOptions>, body: Record<string, unknown>): Promise<Report> {
  const integration = await startReferenceIntegration({ graphqlUrl: `${url}/graphql`, ...options });
  try {
    const started = await fetch(`${url}/_emulator/verifications`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ target: integration.url, ...body }),
    });
    const { id } = (await started.json()) as { id: string };
    return (await (await fetch(`${url}/_emulator/verifications/${id}?wait=1`)).json()) as Report;
  } finally {
    await integration.close();
  }
}

interface Case {
  name: string;
  run: () => Promise<Report>;
  /** Why the report's required verdicts are not the expected ones, or undefined. */
  judge: (report: Report) => string | undefined;
  /** A recommended check that did not pass (a warning, not a flip of the verdict). */
  expectedRecommended?: string;
}

const recommendedNotPassed = (name: string, report: Report): string[] =>
  report.checks
    .filter((c) => c.level === 'recommended' && c.status !== 'passed')
    .map((c) => `${name}: ${c.id} ${c.status} (${c.evidence})`);

const cases: Case[] = [
  ...CORRECT.flatMap(({ name, options }) => [
    {
      name: `${name} (both suites, --timeout 5000)`,
      run: () => verify(options, { timeoutMs: 5_000 }),
      judge: (r: Report) => notPassed(name, r, { recommended: false }).join('; ') || undefined,
    },
    {
      name: `${name} (receiver, --timeout 5000)`,
      run: () => verify(options, { timeoutMs: 5_000, suites: ['receiver'] }),
      judge: (r: Report) => notPassed(name, r, { recommended: false }).join('; ') || undefined,
    },
  ]),
  ...BROKEN.map(({ flaw, check, evidence, suites, timeoutMs }) => ({
    name: `${flaw}, closes 1.5 s after the customer`,
    run: () => verify({ flaw, closeAfterSilenceMs: 1_500 }, { timeoutMs: timeoutMs ?? 3_000, suites }),
    judge: (r: Report) => {
      const failed = failedRequired(r);
      if (failed.length !== 1 || failed[0] !== check)
        return `${flaw}: failed ${failed.join(', ') || 'nothing'}, expected ${check}`;
      const text = r.checks.find((c) => c.id === check)?.evidence ?? '';
      return evidence.test(text) ? undefined : `${flaw}: evidence "${text}" does not match ${String(evidence)}`;
    },
  })),
];

const flips: { round: number; loaded: boolean; why: string }[] = [];
const warnings: { round: number; loaded: boolean; why: string }[] = [];
let runs = 0;
const started = performance.now();
for (let round = 1; round <= rounds; round++) {
  const loaded = round % 2 === 0;
  const worker = loaded ? new Worker('for (;;) {}', { eval: true }) : undefined;
  try {
    const reports = await Promise.all(cases.map((c) => c.run()));
    reports.forEach((report, i) => {
      runs += 1;
      const why = cases[i]?.judge(report);
      if (why) flips.push({ round, loaded, why });
      for (const w of recommendedNotPassed(cases[i]?.name ?? '', report)) warnings.push({ round, loaded, why: w });
    });
  } finally {
    await worker?.terminate();
  }
  console.log(
    `round ${round}/${rounds}${loaded ? ' (other core busy)' : ''}: ${flips.filter((f) => f.round === round).length} flips, ${warnings.filter((f) => f.round === round).length} recommended checks not passed`,
  );
}
const matrixMinutes = (performance.now() - started) / 60_000;

// One verify at a time, default timeout: what a user waits for.
const timings: Record<string, number[]> = {};
for (const [label, options, suites] of [
  ['receiver, closes at once', { closeAfterSilenceMs: 0 }, ['receiver']],
  ['receiver, closes after 4 s', { closeAfterSilenceMs: 4_000 }, ['receiver']],
  ['receiver, works 0–800 ms late', { workDelayMaxMs: 800, closeAfterSilenceMs: 1_500 }, ['receiver']],
  ['both suites, closes at once', { closeAfterSilenceMs: 0 }, ['receiver', 'third-party']],
  ['both suites, closes after 4 s', { closeAfterSilenceMs: 4_000 }, ['receiver', 'third-party']],
] as const) {
  for (let i = 0; i < timingRuns; i++) {
    const report = await verify(options, { suites });
    (timings[label] ??= []).push(Math.round(report.timings.durationMs / 100) / 10);
  }
}

await emulator.stop();
const result = {
  measuredAt: new Date().toISOString(),
  node: process.version,
  rounds,
  loadedRounds: Math.floor(rounds / 2),
  casesPerRound: cases.length,
  runs,
  flips: flips.length,
  flipDetails: flips,
  recommendedNotPassed: warnings.length,
  recommendedDetails: warnings,
  matrixMinutes: Math.round(matrixMinutes * 10) / 10,
  verifySeconds: timings,
};
console.log(
  `${runs} verifies (${rounds} rounds of ${cases.length}, ${result.loadedRounds} with the other core busy) in ${result.matrixMinutes} min: ${flips.length} flips`,
);
for (const flip of flips) console.log(`  round ${flip.round}${flip.loaded ? ' (loaded)' : ''}: ${flip.why}`);
console.log(`${warnings.length} recommended checks not passed (not flips: the verdict stays "passed")`);
for (const w of warnings) console.log(`  round ${w.round}${w.loaded ? ' (loaded)' : ''}: ${w.why}`);
for (const [label, seconds] of Object.entries(timings)) console.log(`verify, ${label}: ${seconds.join(', ')} s`);
await writeFile(new URL('./verify-stability-results.json', import.meta.url), `${JSON.stringify(result, null, 2)}\n`);
console.log(`RESULT ${JSON.stringify(result)}`);
