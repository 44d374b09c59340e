/**
 * In-process start, in a fresh process so that "the first one" really is the first:
 * `await createEmulator({ port: 0, logger: silentLogger })` + `await emu.start()`, timed; then its
 * first answer to { partner { id } } (the Admin API is made on the first /graphql request), timed
 * apart; then the median of the next N starts (each stopped before the next). It imports the built
 * library (dist/index.js, what `import 'guuru-emulator'` loads); module loading is timed apart and
 * is in none of the figures. Prints `RESULT <json>`.
 *
 *   node --import tsx bench/in-process.ts [--repeat 5]
 */
import { performance } from 'node:perf_hooks';
import { exitWithParent, median, min, postGraphQL, assertOk, round } from './lib.js';

exitWithParent();

const repeat = process.argv.includes('--repeat') ? Number(process.argv[process.argv.indexOf('--repeat') + 1]) : 5;

const importStart = performance.now();
// A variable specifier: the bench type-checks without a build (dist/ has the same exports as src/index.ts).
const library = '../dist/index.js';
const { createEmulator, silentLogger } = (await import(library)) as typeof import('../src/index.js');
const importMs = performance.now() - importStart;

async function once(): Promise<{ startMs: number; url: string; stop: () => Promise<void> }> {
  const t0 = performance.now();
  const emu = await createEmulator({ port: 0, logger: silentLogger });
  const url = await emu.start();
  return { startMs: performance.now() - t0, url, stop: () => emu.stop() };
}

const first = await once();
const q0 = performance.now();
assertOk(await postGraphQL(`${first.url}/graphql`, '{ partner { id } }'), 'in-process emulator');
const firstQueryMs = performance.now() - q0;
await first.stop();
const next: number[] = [];
for (let i = 0; i < repeat; i++) {
  const started = await once();
  next.push(started.startMs);
  await started.stop();
}

console.log(
  `RESULT ${JSON.stringify({
    importMs: round(importMs, 1),
    firstMs: round(first.startMs, 1),
    firstQueryMs: round(firstQueryMs, 1),
    nextMedianMs: round(median(next), 1),
    nextMinMs: round(min(next), 1),
    nextMs: next.map((v) => round(v, 1)),
    rssBytes: process.memoryUsage().rss,
  })}`,
);
process.exit(0);
