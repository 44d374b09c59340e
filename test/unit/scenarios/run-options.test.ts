import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runOption } from '../../../src/cli/flags.js';
import { runBody } from '../../../src/control/scenario-routes.js';
import { RUN_OPTIONS, runOptionsSchema } from '../../../src/scenarios/run-options.js';

const DOC = resolve(import.meta.dirname, '../../../docs/scenarios.md');

/** What docs/scenarios.md misses of the run-option table: the body of POST …/runs and `scenario run`'s options. */
function undocumented(doc: string): string[] {
  const body = (/\| `POST \/_emulator\/scenarios\/:name\/runs` `\{([^}]*)\}`/.exec(doc)?.[1] ?? '')
    .split(',')
    .map((k) => k.trim().replace(/\?$/, ''));
  const problems: string[] = [];
  for (const [key, spec] of Object.entries(RUN_OPTIONS)) {
    if (!body.includes(key)) problems.push(`the body of POST …/runs does not name ${key}`);
    const flag = spec.flag.split(' ')[0] as string;
    if (!doc.includes(`\`${flag} `)) problems.push(`scenario run's options do not name ${flag}`);
  }
  for (const key of body)
    if (!Object.hasOwn(RUN_OPTIONS, key)) problems.push(`the body of POST …/runs names ${key}, which is no run option`);
  return problems;
}

describe('the run options, declared once (src/scenarios/run-options.ts)', () => {
  it('are the control API body and the flags of `scenario run`', () => {
    expect(runBody).toBe(runOptionsSchema);
    expect(Object.keys(runOptionsSchema.shape)).toEqual(Object.keys(RUN_OPTIONS));
    for (const [key, spec] of Object.entries(RUN_OPTIONS)) {
      const option = runOption(key as keyof typeof RUN_OPTIONS);
      expect(option.flags).toBe(spec.flag);
      expect(option.description).toBe(spec.doc);
    }
  });

  it('are each named in docs/scenarios.md', () => {
    expect(undocumented(readFileSync(DOC, 'utf8'))).toEqual([]);
  });

  it('tells a doc that leaves one out, or names one that is not there', () => {
    const doc = readFileSync(DOC, 'utf8');
    const stale = doc
      .replace('{target?, speed?, seed?, params?, tenant?}', '{target?, speed?, seed?, params?, pace?}')
      .replace('`--seed N`', '`--sed N`');
    expect(stale).not.toBe(doc);
    expect(undocumented(stale)).toEqual([
      "scenario run's options do not name --seed",
      'the body of POST …/runs does not name tenant',
      'the body of POST …/runs names pace, which is no run option',
    ]);
  });
});
