import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

const read = (file: string) =>
  JSON.parse(readFileSync(new URL(`../../../${file}`, import.meta.url), 'utf8')) as Record<string, any>;

/** Every installed package with an install script, by name (from the lock file npm installs from). */
const withInstallScripts = (lock: Record<string, any>): string[] =>
  Object.entries(lock.packages as Record<string, { hasInstallScript?: boolean }>)
    .filter(([path, pkg]) => path !== '' && pkg.hasInstallScript)
    .map(([path]) => path.slice(path.lastIndexOf('node_modules/') + 'node_modules/'.length))
    .sort();

/** The packages whose install scripts package.json#allowScripts decides on (npm 11 reads name or name@version keys). */
const decided = (pkg: Record<string, any>): string[] =>
  Object.keys(pkg.allowScripts ?? {}).map((key) => key.replace(/(?<=.)@.*$/, ''));

describe('install scripts (npm 11 allowScripts)', () => {
  it('decides on every dependency with an install script, so npm install warns about none', () => {
    const lock = read('package-lock.json');
    const pkg = read('package.json');
    expect(withInstallScripts(lock).filter((name) => !decided(pkg).includes(name))).toEqual([]);
  });

  it('notices a dependency with an install script that nobody decided on', () => {
    const lock = {
      packages: {
        '': {},
        'node_modules/esbuild': { hasInstallScript: true },
        'node_modules/a/node_modules/@scope/b': { hasInstallScript: true },
      },
    };
    expect(
      withInstallScripts(lock).filter((name) => !decided({ allowScripts: { 'esbuild@0.28.2': false } }).includes(name)),
    ).toEqual(['@scope/b']);
  });
});
