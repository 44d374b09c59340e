import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { VirtualClock } from '../../../src/index.js';
import { SEED_TIME, startEmulator, type TestEmulator } from '../../helpers/emulator.js';

/** One virtual clock, several runs: the fastest pace wins, also for a run started while the driver sleeps. */

const START = SEED_TIME + 9 * 3_600_000;

describe('runs sharing a virtual clock', () => {
  let t: TestEmulator;
  beforeAll(async () => {
    t = await startEmulator({ clock: new VirtualClock(START) });
  });
  afterAll(() => t.stop());

  const post = async (path: string, body: unknown) =>
    (await (
      await fetch(`${t.url}/_emulator${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      })
    ).json()) as any;
  const get = async (path: string) => (await (await fetch(`${t.url}/_emulator${path}`)).json()) as any;

  it("an instant run started while the driver sleeps for a slow run does not wait for the slow run's timers", async () => {
    // At speed 0.01 the slow run's first 3 s wait is 300 s of real time: the driver goes to sleep for it.
    const slow = await post('/scenarios/happy-path/runs', { speed: 0.01 });
    await new Promise((resolve) => setTimeout(resolve, 300));
    const realStart = Date.now();
    const fast = await post('/scenarios/busy-day/runs', { speed: 0, params: { chats: 5 } });
    const done = await get(`/scenarios/busy-day/runs/${fast.id}?wait=1`);
    expect(done.status, done.error).toBe('completed');
    expect(Date.now() - realStart).toBeLessThan(20_000);
    // A simulated day passed for both: the slow run was carried along at the fastest pace.
    const slowNow = await get(`/scenarios/happy-path/runs/${slow.id}`);
    expect(slowNow.status).toBe('completed');
    expect(t.emulator.clock.now() - START).toBeGreaterThan(3_600_000);
  });

  it('once the fast run is over, a slow run goes back to its own pace', async () => {
    const slow = await post('/scenarios/happy-path/runs', { speed: 0.01 });
    const fast = await post('/scenarios/missed/runs', { speed: 0 });
    expect((await get(`/scenarios/missed/runs/${fast.id}?wait=1`)).status).toBe('completed');
    const at = t.emulator.clock.now();
    await new Promise((resolve) => setTimeout(resolve, 500));
    // At speed 0.01 half a second of real time moves the clock by 5 s at most.
    expect(t.emulator.clock.now() - at).toBeLessThanOrEqual(5_000);
    expect((await get(`/scenarios/happy-path/runs/${slow.id}`)).status).toBe('running');
    await fetch(`${t.url}/_emulator/scenarios/happy-path/runs/${slow.id}`, { method: 'DELETE' });
  });
});
