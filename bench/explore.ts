/**
 * `npm run bench:explore`: the reference integration of the test suite (correct, closing after
 * 300 ms of customer silence) explored for 1,000 generated flows (timeout 1 s, grace 100 ms,
 * silences up to 1 s) (-- --runs N, -- --seed S);
 * prints the flows played, the failures (0 expected) and the time, and writes
 * bench/explore-results.json. The figure is quoted in docs/verify.md ("Exploring").
 *
 *   npm run bench:explore -- --runs 1000
 */
import { writeFileSync } from 'node:fs';
import { startReferenceIntegration } from '../test/helpers/reference-integration.js';

const arg = (name: string, fallback: number) => {
  const at = process.argv.indexOf(name);
  return at >= 0 ? Number(process.argv[at + 1]) : fallback;
};
const runs = arg('--runs', 1000);
const seed = arg('--seed', 1);

const { createEmulator, silentLogger } = await import('../src/index.js');
const emulator = await createEmulator({ port: 0, logger: silentLogger });
const url = await emulator.start();
const integration = await startReferenceIntegration({ graphqlUrl: `${url}/graphql`, closeAfterSilenceMs: 300 });
const started = performance.now();
try {
  const res = await fetch(`${url}/_emulator/verifications`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      target: integration.url,
      suites: [],
      timeoutMs: 1000,
      explore: { runs, seed, timeMs: 3_600_000, graceMs: 100, maxSilenceMs: 1000 },
    }),
  });
  const { id } = (await res.json()) as { id: string };
  type Report = {
    status: string;
    explore: { flows: number; failure?: { property: string; steps: string[]; text: string } };
  };
  // Polled: a run of minutes outlasts an HTTP long poll.
  let report: Report;
  for (;;) {
    report = (await (await fetch(`${url}/_emulator/verifications/${id}`)).json()) as Report;
    if (report.status !== 'running') break;
    process.stdout.write(`\r${report.explore.flows} flows`);
    await new Promise((resolve) => setTimeout(resolve, 2000));
  }
  process.stdout.write('\n');
  const seconds = Math.round((performance.now() - started) / 100) / 10;
  const result = {
    measuredAt: new Date().toISOString(),
    runs,
    seed,
    flows: report.explore.flows,
    failures: report.explore.failure ? 1 : 0,
    status: report.status,
    seconds,
    secondsPerFlow: Math.round((seconds / Math.max(1, report.explore.flows)) * 100) / 100,
    ...(report.explore.failure ? { failure: report.explore.failure } : {}),
  };
  console.log(JSON.stringify(result, null, 2));
  writeFileSync('bench/explore-results.json', `${JSON.stringify(result, null, 2)}\n`);
  process.exitCode = report.status === 'passed' ? 0 : 1;
} finally {
  await integration.close();
  await emulator.stop();
}
