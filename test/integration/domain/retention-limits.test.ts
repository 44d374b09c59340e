import { afterEach, describe, expect, it } from 'vitest';
import { VirtualClock } from '../../../src/index.js';
import { readFileSync } from 'node:fs';
import { MAX_ACTIVE_RUNS, MAX_SCENARIOS } from '../../../src/scenarios/engine.js';
import { MAX_PARALLEL } from '../../../src/scenarios/runner.js';
import { SEED_TIME, startEmulator, type TestEmulator } from '../../helpers/emulator.js';

// Bounds on what the emulator keeps: a clear 409 LIMIT_REACHED naming the limit and its flag, and
// nothing changed by the refused request.
let t: TestEmulator | undefined;
afterEach(async () => {
  await t?.stop();
  t = undefined;
});

const control = async (method: string, path: string, body?: unknown) => {
  const res = await fetch(`${t!.url}/_emulator${path}`, {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: res.status, body: res.status === 204 ? undefined : ((await res.json()) as any) };
};

const expectLimit = (res: { status: number; body: any }, flag: string) => {
  expect(res.status).toBe(409);
  expect(res.body).toMatchObject({ statusCode: 409, code: 'LIMIT_REACHED' });
  expect(res.body.message).toContain(flag);
};

describe('retention limits', () => {
  it('--max-tenants: the built-in ones count; deleting or resetting makes room again', async () => {
    t = await startEmulator({ maxTenants: 3 });
    expect((await control('POST', '/tenants', {})).status).toBe(201);
    const second = await control('POST', '/tenants', {});
    expect(second.status).toBe(201);
    const refused = await control('POST', '/tenants', { id: 'one-too-many' });
    expectLimit(refused, '--max-tenants 3');
    expect(refused.body.message).toMatch(/DELETE \/_emulator\/tenants\/:id/);
    expect(t.emulator.store.tenants()).toHaveLength(3);
    expect((await control('DELETE', `/tenants/${second.body.id}`)).status).toBe(204);
    expect((await control('POST', '/tenants', { id: 'fits-again' })).status).toBe(201);
    await control('POST', '/reset');
    expect((await control('POST', '/tenants', {})).status).toBe(201);
  });

  it('--max-chats: chats, personas and Gurusup threads per tenant', async () => {
    const seeded = (await startEmulator()).emulator;
    const chats = seeded.store.tenant('guuru-qa')!.data.chats.length;
    const personas = seeded.store.tenant('guuru-qa')!.data.personas.length;
    const threads = seeded.store.tenant('guuru-qa')!.data.gurusup!.threads.length;
    await seeded.stop();
    const limit = Math.max(chats, personas, threads) + 1;
    t = await startEmulator({ maxChats: limit });
    const tenant = t.emulator.store.tenant('guuru-qa')!;
    while (tenant.data.chats.length < limit)
      expect((await control('POST', '/tenants/guuru-qa/chats', { question: 'room?' })).status).toBe(201);
    expectLimit(await control('POST', '/tenants/guuru-qa/chats', { question: 'one too many' }), `--max-chats ${limit}`);
    expect(tenant.data.chats).toHaveLength(limit);

    for (let i = tenant.data.personas.length; i < limit; i++) {
      expect(
        (await t.gql(`mutation { createPersona(input: { providerId: "p-${i}", name: "P ${i}" }) }`)).body.errors,
      ).toBeUndefined();
    }
    const persona = await t.gql('mutation { createPersona(input: { providerId: "p-too-many", name: "Too many" }) }');
    expect(persona.body.errors![0]!.extensions!.code).toBe('LIMIT_REACHED');
    expect(persona.body.errors![0]!.message).toContain('--max-chats');
    // Saving an existing persona again is no new record: still fine.
    expect(
      (await t.gql(`mutation { createPersona(input: { providerId: "p-${limit - 1}", name: "Renamed" }) }`)).body.errors,
    ).toBeUndefined();

    const post = (fid: string) =>
      fetch(`${t!.url}/gurusup/messages`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-api-key': 'demo-api-key' },
        body: JSON.stringify({ body: 'Hi', thread_fid: fid, user_fid: 'u' }),
      });
    for (let i = tenant.data.gurusup!.threads.length; i < limit; i++)
      expect((await post(`thread-${i}`)).status).toBe(201);
    const refused = await post('thread-too-many');
    expect(refused.status).toBe(409);
    expect(((await refused.json()) as { message: string }).message).toMatch(/Gurusup threads.*--max-chats/);
    expect(tenant.data.gurusup!.threads).toHaveLength(limit);
  });

  it('--max-messages: per chat and per Gurusup thread, refused before anything is stored', async () => {
    t = await startEmulator({ maxMessages: 4 });
    const chat = await control('POST', '/tenants/guuru-qa/chats', {
      question: 'first message',
      requestedExperts: ['api'],
    });
    for (let i = 0; i < 3; i++)
      expect(
        (await control('POST', `/tenants/guuru-qa/chats/${chat.body.id}/messages`, { text: `m${i}` })).status,
      ).toBe(201);
    expectLimit(
      await control('POST', `/tenants/guuru-qa/chats/${chat.body.id}/messages`, { text: 'one too many' }),
      '--max-messages 4',
    );
    expect(t.emulator.store.tenant('guuru-qa')!.chatsById.get(chat.body.id)!.messages).toHaveLength(4);

    // A customer message and its automatic reply are two: two posts fill the thread, the third is refused.
    const post = () =>
      fetch(`${t!.url}/gurusup/messages`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-api-key': 'demo-api-key' },
        body: JSON.stringify({ body: 'Hi', thread_fid: 'busy', user_fid: 'u' }),
      });
    expect((await post()).status).toBe(201);
    expect((await post()).status).toBe(201);
    expect((await post()).status).toBe(409);
    const thread = [...t.emulator.store.tenant('guuru-qa')!.threadsByHash.values()].find((x) => x.fid === 'busy')!;
    expect(thread.messages).toHaveLength(4);
  });

  it(`at most ${MAX_ACTIVE_RUNS} scenario runs at once`, async () => {
    t = await startEmulator({ clock: new VirtualClock(SEED_TIME + 9 * 3_600_000) });
    // Speed 1 on the virtual clock: every run waits for real time, so all stay running.
    const ids: string[] = [];
    for (let i = 0; i < MAX_ACTIVE_RUNS; i++) {
      const res = await control('POST', '/scenarios/missed/runs', { speed: 1, params: { waitBeforeMiss: '1h' } });
      expect(res.status).toBe(202);
      ids.push(res.body.id);
    }
    const refused = await control('POST', '/scenarios/missed/runs', { speed: 1 });
    expect(refused.status).toBe(409);
    expect(refused.body).toMatchObject({ code: 'LIMIT_REACHED' });
    expect(refused.body.message).toMatch(/at once \(--max-runs 100\).*cancel/);
    await control('DELETE', `/scenarios/missed/runs/${ids[0]}`);
    expect((await control('POST', '/scenarios/missed/runs', { speed: 1 })).status).toBe(202);
  });

  it('--max-runs: another bound on the runs going on at once (200 CI jobs each playing a scenario need more than 100)', async () => {
    t = await startEmulator({ clock: new VirtualClock(SEED_TIME + 9 * 3_600_000), maxRuns: 3 });
    const start = () => control('POST', '/scenarios/missed/runs', { speed: 1, params: { waitBeforeMiss: '1h' } });
    for (let i = 0; i < 3; i++) expect((await start()).status).toBe(202);
    const refused = await start();
    expectLimit(refused, '--max-runs 3');
    expect(refused.body.limit).toBe(3);
  });

  it('a busy-day run refused at the chat cap keeps nothing beyond its record: no timer left behind, however many runs', async () => {
    const clock = new VirtualClock(SEED_TIME + 9 * 3_600_000);
    const seeded = (await startEmulator()).emulator;
    const limit = seeded.store.tenant('guuru-qa')!.data.chats.length + 20;
    await seeded.stop();
    t = await startEmulator({ clock, maxChats: limit });
    // The first run fills the tenant and fails at the cap part-way; the next ones fail at their first chat.
    for (let i = 0; i < 12; i++) {
      const started = await control('POST', '/scenarios/busy-day/runs', { speed: 0, params: { chats: 60 } });
      const run = await control('GET', `/scenarios/busy-day/runs/${started.body.id}?wait=1`);
      expect(run.body.status).toBe('failed');
      expect(run.body.error).toMatch(/LIMIT_REACHED|holds \d+ chats, the most this emulator keeps/);
      // Its other 40-59 branches were waiting for their start on the clock: none of them is left,
      // and the clock lets the cancelled ones go while time stands still (each would hold the run).
      expect(clock.pendingTimers()).toBe(0);
      expect(clock.heldTimers()).toBeLessThanOrEqual(130);
      if (i > 0) {
        expect(run.body.chats).toEqual([]);
        expect(run.body.timeline.length).toBeLessThanOrEqual(2);
      }
    }
    expect(t.emulator.store.tenant('guuru-qa')!.data.chats).toHaveLength(limit);
    // After the failure nothing of the run acts any more: the chats it left stay as they were.
    const before = JSON.stringify(t.emulator.store.tenant('guuru-qa')!.data.chats);
    clock.advance(24 * 3_600_000);
    expect(JSON.stringify(t.emulator.store.tenant('guuru-qa')!.data.chats)).toBe(before);
  });

  it(`a parallel step of more than ${MAX_PARALLEL} branches fails the run instead of holding the process`, async () => {
    t = await startEmulator({ clock: new VirtualClock(SEED_TIME + 9 * 3_600_000) });
    const started = await control('POST', '/scenarios/busy-day/runs', { speed: 0, params: { chats: 100_000_000 } });
    expect(started.status).toBe(202);
    const run = await control('GET', `/scenarios/busy-day/runs/${started.body.id}?wait=1`);
    expect(run.body.status).toBe('failed');
    expect(run.body.error).toMatch(/parallel count 100000000 is more than the 10000 branches/);
    expect((await control('GET', '/health')).status).toBe(200);
  });

  it('scenario uploads: at most MAX_SCENARIOS names and 256 KiB per file; replacing one still works', async () => {
    t = await startEmulator();
    const yaml = readFileSync('scenarios/happy-path.yaml', 'utf8');
    const named = (name: string) => ({ file: `${name}.yaml`, yaml: yaml.replace(/^name: .*$/m, `name: ${name}`) });
    const loaded = (await control('GET', '/scenarios')).body.scenarios.length as number;
    for (let i = loaded; i < MAX_SCENARIOS; i += 200) {
      const files = Array.from({ length: Math.min(200, MAX_SCENARIOS - i) }, (_, k) => named(`up-${i + k}`));
      expect((await control('POST', '/scenarios', { files })).status).toBe(200);
    }
    const refused = await control('POST', '/scenarios', { files: [named('one-too-many')] });
    expect(refused.status).toBe(400);
    expect(refused.body.errors[0]).toContain(`the most the emulator keeps (${MAX_SCENARIOS})`);
    expect((await control('POST', '/scenarios', { files: [named(`up-${loaded}`)] })).status).toBe(200);
    const fat = await control('POST', '/scenarios', {
      files: [{ file: 'fat.yaml', yaml: `${yaml}\n# ${'x'.repeat(262_144)}` }],
    });
    expect(fat.status).toBe(400);
    expect(fat.body.code).toBe('INVALID_ARGUMENT');
    expect((await control('GET', '/scenarios')).body.scenarios).toHaveLength(MAX_SCENARIOS);
  });
});
