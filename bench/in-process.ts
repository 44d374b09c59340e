/**
 * In-process start, in a fresh process so that "the first one" really is the first:
 * `await createEmulator({ port: 0, logger: silentLogger })` + `await emu.start()`, timed; then the
 * median of the next N (each stopped before the next). Module loading is timed apart and is not part
 * of either figure. Prints `RESULT <json>`.
 *
 *   node --import tsx bench/in-process.ts [--repeat 5]
 */
import { performance } from 'node:perf_hooks';
import { exitWithParent, median, min, postGraphQL, assertOk, round } from './lib.js';

exitWithParent();

const repeatFlag = process.argv.indexOf('--repeat');
const repeat = repeatFlag >= 0 ? Number(process.argv[repeatFlag + 1]) : 5;

const importStart = performance.now();
const { createEmulator, silentLogger } = await import('../src/index.js');
const importMs = performance.now() - importStart;

async function once(check: boolean): Promise<number> {
  const t0 = performance.now();
  const emu = await createEmulator({ port: 0, logger: silentLogger });
  const url = await emu.start();
  const ms = performance.now() - t0;
  if (check) assertOk(await postGraphQL(`${url}/graphql`, '{ partner { id } }'), 'in-process emulator');
  await emu.stop();
  return ms;
}

const firstMs = await once(true);
const next: number[] = [];
for (let i = 0; i < repeat; i++) next.push(await once(false));

console.log(
  `RESULT ${JSON.stringify({
    importMs: round(importMs, 1),
    firstMs: round(firstMs, 1),
    nextMedianMs: round(median(next), 1),
    nextMinMs: round(min(next), 1),
    nextMs: next.map((v) => round(v, 1)),
    rssBytes: process.memoryUsage().rss,
  })}`,
);
process.exit(0);
