import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseConfigObject } from '../../../src/config/file.js';
import { optionSchema } from '../../../src/config/config.js';

const FILE = join('/srv/app', 'guuru-emulator.config.yaml');
const parse = (value: unknown) => parseConfigObject(value, FILE);

describe('config file keys', () => {
  it('knows every emulator option, because it reads them from the one option schema', () => {
    for (const key of Object.keys(optionSchema.shape)) {
      // A value no option accepts: the error must be about the value of a known key, never "unknown key".
      expect(() => parse({ [key]: { not: 'valid' } }), key).toThrow(new RegExp(`^${FILE}: ${key}: `));
    }
  });

  it('takes the options by their names and by their --flag spellings, lists from one value, paths from the file folder', () => {
    const file = parse({
      port: 0,
      'webhook-url': 'http://localhost:8000/hooks',
      'webhook-backoff': 250,
      webhookTimeout: 3000,
      'allow-host': 'emulator.internal',
      scenarios: 'scenarios',
      data: 'state/emulator.json',
      fixtures: '/abs/fixtures',
      'virtual-clock': '2026-01-01T00:00:00Z',
      scenario: 'happy-path',
    });
    expect(file.options).toEqual({
      port: 0,
      webhookUrl: 'http://localhost:8000/hooks',
      webhookBackoffMs: 250,
      webhookTimeoutMs: 3000,
      allowedHosts: ['emulator.internal'],
      scenarios: ['/srv/app/scenarios'],
      data: '/srv/app/state/emulator.json',
      fixtures: '/abs/fixtures',
    });
    expect(file.start).toEqual({ virtualClock: '2026-01-01T00:00:00Z', scenario: 'happy-path' });
  });

  it('sets nothing it was not given: defaults come after env and flags', () => {
    expect(parse({ seed: 7 }).options).toEqual({ seed: 7 });
    expect(parse(null).options).toEqual({});
  });

  it('refuses a bad value, an unknown key and a file that is not an object, naming the file and the key', () => {
    expect(() => parse({ webhookAttempts: 500 })).toThrow(
      `${FILE}: webhookAttempts: Too big: expected number to be <=50 (got 500)`,
    );
    expect(() => parse({ port: '4000' })).toThrow(
      /: port: Invalid input: expected number, received string \(got "4000"\)/,
    );
    expect(() => parse({ webhookURL: 'http://x' })).toThrow(
      /unknown key "webhookURL" \(did you mean "webhookUrl"\?\)\. Keys: port, host, /,
    );
    expect(() => parse({ scenarios: ['ok', 3] })).toThrow(/: scenarios\.1: /);
    expect(() => parse(['port', 4000])).toThrow(`${FILE}: expected an object of options (e.g. port: 4000), got a list`);
  });

  it('reports every mistake of a file at once, each on its own line naming the file and the key', () => {
    let message = '';
    try {
      parse({ port: 'eighty', prot: 1, 'webhook-attempts': 99, seed: 3, scenarios: ['ok', 3, false], colour: 'red' });
    } catch (error) {
      message = (error as Error).message;
    }
    const lines = message.split('\n');
    expect(lines.map((line) => line.replace(/: .*/s, '') === FILE)).toEqual([true, true, true, true, true, true]);
    expect(lines.map((line) => line.slice(FILE.length + 2).replace(/[: (].*/s, ''))).toEqual([
      'port',
      'unknown',
      'webhook-attempts',
      'scenarios.1',
      'scenarios.2',
      'unknown',
    ]);
    expect(lines[1]).toMatch(/unknown key "prot" \(did you mean "port"\?\)\. Keys: port, host, /);
    // The long list of keys is given once.
    expect(lines[5]).toBe(`${FILE}: unknown key "colour"`);
  });
});
