import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { basename, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = resolve(import.meta.dirname, '../../..');

/** The Layout section of docs/architecture.md: the tree as the doc describes it. */
export function layoutOf(doc: string): string {
  const start = doc.indexOf('## Layout');
  const end = doc.indexOf('**Import rules**', start);
  if (start < 0 || end < 0)
    throw new Error('docs/architecture.md has no "## Layout" section ending at "**Import rules**"');
  return doc.slice(start, end);
}

/** Source files the layout does not name, and file names it names that the repository does not have. */
export function layoutDrift(layout: string, files: string[]): { unnamed: string[]; unknown: string[] } {
  const source = files.filter((f) => /^src\/.*\.tsx?$/.test(f) && !f.startsWith('src/graphql/generated/'));
  const named = new Set([...layout.matchAll(/(?<![\w*-])[A-Za-z][\w.-]*\.(?:tsx?|mjs|cjs|css)\b/g)].map((m) => m[0]));
  const unnamed = source.filter((f) => !named.has(basename(f)));
  const present = new Set(files.map((f) => basename(f)));
  const unknown = [...named].filter((name) => !present.has(name));
  return { unnamed, unknown };
}

const files = execFileSync('git', ['ls-files', '--cached', '--others', '--exclude-standard'], {
  cwd: ROOT,
  encoding: 'utf8',
})
  .split('\n')
  .filter(Boolean);

describe('docs/architecture.md', () => {
  it('names every source file in its layout, and no file that is not there', () => {
    const layout = layoutOf(readFileSync(resolve(ROOT, 'docs/architecture.md'), 'utf8'));
    expect(layoutDrift(layout, files)).toEqual({ unnamed: [], unknown: [] });
  });

  it('tells a layout that leaves a file out, or names one that is gone', () => {
    const layout = '## Layout\n  kernel/  clock.ts, sundial.ts\n';
    expect(layoutDrift(layout, ['src/kernel/clock.ts', 'src/kernel/random.ts'])).toEqual({
      unnamed: ['src/kernel/random.ts'],
      unknown: ['sundial.ts'],
    });
  });
});
