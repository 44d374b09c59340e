import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { startEmulator } from '../../helpers/emulator.js';

const post = (url: string, body: unknown) =>
  fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

async function until(condition: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 400 && !condition(); i++) await new Promise((resolve) => setTimeout(resolve, 5));
  if (!condition()) throw new Error(`never happened: ${what}`);
}

describe('stopping the emulator', () => {
  it('cancels scenario runs and verifications in progress and answers their long polls', async () => {
    const t = await startEmulator();
    // A receiver that takes the connection and never answers keeps the verification waiting.
    const silent = createServer(() => {});
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    try {
      const verification = (await (
        await post(`${t.url}/_emulator/verifications`, {
          target: `http://127.0.0.1:${(silent.address() as AddressInfo).port}/hooks`,
          timeoutMs: 60_000,
        })
      ).json()) as any;
      // happy-path takes minutes at speed 1 on the system clock.
      const run = (await (await post(`${t.url}/_emulator/scenarios/happy-path/runs`, { speed: 1 })).json()) as any;
      const polls = [
        fetch(`${t.url}/_emulator/verifications/${verification.id}?wait=1`),
        fetch(`${t.url}/_emulator/scenarios/happy-path/runs/${run.id}?wait=1`),
      ];
      await until(
        () => t.emulator.verifications.waiting === 1 && t.emulator.scenarios.waiting >= 1,
        'both long polls registered',
      );
      const stopped = Date.now();
      await t.stop();
      const [v, r] = (await Promise.all(polls.map(async (p) => (await p).json()))) as any[];
      expect(v).toMatchObject({ id: verification.id, status: 'cancelled', error: 'the emulator stopped' });
      expect(r).toMatchObject({ id: run.id, status: 'cancelled' });
      // Answered at once, not cut after the drain period.
      expect(Date.now() - stopped).toBeLessThan(1_500);
    } finally {
      silent.closeAllConnections();
      await new Promise<void>((resolve) => silent.close(() => resolve()));
    }
  });
});
