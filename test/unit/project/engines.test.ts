import { readFileSync } from 'node:fs';
import semver from 'semver';
import { describe, expect, it } from 'vitest';

type Lock = { packages: Record<string, { engines?: { node?: string } | string[] }> };

const pkg = JSON.parse(readFileSync('package.json', 'utf8')) as { engines: { node: string } };
const lock = JSON.parse(readFileSync('package-lock.json', 'utf8')) as Lock;

/** Locked packages whose `engines.node` excludes the oldest Node our own range allows (npm's EBADENGINE). */
function refusing(lockfile: Lock, range: string): string[] {
  const oldest = semver.minVersion(range)!.version;
  return Object.entries(lockfile.packages).flatMap(([path, entry]) => {
    const wanted = Array.isArray(entry.engines) ? undefined : entry.engines?.node;
    return path !== '' && wanted && !semver.satisfies(oldest, wanted) ? [`${path} wants node ${wanted}`] : [];
  });
}

describe('the Node engine range', () => {
  it('is met by every locked package, so a clean install on the oldest supported Node prints no EBADENGINE', () => {
    expect(
      refusing(lock, pkg.engines.node),
      'pin a compatible version (docs/decisions/0003-node-20-dependency-pins.md)',
    ).toEqual([]);
  });

  it('the check names a package that wants a newer Node', () => {
    const broken: Lock = {
      packages: {
        '': {},
        'node_modules/a': { engines: { node: '>=18' } },
        'node_modules/b': { engines: { node: '>=22.15.0' } },
      },
    };
    expect(refusing(broken, pkg.engines.node)).toEqual(['node_modules/b wants node >=22.15.0']);
  });
});
