import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { VirtualClock } from '../../../src/index.js';
import { SEED_TIME, startEmulator, type TestEmulator } from '../../helpers/emulator.js';

/** Long polls (`?wait=1`) leave nothing behind: the engine's waiters go back to zero. */
describe('GET …/runs/:id?wait=1', () => {
  let t: TestEmulator;
  beforeAll(async () => {
    t = await startEmulator({ clock: new VirtualClock(SEED_TIME + 9 * 3_600_000) });
  });
  afterAll(() => t.stop());

  const startRun = async (name: string, body: Record<string, unknown>) => {
    const res = await fetch(`${t.url}/_emulator/scenarios/${name}/runs`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    expect(res.status).toBe(202);
    return ((await res.json()) as { id: string }).id;
  };

  it('answers once the run is over and keeps no waiter per engine wake', async () => {
    for (let i = 0; i < 3; i++) {
      const id = await startRun('busy-day', { speed: 0, params: { chats: 12 } });
      const res = await fetch(`${t.url}/_emulator/scenarios/busy-day/runs/${id}?wait=1`);
      expect(((await res.json()) as { status: string }).status).toBe('completed');
      // Hundreds of engine wakes happened during the run; none left a callback behind.
      expect(t.emulator.scenarios.waiting).toBe(0);
    }
  });

  it('stops waiting when the client hangs up, while the run goes on', async () => {
    // Speed 1 on the virtual clock: the run waits for real time and stays running.
    const id = await startRun('happy-path', { speed: 1 });
    const gone = new AbortController();
    const poll = fetch(`${t.url}/_emulator/scenarios/happy-path/runs/${id}?wait=1`, { signal: gone.signal }).catch(
      (error: unknown) => error,
    );
    await expect.poll(() => t.emulator.scenarios.waiting).toBe(1);
    gone.abort();
    await poll;
    await expect.poll(() => t.emulator.scenarios.waiting).toBe(0);
    const run = await fetch(`${t.url}/_emulator/scenarios/happy-path/runs/${id}`).then(
      (r) => r.json() as Promise<{ status: string }>,
    );
    expect(run.status).toBe('running');
    await fetch(`${t.url}/_emulator/scenarios/happy-path/runs/${id}`, { method: 'DELETE' });
  });

  it('a finished run kept for GET holds no tenant data: after a reset the old tenant can be collected', async () => {
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as () => void;
    const before = new WeakRef(t.emulator.store.tenant('guuru-qa')!);
    const id = await startRun('busy-day', { speed: 0, params: { chats: 5 } });
    expect(
      ((await (await fetch(`${t.url}/_emulator/scenarios/busy-day/runs/${id}?wait=1`)).json()) as { status: string })
        .status,
    ).toBe('completed');
    await fetch(`${t.url}/_emulator/reset`, { method: 'POST' });
    // The run is still listed (with its timeline) …
    expect(t.emulator.scenarios.get('busy-day', id).chats).toHaveLength(5);
    // … but the tenant it played in, replaced by the reset, is gone from memory.
    // Polled: a WeakRef's target lives at least until the current job ends, and the machine may be busy.
    await expect
      .poll(
        () => {
          gc();
          return before.deref() === undefined;
        },
        { timeout: 10_000, interval: 100 },
      )
      .toBe(true);
  });
});
