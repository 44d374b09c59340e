/**
 * The "attacks" part of the bench (`npm run bench -- --only attacks`): the GraphQL cost attacks of
 * issue 12 against the built CLI (CPU 0) with its default limits. Each attack is sent 20 times at once,
 * three rounds (after each alone ten times, for the time a refusal takes), while a small query (`{ partner { id } }`, sequential, one keep-alive connection)
 * probes the API; measured: how fast each attack is refused and with which reason, the probe's
 * latency meanwhile beside the same probe idle, and the emulator's RSS before, at its highest and
 * after. The baseline for what the limits prevent: the cheapest attack once against an emulator
 * started with the limits lifted, with the same probe running.
 */
import { Agent } from 'node:http';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import {
  LISTENING,
  Q1,
  assertOk,
  latencySummary,
  median,
  postGraphQL,
  probeQ1,
  round,
  rssOf,
  spawnChild,
  type Child,
  type GraphQLAnswer,
} from './lib.js';

const MAIN = fileURLToPath(new URL('../dist/main.js', import.meta.url));
const MiB = 1024 * 1024;

const aliases = (n: number, body: string) => Array.from({ length: n }, (_, i) => `a${i}: ${body}`).join(' ');
const partnersChats = 'partners { edges { node { chats(first: 100) { edges { node { id question } } } } } }';

/** The attacks as the issue reproduced them, and two shaped to stay under the alias limit so the cost limit refuses them. */
export const ATTACKS: Record<string, string> = {
  '100 aliases of experts(first: 100), each with 10 aliases of partners → chats(first: 100)': `{ partner { ${aliases(100, `experts(first: 100) { edges { node { ${aliases(10, partnersChats)} } } }`)} } }`,
  '500 aliases of chats(first: 100) → messages': `{ partner { ${aliases(500, 'chats(first: 100) { edges { node { id messages { edges { node { id } } } } } }')} } }`,
  '20 aliases of experts(first: 100) → partners → chats(first: 100)': `{ partner { ${aliases(20, `experts(first: 100) { edges { node { ${partnersChats} } } }`)} } }`,
  '30 aliases of chats(first: 100) → messages(first: 100)': `{ partner { ${aliases(30, 'chats(first: 100) { edges { node { id messages(first: 100) { edges { node { id createdAt } } } } } }')} } }`,
};
/** The baseline: the cheapest attack of the issue (it stalled the emulator 2.6 s before the limits). */
const LIFTED_ATTACK = '500 aliases of chats(first: 100) → messages';
const LIFTED = ['--max-aliases', '100000', '--max-query-cost', '1000000000', '--max-tokens', '1000000'];

const stats = latencySummary;
const probe = (url: string, agent: Agent, until: () => boolean) =>
  probeQ1(url, agent, until, 5, 'the probe during the attacks bench', 120_000);

/** The emulator's highest RSS while `work` runs, sampled every 20 ms. */
async function peakRss<T>(pid: number, work: () => Promise<T>): Promise<{ result: T; peakMiB: number }> {
  let peak = rssOf(pid) ?? 0;
  const timer = setInterval(() => (peak = Math.max(peak, rssOf(pid) ?? 0)), 20);
  try {
    return { result: await work(), peakMiB: round(peak / MiB, 1) };
  } finally {
    clearInterval(timer);
  }
}

const reasonOf = (answer: GraphQLAnswer) =>
  (answer.json?.errors?.[0] as { extensions?: { reason?: string } } | undefined)?.extensions?.reason ??
  `HTTP ${answer.status}`;

export async function measureAttacks({ quick, pin, env }: { quick: boolean; pin: boolean; env: NodeJS.ProcessEnv }) {
  const rounds = quick ? 1 : 3;
  const atOnce = 20;
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  let emulator: Child | undefined;
  let lifted: Child | undefined;
  try {
    emulator = spawnChild(process.execPath, [MAIN, 'start', '--port', '0'], {
      pin,
      env: { ...env, NODE_ENV: 'production' },
    });
    const url = `${(await emulator.waitFor(LISTENING, 60_000))[1] ?? ''}/graphql`;
    const pid = emulator.pid;
    for (let i = 0; i < 50; i++) assertOk(await postGraphQL(url, Q1, 10_000, agent), 'warm-up');
    const idleUntil = performance.now() + (quick ? 1_000 : 3_000);
    const idle = stats(await probe(url, agent, () => performance.now() > idleUntil));
    const rssBeforeMiB = round((rssOf(pid) ?? 0) / MiB, 1);

    // Each attack alone, one after another: how long a refusal takes.
    const alone: Record<string, number[]> = {};
    for (const [name, query] of Object.entries(ATTACKS)) {
      for (let i = 0; i < (quick ? 5 : 10); i++) {
        const start = performance.now();
        await postGraphQL(url, query, 120_000, agent);
        (alone[name] ??= []).push(performance.now() - start);
      }
    }

    // Then in bursts, while the probe runs.
    const refusals: Record<string, { reasons: string[]; statuses: number[]; ms: number[] }> = {};
    let attacking = true;
    const during = probe(url, agent, () => !attacking);
    const { peakMiB } = await peakRss(pid, async () => {
      for (let r = 0; r < rounds; r++) {
        for (const [name, query] of Object.entries(ATTACKS)) {
          const entry = (refusals[name] ??= { reasons: [], statuses: [], ms: [] });
          await Promise.all(
            Array.from({ length: atOnce }, async () => {
              const start = performance.now();
              const answer = await postGraphQL(url, query, 120_000);
              entry.ms.push(performance.now() - start);
              entry.statuses.push(answer.status);
              entry.reasons.push(reasonOf(answer));
            }),
          );
        }
      }
    });
    attacking = false;
    const duringAttacks = stats(await during);
    const rssAfterMiB = round((rssOf(pid) ?? 0) / MiB, 1);
    await emulator.stop();
    emulator = undefined;

    // Baseline: the cheapest attack, once, with the limits lifted.
    lifted = spawnChild(process.execPath, [MAIN, 'start', '--port', '0', ...LIFTED], {
      pin,
      env: { ...env, NODE_ENV: 'production' },
    });
    const liftedUrl = `${(await lifted.waitFor(LISTENING, 60_000))[1] ?? ''}/graphql`;
    for (let i = 0; i < 50; i++) assertOk(await postGraphQL(liftedUrl, Q1, 10_000, agent), 'warm-up');
    const liftedPid = lifted.pid;
    const liftedRssBeforeMiB = round((rssOf(liftedPid) ?? 0) / MiB, 1);
    let running = true;
    const liftedProbe = probe(liftedUrl, agent, () => !running);
    const { result: liftedAnswer, peakMiB: liftedPeakMiB } = await peakRss(liftedPid, async () => {
      const start = performance.now();
      const answer = await postGraphQL(liftedUrl, ATTACKS[LIFTED_ATTACK] ?? '', 300_000);
      return { ms: performance.now() - start, status: answer.status, bytes: answer.body.length };
    });
    running = false;
    const liftedProbeStats = stats(await liftedProbe);

    return {
      rounds,
      atOnce,
      attacks: Object.fromEntries(
        Object.entries(refusals).map(([name, r]) => [
          name,
          {
            aloneMedianMs: round(median(alone[name] ?? []), 1),
            sent: r.ms.length,
            statuses: [...new Set(r.statuses)],
            reasons: [...new Set(r.reasons)],
            medianMs: round(median(r.ms), 1),
            maxMs: round(Math.max(...r.ms), 1),
          },
        ]),
      ),
      allRefused: Object.values(refusals).every(
        (r) => r.statuses.every((s) => s === 400) && r.reasons.every((x) => x.startsWith('MAX_')),
      ),
      probeQ1: { idle, duringAttacks },
      rssMiB: { before: rssBeforeMiB, highest: peakMiB, after: rssAfterMiB },
      liftedBaseline: {
        attack: LIFTED_ATTACK,
        flags: LIFTED.join(' '),
        answerMs: round(liftedAnswer.ms),
        status: liftedAnswer.status,
        answerMiB: round(liftedAnswer.bytes / MiB, 1),
        probeQ1: liftedProbeStats,
        rssMiB: { before: liftedRssBeforeMiB, highest: liftedPeakMiB },
      },
    };
  } finally {
    agent.destroy();
    await emulator?.stop();
    await lifted?.stop();
  }
}
