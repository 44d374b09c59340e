/**
 * The "gurusup" part of the bench (`npm run bench -- --only gurusup`): GET /gurusup/threads and
 * POST /gurusup/messages on the emulator (the built CLI, pinned like the other server benchmarks)
 * side by side with bare Express 5 routes answering the same JSON (bench/gurusup-baseline.ts).
 * Targets: GET /threads at least 1.0× the baseline per CPU second (issue 26), POST /messages at least 0.6×.
 * Interleaved rounds; medians.
 */
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import { LISTENING, cpuSecondsOf, median, round, spawnChild, type Child } from './lib.js';

const MAIN = fileURLToPath(new URL('../dist/main.js', import.meta.url));
const BASELINE = fileURLToPath(new URL('./gurusup-baseline.ts', import.meta.url));
const KEY = 'demo-api-key';
const MESSAGE = JSON.stringify({
  body: 'Hi, where is my order?',
  thread_fid: 'bench-thread',
  user_fid: 'bench-user',
  lang: 'en',
});

type Target = 'emulator' | 'baseline';
type Endpoint = 'threads' | 'messages';

async function start(target: Target, answersFile: string, pin: boolean): Promise<{ child: Child; url: string }> {
  const child =
    target === 'emulator'
      ? // Every POST adds two messages to one thread: with the default cap (10,000) the thread fills and the rest are refusals.
        spawnChild(process.execPath, [MAIN, 'start', '--port', '0', '--max-messages', '100000000'], {
          pin,
          env: { ...process.env, GUURU_EMULATOR_SEED_CACHE: '0' },
        })
      : spawnChild(process.execPath, ['--import', 'tsx', BASELINE, answersFile], { pin });
  const match = await child.waitFor(LISTENING, 60_000);
  return { child, url: match[1] ?? '' };
}

async function cannon(url: string, endpoint: Endpoint, duration: number, pid?: number) {
  const cpuBefore = pid === undefined ? undefined : cpuSecondsOf(pid);
  const result = await autocannon(
    endpoint === 'threads'
      ? { url: `${url}/gurusup/threads`, connections: 50, duration, headers: { 'x-api-key': KEY } }
      : {
          url: `${url}/gurusup/messages`,
          connections: 50,
          duration,
          method: 'POST',
          headers: { 'x-api-key': KEY, 'content-type': 'application/json' },
          body: MESSAGE,
        },
  );
  const cpuAfter = pid === undefined ? undefined : cpuSecondsOf(pid);
  const cpuSeconds = cpuBefore === undefined || cpuAfter === undefined ? 0 : cpuAfter - cpuBefore;
  return {
    reqPerSec: result.requests.average,
    // Requests per CPU second of the server: fair on a busy machine (see cpuSecondsOf).
    perCpuSecond: cpuSeconds > 0 ? result.requests.total / cpuSeconds : 0,
    p50: result.latency.p50,
    p99: result.latency.p99,
    non2xx: result.non2xx,
    errors: result.errors,
  };
}

type Samples = Record<Target, Record<Endpoint, number[]>>;

const samples = (): Samples => ({ emulator: { threads: [], messages: [] }, baseline: { threads: [], messages: [] } });

/** Each target's median per endpoint, and the emulator's over the baseline's. */
function medians(of: Samples) {
  const med = (t: Target, e: Endpoint) => median(of[t][e]);
  const both = (t: Target) => ({ threads: round(med(t, 'threads')), messages: round(med(t, 'messages')) });
  return {
    medians: { emulator: both('emulator'), baseline: both('baseline') },
    ratio: {
      threads: round(med('emulator', 'threads') / med('baseline', 'threads'), 2),
      messages: round(med('emulator', 'messages') / med('baseline', 'messages'), 2),
    },
  };
}

export async function measureGurusup({ quick, pin }: { quick: boolean; pin: boolean }) {
  if (!existsSync(MAIN)) throw new Error(`${MAIN} is missing: run npm run build first`);
  const dir = mkdtempSync(join(tmpdir(), 'gurusup-bench-'));
  const answersFile = join(dir, 'answers.json');
  try {
    // The baseline answers exactly what the emulator answers.
    const probe = await start('emulator', answersFile, pin);
    const threads = await (await fetch(`${probe.url}/gurusup/threads`, { headers: { 'x-api-key': KEY } })).json();
    const reply = await (
      await fetch(`${probe.url}/gurusup/messages`, {
        method: 'POST',
        headers: { 'x-api-key': KEY, 'content-type': 'application/json' },
        body: MESSAGE,
      })
    ).json();
    await probe.child.stop();
    writeFileSync(answersFile, JSON.stringify({ threads, reply }));

    const rounds = quick ? 1 : 2;
    const duration = quick ? 1 : 8;
    const warmup = quick ? 0.5 : 3;
    const runs = samples();
    const perCpu = samples();
    for (let r = 0; r < rounds; r++) {
      // Interleaved, the order flipping each round.
      for (const target of (r % 2 === 0 ? ['emulator', 'baseline'] : ['baseline', 'emulator']) as Target[]) {
        const { child, url } = await start(target, answersFile, pin);
        try {
          for (const endpoint of ['threads', 'messages'] as Endpoint[]) {
            await cannon(url, endpoint, warmup);
            const run = await cannon(url, endpoint, duration, child.pid);
            if (run.non2xx > 0 || run.errors > 0)
              console.warn(`warning: ${target} ${endpoint}: ${run.non2xx} non-2xx, ${run.errors} errors`);
            runs[target][endpoint].push(run.reqPerSec);
            perCpu[target][endpoint].push(run.perCpuSecond);
            console.log(
              `  round ${r + 1}/${rounds} ${target.padEnd(8)} ${endpoint.padEnd(8)} ${Math.round(run.reqPerSec).toLocaleString('en-US').padStart(7)} req/s  ${Math.round(run.perCpuSecond).toLocaleString('en-US').padStart(6)} per CPU-s  p50 ${run.p50} ms  p99 ${run.p99} ms`,
            );
          }
        } finally {
          await child.stop();
        }
      }
    }
    const reqPerSec = medians(runs);
    const cpu = medians(perCpu);
    return {
      pinned: pin,
      rounds,
      durationSeconds: duration,
      connections: 50,
      responseBytes: {
        threads: Buffer.byteLength(JSON.stringify(threads)),
        messages: Buffer.byteLength(JSON.stringify(reply)),
      },
      medianReqPerSec: reqPerSec.medians,
      ratio: reqPerSec.ratio,
      medianPerCpuSecond: cpu.medians,
      ratioPerCpuSecond: cpu.ratio,
      runs,
      perCpu,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
