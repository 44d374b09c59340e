/**
 * Durability at size: `npm run durability` (builds first; `-- --cycles N`, default 10; `-- --only
 * tenants|chats`). The built CLI with --data is killed with SIGKILL at a random moment (300–1,500 ms
 * into the load, from a fixed seed) under four writers (three create chats, one creates tenants, as
 * `POST /_emulator/tenants` does), started again on the same file, and every acknowledged write
 * is looked for. Two states: `tenants`, 50 tenants made first (then more by the writer), and
 * `chats`, 100,000 chats (--bulk-chats). The promise: a write acknowledged more than 100 ms before
 * the kill survives it. Prints a table and writes bench/durability-results.json; exit 1 when the
 * promise broke.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { killCycle, stateBytes } from '../test/helpers/durability.js';
import { spawnUntilListening, type Running } from '../test/helpers/spawn.js';
import { guardChildren, round } from './lib.js';

const PROMISE_MS = 100;
const argv = process.argv.slice(2);
const flag = (name: string) => {
  const at = argv.indexOf(name);
  return at >= 0 ? argv[at + 1] : undefined;
};
const cycles = Number(flag('--cycles') ?? 10);
const only = flag('--only');
guardChildren();
// The CLI children are spawned by the tests' helper, not lib's spawnChild: killed here on any exit.
const live = new Set<Running>();
process.on('exit', () => {
  for (const app of live) app.child.kill('SIGKILL');
});

/** A small fixed-seed generator: the same kill moments every run. */
let seed = 20261206;
const nextFraction = () => {
  seed = (Math.imul(seed, 1_103_515_245) + 12_345) >>> 0;
  return seed / 2 ** 32;
};

interface Cycle {
  mbAtKill: number;
  loadMs: number;
  acknowledged: number;
  lost: number;
  lostOlderThanPromise: number;
  oldestLossMs: number | null;
}

async function part(
  name: string,
  extra: string[],
  prepare: (app: Running) => Promise<void>,
): Promise<{ name: string; cycles: Cycle[]; tenants: number }> {
  const dir = mkdtempSync(join(tmpdir(), 'guuru-durability-'));
  const file = join(dir, 'state.json');
  const args = [
    'dist/main.js',
    'start',
    '--port',
    '0',
    '--seed-time',
    '2026-11-22',
    '--data',
    file,
    '--max-tenants',
    '1000',
    ...extra,
  ];
  const start = async () => {
    const app = await spawnUntilListening(process.execPath, args, { NODE_ENV: 'production' }, 120_000);
    live.add(app);
    app.child.once('exit', () => live.delete(app));
    return app;
  };
  let app = await start();
  const results: Cycle[] = [];
  try {
    await prepare(app);
    for (let i = 0; i < cycles; i++) {
      const loadMs = Math.round(300 + nextFraction() * 1_200);
      const r = await killCycle({
        app,
        file,
        kinds: ['chat', 'chat', 'chat', 'tenant'],
        loadMs,
        promiseMs: PROMISE_MS,
        restart: start,
      });
      app = r.again;
      const cycle: Cycle = {
        mbAtKill: round(r.bytesAtKill / 1e6, 1),
        loadMs,
        acknowledged: r.acknowledged,
        lost: r.lost.length,
        lostOlderThanPromise: r.broken.length,
        oldestLossMs: r.oldestLossMs ?? null,
      };
      results.push(cycle);
      console.log(`${name} #${i + 1}: ${JSON.stringify(cycle)}`);
    }
    const tenants = ((await (await fetch(`${app.url}/_emulator/tenants`)).json()) as { tenants: unknown[] }).tenants
      .length;
    return { name, cycles: results, tenants };
  } finally {
    await app.stop();
    console.log(`${name}: ${round(stateBytes(file) / 1e6, 1)} MB after a clean stop`);
    rmSync(dir, { recursive: true, force: true });
  }
}

const parts = [];
if (!only || only === 'tenants') {
  parts.push(
    await part('tenants', [], async (app) => {
      for (let i = 0; i < 49; i++) {
        const res = await fetch(`${app.url}/_emulator/tenants`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: '{}',
        });
        if (res.status !== 201) throw new Error(`tenant ${i + 2}: ${res.status}`);
      }
    }),
  );
}
if (!only || only === 'chats') parts.push(await part('chats', ['--bulk-chats', '100000'], async () => undefined));

const summary = parts.map((p) => {
  const all = p.cycles;
  const losses = all.map((c) => c.oldestLossMs).filter((v): v is number => v !== null);
  return {
    part: p.name,
    tenantsAtEnd: p.tenants,
    mbAtKill: `${Math.min(...all.map((c) => c.mbAtKill))}–${Math.max(...all.map((c) => c.mbAtKill))}`,
    acknowledged: all.reduce((s, c) => s + c.acknowledged, 0),
    lost: all.reduce((s, c) => s + c.lost, 0),
    lostOlderThanPromise: all.reduce((s, c) => s + c.lostOlderThanPromise, 0),
    oldestLossMs: losses.length ? Math.max(...losses) : null,
  };
});
console.table(summary);
writeFileSync(
  'bench/durability-results.json',
  `${JSON.stringify({ measuredAt: new Date().toISOString(), node: process.version, promiseMs: PROMISE_MS, cycles, summary, parts }, null, 2)}\n`,
);
process.exit(summary.some((s) => s.lostOlderThanPromise > 0) ? 1 : 0);
