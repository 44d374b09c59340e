/**
 * Refused runs keep nothing: an in-process emulator on a virtual clock with `--max-chats 300`, then
 * `busy-day` (60 chats) started and awaited again and again; after the first few every run is refused
 * at its first chat (LIMIT_REACHED). Prints, per block of 500 runs, runs per second, the heap in use
 * after a full GC, and the clock's pending and held timers. Flat heap and pace: nothing piles up.
 *
 *   node --expose-gc --import tsx bench/refused-runs.ts [--blocks 8]
 */
import { performance } from 'node:perf_hooks';

const at = process.argv.indexOf('--blocks');
const blocks = at >= 0 ? Number(process.argv[at + 1]) : 8;
const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) {
  console.error('run with node --expose-gc');
  process.exit(2);
}
const { createEmulator, silentLogger, VirtualClock } = await import('../src/index.js');
const seedTime = Date.UTC(2026, 10, 22);
const clock = new VirtualClock(seedTime + 9 * 3_600_000);
const emu = await createEmulator({ port: 0, logger: silentLogger, seedTime, clock, maxChats: 300 });
await emu.start();
const rows = [];
for (let block = 0; block < blocks; block++) {
  const t0 = performance.now();
  let failed = 0;
  for (let i = 0; i < 500; i++) {
    const run = emu.scenarios.start('busy-day', { speed: 0 });
    if ((await emu.scenarios.settled(run.id))?.status === 'failed') failed += 1;
  }
  const seconds = (performance.now() - t0) / 1000;
  gc();
  const row = {
    runs: (block + 1) * 500,
    failed,
    runsPerSecond: Math.round(500 / seconds),
    heapUsedMiB: Number((process.memoryUsage().heapUsed / 2 ** 20).toFixed(1)),
    pendingTimers: clock.pendingTimers(),
    heldTimers: clock.heldTimers(),
  };
  rows.push(row);
  console.log(JSON.stringify(row));
}
await emu.stop();
console.log(`RESULT ${JSON.stringify({ rows })}`);
process.exit(0);
