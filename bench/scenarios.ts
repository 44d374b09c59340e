/**
 * The "scenarios" part of the bench (`npm run bench -- --only scenarios`): 300 integrator-facing
 * chats at once. The built CLI (`start --virtual-clock`, pinned to CPU 0) runs
 * `third-party-messaging` with `chats=300` at speed 0 against one loopback integrator written from
 * the guide (CPU 1): each chat's customer waits for the integrator's accept, replies and close in
 * real time, then rates. Measured: time until every chat has its verdict, beside one chat alone
 * (the floor: the customer's real-time grace after each webhook), and `{ partner { id } }` latency
 * (sequential, one keep-alive connection) while they run, beside the same probe idle.
 */
import { Agent } from 'node:http';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { LISTENING, latencySummary, median, percentile, probeQ1, round, rssOf, spawnChild, type Child } from './lib.js';

const MAIN = fileURLToPath(new URL('../dist/main.js', import.meta.url));
const INTEGRATOR = fileURLToPath(new URL('./scenario-integrator.ts', import.meta.url));

interface RunAnswer {
  id: string;
  status: string;
  error?: string;
  chats: string[];
  deliveries: { sent: number; delivered: number; failed: number };
  calls: unknown[];
  verdict?: { passed: boolean; expectations: { id: string; status: string; reason: string }[] };
}

async function json<T>(url: string, body?: unknown): Promise<T> {
  const res = await fetch(
    url,
    body === undefined
      ? {}
      : { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) },
  );
  return (await res.json()) as T;
}

const probe = (url: string, agent: Agent, until: () => boolean, gapMs: number) =>
  probeQ1(url, agent, until, gapMs, 'Q1 during the scenarios bench');
const stats = latencySummary;

export async function measureScenarios({ quick, pin, env }: { quick: boolean; pin: boolean; env: NodeJS.ProcessEnv }) {
  const chats = quick ? 50 : 300;
  const gapMs = 5;
  let emulator: Child | undefined;
  let integrator: Child | undefined;
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  try {
    emulator = spawnChild(process.execPath, [MAIN, 'start', '--port', '0', '--virtual-clock'], { pin, env });
    const base = (await emulator.waitFor(LISTENING, 60_000))[1] ?? '';
    integrator = spawnChild(process.execPath, ['--import', 'tsx', INTEGRATOR, '--graphql', `${base}/graphql`], {
      pin,
      cpu: 1,
      env,
    });
    const target = `${(await integrator.waitFor(LISTENING, 60_000))[1] ?? ''}/guuru`;
    const runs = `${base}/_emulator/scenarios/third-party-messaging/runs`;
    const play = async (n: number, during?: (done: () => boolean) => Promise<number[]>) => {
      const t0 = performance.now();
      const started = await json<{ id: string }>(runs, { target, speed: 0, params: { chats: n } });
      let finished = false;
      const waiting = json<RunAnswer>(`${runs}/${started.id}?wait=1`).then((run) => {
        finished = true;
        return run;
      });
      const samples = during ? await during(() => finished) : [];
      const run = await waiting;
      return { run, ms: performance.now() - t0, samples };
    };
    // Warm-up (not measured): code paths, the integrator's persona, connections.
    await play(5);
    const idle = await probe(
      `${base}/graphql`,
      agent,
      (
        (n) => () =>
          ++n > (quick ? 300 : 600)
      )(0),
      gapMs,
    );
    const single = await play(1);
    const many = await play(chats, (done) => probe(`${base}/graphql`, agent, done, gapMs));
    const failed = many.run.verdict?.expectations.filter((e) => e.status === 'failed') ?? [];
    const result = {
      pinned: pin,
      chats,
      speed: 0,
      scenario: 'third-party-messaging',
      oneChatMs: round(single.ms),
      allChatsMs: round(many.ms),
      status: many.run.status,
      error: many.run.error,
      verdictPassed: many.run.verdict?.passed ?? false,
      failedExpectations: failed.map((e) => `${e.id}: ${e.reason}`),
      chatsWithVerdict: many.run.chats.length,
      deliveries: many.run.deliveries,
      integratorCalls: many.run.calls.length,
      latencyQ1: { idle: stats(idle), duringRun: stats(many.samples) },
      latencyRatio: {
        p50: round(percentile(many.samples, 50) / percentile(idle, 50), 2),
        p99: round(percentile(many.samples, 99) / percentile(idle, 99), 2),
      },
      emulatorRssBytes: rssOf(emulator.pid),
      medianQ1Ms: round(median(many.samples), 1),
    };
    return result;
  } finally {
    agent.destroy();
    await integrator?.stop();
    await emulator?.stop();
  }
}
