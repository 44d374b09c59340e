import { Worker } from 'node:worker_threads';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, type TestEmulator } from '../helpers/emulator.js';
import { startReferenceIntegration, type Flaw, type ReferenceOptions } from '../helpers/reference-integration.js';

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

type Check = { id: string; status: string; evidence: string };
type Report = { status: string; checks: Check[]; timings: { durationMs: number } };

/** Correct integrations: every one checks the HMAC over the raw body, dedupes, accepts only api chats with a persona, answers every message, closes once helped. */
const CORRECT: { name: string; options: Partial<ReferenceOptions> }[] = [
  ...[0, 500, 1_000, 1_500, 1_600, 2_500, 4_000].map((ms) => ({ name: `closes ${ms / 1000} s after the customer's last message`, options: { closeAfterSilenceMs: ms } })),
  { name: 'does its work 0–800 ms after acknowledging', options: { workDelayMaxMs: 800, closeAfterSilenceMs: 1_500 } },
  { name: 'answers each message with two replies', options: { repliesPerMessage: 2, closeAfterSilenceMs: 1_500 } },
];

async function verify(options: Partial<ReferenceOptions>, body: Record<string, unknown>): Promise<Report> {
  const integration = await startReferenceIntegration({ graphqlUrl: `${t.url}/graphql`, ...options });
  try {
    return await run(integration.url, body);
  } finally {
    await integration.close();
  }
}

async function run(target: string, body: Record<string, unknown>): Promise<Report> {
  const started = await fetch(`${t.url}/_emulator/verifications`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ target, ...body }) });
  expect(started.status).toBe(202);
  const { id } = (await started.json()) as { id: string };
  return (await (await fetch(`${t.url}/_emulator/verifications/${id}?wait=1`)).json()) as Report;
}

/** "name: check failed (evidence)" for every check that did not pass (skipped only where nothing can be examined). */
const notPassed = (name: string, report: Report): string[] =>
  report.checks.filter((c) => c.status !== 'passed' && !(c.id === 'third-party.reopen' && c.status === 'skipped')).map((c) => `${name}: ${c.id} ${c.status} (${c.evidence})`);

/** Spins on another thread: a busy loop on the other core while verify runs. */
function busyLoop(): () => Promise<number> {
  const worker = new Worker('for (;;) {}', { eval: true });
  return () => worker.terminate();
}

describe.concurrent('verify stability: the verdict does not depend on the pace of a correct integration', { timeout: 90_000 }, () => {
  it('every correct integration passes every check of both suites, whatever its close delay', async () => {
    const reports = await Promise.all(CORRECT.map(({ options }) => verify(options, { timeoutMs: 5_000 })));
    expect(reports.flatMap((report, i) => notPassed(CORRECT[i]?.name ?? '', report))).toEqual([]);
  });

  it('and every receiver check with the other core busy, twice in a row', async () => {
    const stop = busyLoop();
    try {
      for (let round = 0; round < 2; round++) {
        const reports = await Promise.all(CORRECT.map(({ options }) => verify(options, { timeoutMs: 5_000, suites: ['receiver'] })));
        expect(reports.flatMap((report, i) => notPassed(`round ${round + 1}, ${CORRECT[i]?.name}`, report))).toEqual([]);
      }
    } finally {
      await stop();
    }
  });

  it('two verifies back to back against one emulator give the same verdicts', async () => {
    const integration = await startReferenceIntegration({ graphqlUrl: `${t.url}/graphql`, closeAfterSilenceMs: 1_500, flaw: 'answers-duplicate-messages' });
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

  const broken: { flaw: Flaw; check: string; evidence: RegExp; suites: string[]; timeoutMs?: number }[] = [
    { flaw: 'accepts-any-signature', check: 'receiver.bad-signature-refused', evidence: /it acted on a forged delivery/, suites: ['receiver'] },
    { flaw: 'no-idempotency', check: 'receiver.idempotent', evidence: /acceptChat ×2 .*the second copy was acted on/, suites: ['receiver'] },
    { flaw: 'accepts-any-chat', check: 'receiver.ignores-other-experts', evidence: /handle only chats whose requestedExperts contain "api"/, suites: ['receiver'] },
    {
      flaw: 'answers-duplicate-messages',
      check: 'receiver.idempotent',
      evidence: /^message-created \(chat \S+\) sent twice with Idempotency-Key \S+ → 200, 200; answered with sendChatMessage ×2, where a single message-created \(chat \S+\) was answered with sendChatMessage ×1, each counted after 1 s without a call or delivery on its chat: the second copy was acted on$/,
      suites: ['receiver'],
      // The default timeout: its windows were the ones a 1.5 s close used to straddle.
      timeoutMs: 10_000,
    },
    { flaw: 'writes-after-close', check: 'third-party.no-message-after-close', evidence: /sendChatMessage into a chat that is not open was refused/, suites: ['receiver', 'third-party'] },
    { flaw: 'never-closes', check: 'third-party.close', evidence: /no closeChat once the customer is helped within 3 s/, suites: ['receiver', 'third-party'] },
  ];

  it('an integration closing 1.5 s after the customer and broken in one way fails that check and only it', async () => {
    const reports = await Promise.all(broken.map(({ flaw, suites, timeoutMs }) => verify({ flaw, closeAfterSilenceMs: 1_500 }, { timeoutMs: timeoutMs ?? 3_000, suites })));
    const outcomes = reports.map((report, i) => {
      const failed = report.checks.filter((c) => c.status === 'failed');
      return { flaw: broken[i]?.flaw, failed: failed.map((c) => c.id), evidence: failed[0]?.evidence };
    });
    for (const [i, outcome] of outcomes.entries()) {
      const expected = broken[i] as (typeof broken)[number];
      expect(outcome.failed, JSON.stringify(outcome)).toEqual([expected.check]);
      expect(outcome.evidence).toMatch(expected.evidence);
    }
  });
});
