import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { optionSchema, optionsFromEnv } from '../../../src/config/config.js';
import { OPTIONS, START_OPTIONS } from '../../../src/config/options.js';
import { DOC, withGeneratedTable } from '../../../scripts/options-table.js';

const ROOT = resolve(import.meta.dirname, '../../..');

describe('the one option table (src/config/options.ts)', () => {
  it('is what docs/configuration.md shows (run `npm run docs:options` after changing an option)', () => {
    const doc = readFileSync(resolve(ROOT, DOC), 'utf8');
    expect(withGeneratedTable(doc)).toBe(doc);
  });

  it('tells a doc with a stale row from a current one', () => {
    const doc = readFileSync(resolve(ROOT, DOC), 'utf8');
    const stale = doc.replace('| `--port N` | `PORT` | `4000` |', '| `--port N` | `PORT` | `4001` |');
    expect(stale).not.toBe(doc);
    expect(withGeneratedTable(stale)).not.toBe(stale);
  });

  it('gives every option its schema, and every flag and environment variable once', () => {
    expect(Object.keys(optionSchema.shape).sort()).toEqual(Object.keys(OPTIONS).sort());
    const specs = [...Object.values(OPTIONS), ...Object.values(START_OPTIONS)];
    const flags = specs.map((s) => s.flag).filter(Boolean);
    const envs = specs.map((s) => ('env' in s ? s.env : undefined)).filter(Boolean);
    expect(new Set(flags).size).toBe(flags.length);
    expect(new Set(envs).size).toBe(envs.length);
  });

  it('reads every environment variable it names into its option, valid under the schema', () => {
    const env: Record<string, string> = {};
    const sample: Record<string, string> = {
      int: '7',
      text: 'x',
      one: '/tmp/a',
      list: 'a.test, b.test',
      on: '1',
      off: '0',
    };
    for (const spec of Object.values(OPTIONS))
      if ('env' in spec && spec.env) env[spec.env] = sample[('envForm' in spec && spec.envForm) || 'text'] as string;
    const options = optionsFromEnv(env) as Record<string, unknown>;
    for (const [key, spec] of Object.entries(OPTIONS))
      expect(options[key] !== undefined, key).toBe('env' in spec && spec.env !== undefined);
    expect(Object.values(optionsFromEnv({})).filter((v) => v !== undefined)).toEqual([]);
    expect(options).toMatchObject({
      port: 7,
      scenarios: ['/tmp/a'],
      allowedHosts: ['a.test', 'b.test'],
      corsControl: true,
      seedCache: false,
    });
  });
});
