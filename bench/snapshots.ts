/**
 * How long a snapshot restore takes over the control API, beside two baselines measured in the
 * same run: a tenant reset (the seed regenerated from the cache) and a health check (the HTTP
 * round trip alone). Run: `node --import tsx bench/snapshots.ts`.
 */
import { startEmulator } from '../src/testing/index.js';

const ROUNDS = 50;
const t = await startEmulator({ seedTime: Date.UTC(2026, 10, 22) });
const mean = async (call: () => Promise<unknown>): Promise<number> => {
  for (let i = 0; i < 5; i++) await call();
  const start = performance.now();
  for (let i = 0; i < ROUNDS; i++) await call();
  return (performance.now() - start) / ROUNDS;
};
try {
  const [seed] = await t.control.tenants();
  await t.control.snapshot('bench');
  const restore = await mean(() => t.control.restore('bench'));
  const reset = await mean(() => t.control.resetTenant('guuru-qa'));
  const health = await mean(() => t.control.health());
  console.log(`snapshot of the built-in seed (${seed?.counts.chats} chats), mean of ${ROUNDS} calls over HTTP:`);
  console.log(`  restore       ${restore.toFixed(1)} ms`);
  console.log(`  tenant reset  ${reset.toFixed(1)} ms   (baseline: the seed from its cache)`);
  console.log(`  health        ${health.toFixed(1)} ms   (baseline: the HTTP round trip)`);
} finally {
  await t.stop();
}
