import { Worker } from 'node:worker_threads';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, type TestEmulator } from '../../helpers/emulator.js';
import { startReferenceIntegration, type ReferenceOptions } from '../../helpers/reference-integration.js';
import { BROKEN, CORRECT, notPassed } from '../../helpers/verify-matrix.js';

// The stability matrix of verify (docs/verify.md, "How reactions are observed"): correct
// integrations at every pace that straddles a window verify uses pass every check, also with the
// other core busy; broken ones fail their own check and only it. The repeated runs and their flip
// count are bench/verify-stability.ts; this is one run of each, the integrations side by side.

let t: TestEmulator;
beforeAll(async () => {
  t = await startEmulator();
});
afterAll(async () => {
  await t.stop();
});

type Check = { id: string; status: string; level: string; evidence: string };
type Report = { status: string; checks: Check[]; timings: { durationMs: number } };

async function verify(options: Partial<ReferenceOptions>, body: Record<string, unknown>): Promise<Report> {
  const integration = await startReferenceIntegration({ graphqlUrl: `${t.url}/graphql`, ...options });
  try {
    return await run(integration.url, body);
  } finally {
    await integration.close();
  }
}

async function run(target: string, body: Record<string, unknown>): Promise<Report> {
  const started = await fetch(`${t.url}/_emulator/verifications`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ target, ...body }),
  });
  expect(started.status).toBe(202);
  const { id } = (await started.json()) as { id: string };
  return (await (await fetch(`${t.url}/_emulator/verifications/${id}?wait=1`)).json()) as Report;
}

/** Spins on another thread: a busy loop on the other core while verify runs. */
function busyLoop(): () => Promise<number> {
  const worker = new Worker('for (;;) {}', { eval: true });
  return () => worker.terminate();
}

describe.concurrent(
  'verify stability: the verdict does not depend on the pace of a correct integration',
  { timeout: 90_000 },
  () => {
    it('every correct integration passes every check of both suites, whatever its close delay', async () => {
      const reports = await Promise.all(CORRECT.map(({ options }) => verify(options, { timeoutMs: 5_000 })));
      expect(reports.flatMap((report, i) => notPassed(CORRECT[i]?.name ?? '', report))).toEqual([]);
    });

    it('and every receiver check with the other core busy, twice in a row', async () => {
      const stop = busyLoop();
      try {
        for (let round = 0; round < 2; round++) {
          const reports = await Promise.all(
            CORRECT.map(({ options }) => verify(options, { timeoutMs: 5_000, suites: ['receiver'] })),
          );
          // The recommended acknowledgement time is a measurement the busy core may really lengthen.
          expect(
            reports.flatMap((report, i) =>
              notPassed(`round ${round + 1}, ${CORRECT[i]?.name}`, report, { recommended: false }),
            ),
          ).toEqual([]);
        }
      } finally {
        await stop();
      }
    });

    it('two verifies back to back against one emulator give the same verdicts', async () => {
      const integration = await startReferenceIntegration({
        graphqlUrl: `${t.url}/graphql`,
        closeAfterSilenceMs: 1_500,
        flaw: 'answers-duplicate-messages',
      });
      try {
        const first = await run(integration.url, { timeoutMs: 10_000, suites: ['receiver'] });
        const second = await run(integration.url, { timeoutMs: 10_000, suites: ['receiver'] });
        const verdicts = (r: Report) => r.checks.map((c) => `${c.id} ${c.status}`);
        expect(verdicts(second)).toEqual(verdicts(first));
        expect(first.checks.filter((c) => c.status === 'failed').map((c) => c.id)).toEqual(['receiver.idempotent']);
      } finally {
        await integration.close();
      }
    });

    it('an integration closing 1.5 s after the customer and broken in one way fails that check and only it', async () => {
      const reports = await Promise.all(
        BROKEN.map(({ flaw, suites, timeoutMs }) =>
          verify({ flaw, closeAfterSilenceMs: 1_500 }, { timeoutMs: timeoutMs ?? 3_000, suites }),
        ),
      );
      const outcomes = reports.map((report, i) => {
        const failed = report.checks.filter((c) => c.status === 'failed' && c.level === 'required');
        return { flaw: BROKEN[i]?.flaw, failed: failed.map((c) => c.id), evidence: failed[0]?.evidence };
      });
      for (const [i, outcome] of outcomes.entries()) {
        const expected = BROKEN[i] as (typeof BROKEN)[number];
        expect(outcome.failed, JSON.stringify(outcome)).toEqual([expected.check]);
        expect(outcome.evidence).toMatch(expected.evidence);
      }
    });
  },
);
