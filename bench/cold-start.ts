/**
 * The `cold-start` part: spawn → first answered query, for the built CLI and two baselines started
 * the same way (`node FILE`, plain JavaScript): a bare node:http server and bare Express 5, each
 * answering POST /graphql with the small JSON the emulator answers to { partner { id } }. Rounds are
 * interleaved (emulator, http, Express, emulator, …) so a busy moment of the machine hits all three;
 * one unmeasured round first warms the file cache (and, on Node ≥ 22, the compile cache). The RSS of
 * each process is read right after its first answer.
 */
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { LISTENING, Q1, max, median, min, postGraphQL, round, rssOf, sleep, spawnChild } from './lib.js';

const MAIN = fileURLToPath(new URL('../dist/main.js', import.meta.url));
const HTTP = fileURLToPath(new URL('./cold-start-http.mjs', import.meta.url));
const EXPRESS = fileURLToPath(new URL('./cold-start-express.mjs', import.meta.url));

export const COLD_TARGETS = {
  emulator: [MAIN, 'start', '--port', '0'],
  'bare node http': [HTTP],
  'bare Express 5': [EXPRESS],
} as const;
export type ColdTarget = keyof typeof COLD_TARGETS;

interface Once {
  totalMs: number;
  listenMs: number;
  rssBytes: number | undefined;
}

export interface ColdTargetResult {
  medianMs: number;
  minMs: number;
  maxMs: number;
  listeningLineMedianMs: number;
  rssMedianBytes: number | undefined;
  runsMs: number[];
}

export interface ColdStartResult {
  repeat: number;
  pinned: boolean;
  node: string;
  targets: Record<ColdTarget, ColdTargetResult>;
  /** The emulator's median over each baseline's, same run. */
  ratio: { express: number; http: number };
}

/** One start of `args`: until the "listening on" line, then until a 200 with data.partner.id. */
async function once(args: readonly string[], pin: boolean, env: NodeJS.ProcessEnv): Promise<Once> {
  const t0 = performance.now();
  const child = spawnChild(process.execPath, [...args], { pin, env });
  try {
    const url = (await child.waitFor(LISTENING, 60_000))[1] ?? '';
    const listenMs = performance.now() - t0;
    for (;;) {
      try {
        const answer = await postGraphQL(`${url}/graphql`, Q1, 2000);
        const data = answer.json?.data as { partner?: { id?: string } } | undefined;
        if (answer.status === 200 && data?.partner?.id) break;
      } catch {
        // not answering yet
      }
      if (performance.now() - t0 > 15_000) throw new Error(`cold start: no answer from ${url} within 15 s`);
      await sleep(2);
    }
    return { totalMs: performance.now() - t0, listenMs, rssBytes: rssOf(child.pid) };
  } finally {
    await child.stop();
  }
}

function summary(runs: Once[]): ColdTargetResult {
  const total = runs.map((r) => r.totalMs);
  const rss = runs.flatMap((r) => (r.rssBytes === undefined ? [] : [r.rssBytes]));
  return {
    medianMs: round(median(total)),
    minMs: round(min(total)),
    maxMs: round(max(total)),
    listeningLineMedianMs: round(median(runs.map((r) => r.listenMs))),
    rssMedianBytes: rss.length > 0 ? median(rss) : undefined,
    runsMs: total.map((v) => round(v)),
  };
}

export async function measureColdStart(o: { quick: boolean; pin: boolean; env: NodeJS.ProcessEnv }) {
  const repeat = o.quick ? 3 : 7;
  const names = Object.keys(COLD_TARGETS) as ColdTarget[];
  const runs = Object.fromEntries(names.map((n) => [n, [] as Once[]])) as Record<ColdTarget, Once[]>;
  for (let r = 0; r <= repeat; r++) {
    for (const name of names) {
      const run = await once(COLD_TARGETS[name], o.pin, o.env);
      if (r > 0) runs[name].push(run); // round 0 warms the caches: not counted
    }
  }
  const targets = Object.fromEntries(names.map((n) => [n, summary(runs[n])])) as Record<ColdTarget, ColdTargetResult>;
  const emulator = targets.emulator.medianMs;
  const result: ColdStartResult = {
    repeat,
    pinned: o.pin,
    node: process.version,
    targets,
    ratio: {
      express: round(emulator / targets['bare Express 5'].medianMs, 2),
      http: round(emulator / targets['bare node http'].medianMs, 2),
    },
  };
  return result;
}
