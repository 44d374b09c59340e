import { readFileSync, writeFileSync } from 'node:fs';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, type TestEmulator } from '../../helpers/emulator.js';
import { explore, EXPLORED, verifyOn, type ExploreReportJson } from '../../helpers/explore.js';
import { startReferenceIntegration, type Flaw } from '../../helpers/reference-integration.js';
import { ControlClient } from '../../../src/testing/index.js';
import { flowArbitrary, normalise, type Flow } from '../../../src/verify/explore/model.js';
import { toScenarioYaml } from '../../../src/verify/explore/to-scenario.js';

// verify --explore against real integrations on loopback: each planted bug (a flaw of the reference
// integration that no fixed check provokes) is found, shrunk to a few steps and replayed from its
// file to the same failure; the reference integration passes. The figures of the table in
// docs/verify.md ("Exploring") come from here: UPDATE_EXPLORE_TABLE=1 rewrites it.

const PLANTED: { flaw: Flaw; kind: string; property: string | string[] }[] = [
  { flaw: 'racy-dedupe', kind: 'a dedupe that races on concurrent copies', property: 'explore.acts-once' },
  {
    flaw: 'forgets-second-reopen',
    kind: 'a handler that forgets the second reopen',
    property: 'explore.answers-every-message',
  },
  {
    flaw: 'answers-own-messages',
    kind: 'a handler that answers its own messages',
    property: 'explore.ignores-own-messages',
  },
  {
    flaw: 'loses-burst-messages',
    kind: 'a debounce that loses a message of a burst',
    property: 'explore.answers-every-message',
  },
  { flaw: 'fails-on-attachment', kind: 'a handler that fails on an attachment', property: 'explore.acknowledges' },
  // Its chat stays "assigned": the customer's next message goes unanswered, or its thanks never lead to a close.
  {
    flaw: 'ignores-reassignment',
    kind: 'a handler that ignores a re-assignment',
    property: ['explore.answers-every-message', 'explore.closes-when-helped'],
  },
];

/** Small figures for a shared 2-core machine: a short timeout and grace, silences up to 400 ms. */
const FAST = { runs: 200, seed: 11, timeMs: 25_000 };
const TIMEOUT_MS = 500;

let t: TestEmulator;
beforeAll(async () => {
  t = await startEmulator();
});
afterAll(async () => {
  await t.stop();
});

const withFlaw = (flaw?: Flaw) => ({ ...(flaw ? { flaw } : {}) });
const run = (flaw: Flaw | undefined, options: Record<string, unknown> = {}) =>
  explore(t, withFlaw(flaw), { graceMs: 100, maxSilenceMs: 400, ...FAST, ...options }, TIMEOUT_MS);

/** Replays a flow file on a fresh emulator (the flow's chat ids are free there) against a fresh integration with the same flaw. */
async function replay(flaw: Flaw | undefined, file: unknown): Promise<ExploreReportJson> {
  const fresh = await startEmulator();
  const integration = await startReferenceIntegration({
    graphqlUrl: `${fresh.url}/graphql`,
    ...EXPLORED,
    ...withFlaw(flaw),
  });
  try {
    return await verifyOn(fresh, { target: integration.url, timeoutMs: TIMEOUT_MS, replay: file });
  } finally {
    await integration.close();
    await fresh.stop();
  }
}

const rows: {
  kind: string;
  flaw: string;
  property: string;
  flows: number;
  steps: number;
  shrinkRuns: number;
  seconds: number;
  replayed: boolean;
}[] = [];

describe('verify --explore: planted bugs', { timeout: 120_000 }, () => {
  // Two at a time: each is a real integration, and the 2-core machine is shared.
  for (let i = 0; i < PLANTED.length; i += 2) {
    const pair = PLANTED.slice(i, i + 2);
    it(`finds, shrinks and replays: ${pair.map((p) => p.flaw).join(', ')}`, async () => {
      await Promise.all(
        pair.map(async (planted) => {
          const report = await run(planted.flaw);
          const failure = report.explore.failure;
          expect(
            report.status,
            report.error ?? JSON.stringify(report.checks.filter((c) => c.status === 'failed')),
          ).toBe('failed');
          expect([planted.property].flat()).toContain(failure?.property);
          if (!failure) return;
          expect(report.explore.flows).toBeLessThanOrEqual(200);
          expect(
            failure.steps.length,
            `${planted.flaw}: ${failure.steps.join(' ')} (${report.explore.flows} flows, ${report.explore.shrinkRuns} shrink runs, ${report.explore.durationMs} ms)`,
          ).toBeLessThanOrEqual(5);
          expect(report.explore.durationMs).toBeLessThan(60_000);
          // The check names the minimal flow in words and what broke.
          const check = report.checks.find((c) => c.id === failure.property);
          expect(check?.evidence).toMatch(
            new RegExp(`^minimal flow \\(${failure.steps.length} steps?\\): 1\\. chat A assigned to api`),
          );
          expect(failure.file.steps).toEqual(failure.steps);

          const again = await replay(planted.flaw, failure.file);
          expect(again.status, again.error).toBe('failed');
          expect(again.explore.failure?.property).toBe(failure.property);
          // Byte for byte: the same chats, keys, bodies and signatures.
          expect(again.explore.failure?.file.deliveries).toEqual(failure.file.deliveries);
          expect(again.explore.failure?.file.chats).toEqual(failure.file.chats);
          rows.push({
            kind: planted.kind,
            flaw: planted.flaw,
            flows: report.explore.flows,
            steps: failure.steps.length,
            shrinkRuns: report.explore.shrinkRuns,
            seconds: report.explore.durationMs / 1000,
            replayed: again.explore.failure?.property === failure.property,
            property: failure.property,
          });
        }),
      );
    });
  }

  it('writes the measured table (docs/verify.md) when asked', () => {
    expect(rows).toHaveLength(PLANTED.length);
    const table = [
      '| planted bug (reference integration flaw) | property broken | found after (flows) | minimal flow (steps) | flows played to shrink | search + shrink | replayed from the file |',
      '|---|---|---|---|---|---|---|',
      ...PLANTED.map((p) => rows.find((r) => r.flaw === p.flaw)).map(
        (r) =>
          `| ${r?.kind} (\`${r?.flaw}\`) | \`${r?.property}\` | ${r?.flows} | ${r?.steps} | ${r?.shrinkRuns} | ${r?.seconds.toFixed(1)} s | ${r?.replayed ? 'same failure' : 'no'} |`,
      ),
    ].join('\n');
    console.log(table);
    const docs = readFileSync('docs/verify.md', 'utf8');
    const marked = /(<!-- explore-table:start[^>]*-->\n)[\s\S]*?(<!-- explore-table:end -->)/;
    expect(docs).toMatch(marked);
    if (process.env.UPDATE_EXPLORE_TABLE) writeFileSync('docs/verify.md', docs.replace(marked, `$1${table}\n$2`));
  });
});

describe('verify --explore: a correct integration, determinism, minimality', { timeout: 120_000 }, () => {
  it('passes the reference integration on every generated flow', async () => {
    // The flows of seed 5 hold delayed deliveries among the other faults: the passing covers them.
    const flows = fc.sample(flowArbitrary({ maxSteps: 8, maxSilenceMs: 400 }), { seed: 5, numRuns: 15 });
    expect(flows.flatMap((f) => normalise(f)).filter((s) => s.fault === 'delayed').length).toBeGreaterThan(0);
    const report = await run(undefined, { runs: 15, seed: 5 });
    expect(report.checks.map((c) => [c.id, c.status])).toEqual([
      ['explore.answers-every-message', 'passed'],
      ['explore.no-write-after-close', 'passed'],
      ['explore.acts-once', 'passed'],
      ['explore.only-api-chats', 'passed'],
      ['explore.ignores-own-messages', 'passed'],
      ['explore.acknowledges', 'passed'],
      ['explore.closes-when-helped', 'passed'],
    ]);
    expect(report.explore).toMatchObject({ mode: 'explore', flows: 15, shrinkRuns: 0, outOfTime: false });
    expect(report.checks[0]?.evidence).toBe('kept in 15 generated flows');
  });

  it('runs through the testing ControlClient: explore, then replay the file it returned', async () => {
    const fresh = await startEmulator();
    const control = new ControlClient(fresh.url);
    let integration = await startReferenceIntegration({
      graphqlUrl: `${fresh.url}/graphql`,
      ...EXPLORED,
      flaw: 'answers-own-messages',
    });
    try {
      const report = await control.verify({
        target: integration.url,
        suites: [],
        timeoutMs: TIMEOUT_MS,
        explore: { runs: 5, seed: 3, graceMs: 100, maxSilenceMs: 400 },
      });
      expect(report).toMatchObject({
        status: 'failed',
        suites: ['explore'],
        explore: { mode: 'explore', failure: { property: 'explore.ignores-own-messages' } },
      });
      const file = report.explore?.failure?.file;
      expect(file?.kind).toBe('guuru-emulator/explore-flow');
      // The replay needs an emulator without those chats, and an integration that has not seen those keys.
      await expect(
        control.verify({ target: integration.url, timeoutMs: TIMEOUT_MS, replay: file }),
      ).resolves.toMatchObject({
        status: 'error',
        error: expect.stringMatching(
          /^cannot replay: .* Replay on an emulator where the flow's chats \(.+\) do not exist yet, such as a fresh one\.$/,
        ),
      });
      await integration.close();
      const other = await startEmulator();
      integration = await startReferenceIntegration({
        graphqlUrl: `${other.url}/graphql`,
        ...EXPLORED,
        flaw: 'answers-own-messages',
      });
      try {
        const again = await new ControlClient(other.url).verify({
          target: integration.url,
          timeoutMs: TIMEOUT_MS,
          replay: file,
        });
        expect(again).toMatchObject({
          status: 'failed',
          suites: ['explore'],
          explore: {
            mode: 'replay',
            flows: 1,
            failure: { property: 'explore.ignores-own-messages', steps: file?.steps },
          },
        });
      } finally {
        await other.stop();
      }
    } finally {
      await integration.close();
      await fresh.stop();
    }
  });

  it('gives the same flows and report for the same seed', async () => {
    const once = async () => {
      const fresh = await startEmulator();
      const integration = await startReferenceIntegration({
        graphqlUrl: `${fresh.url}/graphql`,
        ...EXPLORED,
        flaw: 'answers-own-messages',
      });
      try {
        return await verifyOn(fresh, {
          target: integration.url,
          suites: [],
          timeoutMs: TIMEOUT_MS,
          explore: { runs: 10, seed: 23, graceMs: 100, maxSilenceMs: 400 },
        });
      } finally {
        await integration.close();
        await fresh.stop();
      }
    };
    const [a, b] = [await once(), await once()];
    const stable = (r: ExploreReportJson) => ({
      status: r.status,
      checks: r.checks.map((c) => [c.id, c.status, c.evidence]),
      flows: r.explore.flows,
      steps: r.explore.failure?.steps,
      flow: r.explore.failure?.file.flow,
      seed: r.explore.failure?.file.seed,
      chats: r.explore.failure?.file.chats,
      keys: r.explore.failure?.file.deliveries.map((d: { idempotencyKey: string }) => d.idempotencyKey),
    });
    expect(stable(b)).toEqual(stable(a));
    expect(a.explore.failure?.steps.length).toBeGreaterThan(0);
  });

  it('hands back a minimal flow: it still fails, and without any one of its steps it passes', async () => {
    const report = await run('ignores-reassignment');
    const failure = report.explore.failure;
    expect(failure?.property).toMatch(/^explore\./);
    if (!failure) return;
    const file = failure.file;
    expect(file.flow.length).toBeGreaterThanOrEqual(3);
    const integration = await startReferenceIntegration({
      graphqlUrl: `${t.url}/graphql`,
      ...EXPLORED,
      flaw: 'ignores-reassignment',
    });
    try {
      // The flow itself, rendered afresh (no recorded deliveries), still fails the same way.
      const whole = await verifyOn(t, {
        target: integration.url,
        timeoutMs: TIMEOUT_MS,
        replay: { ...file, deliveries: [] },
      });
      expect(whole.explore.failure?.property).toBe(failure.property);
      for (let i = 0; i < file.flow.length; i++) {
        const without = await verifyOn(t, {
          target: integration.url,
          timeoutMs: TIMEOUT_MS,
          replay: { ...file, flow: file.flow.filter((_: unknown, j: number) => j !== i), deliveries: [] },
        });
        expect(
          without.checks.find((c) => c.id === failure.property)?.status,
          `without step ${i + 1} (${file.steps[i]})`,
        ).toBe('passed');
      }
    } finally {
      await integration.close();
    }
  });
});

/** A flow file written by hand (no recorded deliveries: rendered afresh), as `verify --replay` and `scenario from-flow` take it. */
const handWritten = (flow: Flow, property = 'explore.answers-every-message') => ({
  kind: 'guuru-emulator/explore-flow',
  version: 1,
  property,
  rule: 'by hand',
  failure: 'written by hand',
  steps: [],
  seed: 77,
  tenant: 'guuru-qa',
  timeoutMs: TIMEOUT_MS,
  graceMs: 100,
  maxSilenceMs: 400,
  flow,
  deliveries: [],
  chats: {},
});

describe('verify --explore: delayed deliveries', { timeout: 120_000 }, () => {
  it("holds a delayed step's deliveries back while other chats go on, keeps the chat's order, and the reference integration passes", async () => {
    const fresh = await startEmulator();
    const integration = await startReferenceIntegration({ graphqlUrl: `${fresh.url}/graphql`, ...EXPLORED });
    try {
      const report = await verifyOn(fresh, {
        target: integration.url,
        timeoutMs: TIMEOUT_MS,
        replay: handWritten([
          { do: 'assign', chat: 'A', api: true, at: { gapMs: 0 } },
          { do: 'write', chat: 'A', kind: 'text', at: { gapMs: 0 } },
          { do: 'write', chat: 'A', kind: 'text', at: { silenceMs: 0 }, fault: 'delayed', delayMs: 1000 },
          { do: 'assign', chat: 'B', api: true, at: { gapMs: 0 } },
          { do: 'write', chat: 'B', kind: 'text', at: { gapMs: 50 } },
        ]),
      });
      // Your close crossed the late message (it was written before the close): left to the customer, not owed.
      expect(report.status, report.error ?? JSON.stringify(report.checks.filter((c) => c.status !== 'passed'))).toBe(
        'passed',
      );
      const log = integration.log;
      const [a, b] = [...new Set(log.filter((d) => d.event === 'chat-assigned').map((d) => d.chatId))];
      const first = (chat: string | undefined, event: string) =>
        log.find((d) => d.chatId === chat && d.event === event);
      const late = log.filter((d) => d.chatId === a && d.event === 'message-created')[2];
      // A's second message went 1 s late; B's assignment and message went meanwhile.
      expect(late && late.at - (first(b, 'chat-assigned')?.at ?? 0)).toBeGreaterThanOrEqual(900);
      expect(first(b, 'message-created')?.at).toBeLessThan(late?.at ?? 0);
      // A's own order: your close came during the delay, so chat-closed went behind the late message.
      const ofA = log.filter((d) => d.chatId === a);
      expect(ofA.slice(-2)).toEqual([late, expect.objectContaining({ event: 'chat-closed' })]);
      expect(ofA.filter((d) => d.event === 'message-created')).toHaveLength(3);
    } finally {
      await integration.close();
      await fresh.stop();
    }
  });

  it('writes a failing flow with a delay to its file, and the file replays it to the same failure', async () => {
    const first = await startEmulator();
    let integration = await startReferenceIntegration({
      graphqlUrl: `${first.url}/graphql`,
      ...EXPLORED,
      flaw: 'answers-own-messages',
    });
    let file: any;
    try {
      const report = await verifyOn(first, {
        target: integration.url,
        timeoutMs: TIMEOUT_MS,
        replay: handWritten(
          [
            { do: 'assign', chat: 'A', api: true, at: { gapMs: 0 } },
            { do: 'write', chat: 'A', kind: 'text', at: { gapMs: 0 }, fault: 'delayed', delayMs: 250 },
          ],
          'explore.ignores-own-messages',
        ),
      });
      expect(report.explore.failure?.property).toBe('explore.ignores-own-messages');
      file = report.explore.failure?.file;
      expect(file.flow[1]).toEqual({
        do: 'write',
        chat: 'A',
        kind: 'text',
        at: { gapMs: 0 },
        fault: 'delayed',
        delayMs: 250,
      });
      expect(file.steps[1]).toBe(
        "2. the customer of chat A sends a message, delivered 250 ms late (other chats' deliveries go on meanwhile)",
      );
      expect(file.deliveries.map((d: { step: number; event: string }) => [d.step, d.event])).toEqual([
        [0, 'chat-assigned'],
        [1, 'message-created'],
      ]);
    } finally {
      await integration.close();
      await first.stop();
    }
    const second = await startEmulator();
    integration = await startReferenceIntegration({
      graphqlUrl: `${second.url}/graphql`,
      ...EXPLORED,
      flaw: 'answers-own-messages',
    });
    try {
      const again = await verifyOn(second, { target: integration.url, timeoutMs: TIMEOUT_MS, replay: file });
      expect(again.explore.failure?.property).toBe('explore.ignores-own-messages');
      expect(again.explore.failure?.file.deliveries).toEqual(file.deliveries);
      const [assigned, message] = integration.log;
      expect(message && assigned && message.at - assigned.at).toBeGreaterThanOrEqual(230);
    } finally {
      await integration.close();
      await second.stop();
    }
  });
});

describe('a flow file as a scenario', { timeout: 120_000 }, () => {
  it('runs against the reference integration: every chat, interleaved, its faults as fault rules', async () => {
    const yaml = toScenarioYaml(
      handWritten([
        { do: 'assign', chat: 'A', api: true, at: { gapMs: 0 } },
        { do: 'write', chat: 'A', kind: 'attachment', at: { silenceMs: 200 }, fault: 'concurrent' },
        { do: 'assign', chat: 'B', api: false, at: { gapMs: 50 }, fault: 'reordered' },
        { do: 'write', chat: 'A', kind: 'text', at: { gapMs: 0 }, fault: 'delayed', delayMs: 500 },
        { do: 'agent-write', chat: 'B', at: { gapMs: 0 } },
        { do: 'assign', chat: 'C', api: true, at: { gapMs: 0 } },
        { do: 'write', chat: 'C', kind: 'text', at: { gapMs: 0 }, fault: 'duplicate' },
        { do: 'write', chat: 'A', kind: 'helped', at: { afterClose: true }, fault: 'retry' },
        { do: 'rate', chat: 'A', at: { afterClose: true } },
      ]) as never,
      'explore-by-hand',
    );
    const fresh = await startEmulator();
    const integration = await startReferenceIntegration({ graphqlUrl: `${fresh.url}/graphql`, ...EXPLORED });
    try {
      const control = new ControlClient(fresh.url);
      expect(await control.loadScenarios([{ file: 'explore-by-hand.yaml', yaml }])).toMatchObject({
        scenarios: ['explore-by-hand'],
      });
      const run = await control.runScenario('explore-by-hand', { target: integration.url, speed: 1 });
      expect(run.status, run.error).toBe('completed');
      expect(run.verdict?.passed).toBe(true);
      expect(run.chats).toHaveLength(3);
      const [a, b, c] = run.chats;
      const faulted = fresh.emulator.webhooks.dispatcher.log
        .list()
        .filter((d) => d.faults.length > 0)
        .map((d) => [d.chatId, d.event, d.faults.join()]);
      expect(faulted).toEqual([
        [a, 'message-created', 'duplicate'],
        [a, 'message-created', 'duplicate'],
        [b, 'chat-assigned', 'reorder'],
        [a, 'message-created', 'delay'],
        [c, 'message-created', 'duplicate'],
        [c, 'message-created', 'duplicate'],
        [a, 'message-created', 'duplicate'],
        [a, 'message-created', 'duplicate'],
      ]);
    } finally {
      await integration.close();
      await fresh.stop();
    }
  });
});
