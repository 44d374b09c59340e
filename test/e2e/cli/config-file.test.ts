import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { run, spawnUntilListening } from '../../helpers/spawn.js';
import { webhookSink, type WebhookSink } from '../../helpers/webhook-sink.js';

// The built CLI, started in a project folder that holds a config file.
const MAIN = resolve('dist/main.js');

describe('the config file', () => {
  let dir: string;
  let sink: WebhookSink;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'guuru-config-'));
    sink = await webhookSink();
  });
  afterAll(async () => {
    rmSync(dir, { recursive: true, force: true });
    await sink.close();
  });

  const startIn = (cwd: string, args: string[] = [], env: NodeJS.ProcessEnv = {}) =>
    spawnUntilListening(process.execPath, [MAIN, 'start', ...args], { PORT: '', SEED: '', ...env }, 15_000, cwd);
  const partner = async (url: string, token = 'demo-token') => {
    const res = await fetch(`${url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({ query: '{ partner { id } }' }),
    });
    return res.json() as Promise<any>;
  };

  it('is read from the working directory (YAML), with the keys of the flags; paths are relative to it', async () => {
    writeFileSync(
      join(dir, 'guuru-emulator.config.yaml'),
      [
        '# a team checks this in',
        'port: 0',
        'seed: 2',
        'seed-time: 2026-11-22',
        `webhook-url: ${sink.url}`,
        'webhookAttempts: 2',
        'data: state.json',
        '',
      ].join('\n'),
    );
    const app = await startIn(dir);
    try {
      expect(app.output()).toContain(`Config file                ${join(dir, 'guuru-emulator.config.yaml')}`);
      expect(app.output()).toContain(
        'Seed                       2 at 2026-11-22T00:00:00.000Z, state kept in ' + join(dir, 'state.json'),
      );
      expect(app.output()).toContain(`every GUURU event → ${sink.url}`);
      expect((await partner(app.url)).data.partner.id).toBe('guuru-qa');
      const policy = (await (await fetch(`${app.url}/_emulator/webhooks/policy`)).json()) as any;
      expect(policy.maxAttempts).toBe(2);
    } finally {
      await app.stop();
    }
  });

  it('loses to the environment, which loses to the flags', async () => {
    const fromEnv = await startIn(dir, [], { SEED: '3' });
    try {
      expect(fromEnv.output()).toContain('Seed                       3 at');
    } finally {
      await fromEnv.stop();
    }
    const fromFlag = await startIn(dir, ['--seed', '4'], { SEED: '3' });
    try {
      expect(fromFlag.output()).toContain('Seed                       4 at');
    } finally {
      await fromFlag.stop();
    }
  });

  it('is read from --config (JSON) anywhere', async () => {
    const other = mkdtempSync(join(tmpdir(), 'guuru-config-json-'));
    try {
      writeFileSync(
        join(other, 'ci.json'),
        JSON.stringify({ port: 0, seedTime: '2026-11-22', virtualClock: '2026-01-01T00:00:00Z' }),
      );
      const app = await startIn(dir, ['--config', join(other, 'ci.json')]);
      try {
        const clock = (await (await fetch(`${app.url}/_emulator/clock`)).json()) as any;
        expect(clock).toMatchObject({ kind: 'virtual', iso: '2026-01-01T00:00:00.000Z' });
      } finally {
        await app.stop();
      }
    } finally {
      rmSync(other, { recursive: true, force: true });
    }
  });

  it('exits 2 naming the file and the key for a bad value, an unknown key, bad YAML, two files or a missing --config', async () => {
    const bad = mkdtempSync(join(tmpdir(), 'guuru-config-bad-'));
    const start = (args: string[] = []) => run(process.execPath, [MAIN, 'start', ...args], { PORT: '0' }, bad);
    try {
      // Both mistakes at once, each on its line with the file.
      writeFileSync(join(bad, 'guuru-emulator.config.yaml'), 'webhook-attempts: 99\nprot: 0\n');
      let res = await start();
      expect(res.code).toBe(2);
      expect(res.stderr).toContain(
        `guuru-emulator: ${join(bad, 'guuru-emulator.config.yaml')}: webhook-attempts: Too big: expected number to be <=50 (got 99)\n`,
      );
      expect(res.stderr).toContain(
        `\n${join(bad, 'guuru-emulator.config.yaml')}: unknown key "prot" (did you mean "port"?)`,
      );
      writeFileSync(join(bad, 'guuru-emulator.config.yaml'), 'port: [0\n');
      res = await start();
      expect(res.code).toBe(2);
      expect(res.stderr).toContain('guuru-emulator.config.yaml is not valid YAML');
      writeFileSync(join(bad, 'guuru-emulator.config.json'), '{}');
      res = await start();
      expect(res.code).toBe(2);
      expect(res.stderr).toContain('both exist: keep one, or choose with --config');
      res = await start(['--config', 'nope.yaml']);
      expect(res.code).toBe(2);
      expect(res.stderr).toContain('--config: nope.yaml does not exist');
    } finally {
      rmSync(bad, { recursive: true, force: true });
    }
  });
});
