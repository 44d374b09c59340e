import { execFile } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';

const run = promisify(execFile);
const ROOT = resolve(import.meta.dirname, '../../..');
const DEPCRUISE = join(ROOT, 'node_modules/.bin/depcruise');

/** Runs the project's import rules over `files` (path → source) in a scratch project; returns the broken rule names. */
async function violations(files: Record<string, string>): Promise<string[]> {
  const dir = mkdtempSync(join(tmpdir(), 'layering-'));
  dirs.push(dir);
  cpSync(join(ROOT, '.dependency-cruiser.cjs'), join(dir, '.dependency-cruiser.cjs'));
  writeFileSync(
    join(dir, 'tsconfig.json'),
    JSON.stringify({ compilerOptions: { module: 'NodeNext', moduleResolution: 'NodeNext', strict: true } }),
  );
  for (const [path, source] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), source);
  }
  const result = await run(DEPCRUISE, ['src', '--config', '.dependency-cruiser.cjs', '--output-type', 'json'], {
    cwd: dir,
  }).catch((error: { stdout: string }) => error);
  const report = JSON.parse(result.stdout) as { summary: { violations: { rule: { name: string } }[] } };
  return report.summary.violations.map((v) => v.rule.name).sort();
}

const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

describe('the import rules (.dependency-cruiser.cjs)', () => {
  it('accept the layering of docs/architecture.md', async () => {
    expect(
      await violations({
        'src/kernel/clock.ts': 'export const now = () => 0;',
        'src/config/config.ts': "import { now } from '../kernel/clock.js'; export const k = now();",
        'src/store/store.ts': "import { now } from '../kernel/clock.js'; export const s = now();",
        'src/domain/chats.ts': "import { s } from '../store/store.js'; export const c = s;",
        'src/graphql/resolvers.ts': "import { c } from '../domain/chats.js'; export const r = c;",
        'src/http/errors.ts':
          "import { c } from '../domain/chats.js'; import { k } from '../config/config.js'; export const h = [c, k];",
        'src/control/router.ts':
          "import { r } from '../graphql/resolvers.js'; import { h } from '../http/errors.js'; export const x = [r, h];",
        'src/testing/control-client.ts': "import { x } from '../control/router.js'; export const cc = x;",
        'src/mcp/server.ts':
          "import { cc } from '../testing/control-client.js'; import { x } from '../control/router.js'; export const ms = [cc, x];",
        'src/app/emulator.ts':
          "import { x } from '../control/router.js'; import { ms } from '../mcp/server.js'; export const e = [x, ms];",
        'src/testing/start.ts': "import { e } from '../app/emulator.js'; export const t = e;",
        'src/drift/run.ts': "import { now } from '../kernel/clock.js'; export const d = now();",
        'src/cli/main.ts':
          "import { e } from '../app/emulator.js'; import { t } from '../testing/start.js'; import { d } from '../drift/run.js'; import { ms } from '../mcp/server.js'; export const m = [e, t, d, ms];",
        'src/index.ts': "import { e } from './app/emulator.js'; export const i = e;",
      }),
    ).toEqual([]);
  });

  it('refuse an adapter importing another adapter', async () => {
    expect(
      await violations({
        'src/gurusup/views.ts': 'export const v = 1;',
        'src/webhooks/publisher.ts': "import { v } from '../gurusup/views.js'; export const p = v;",
      }),
    ).toEqual(['adapters-do-not-import-each-other']);
  });

  it('refuse domain/ importing an adapter or a framework, and store/ importing domain/', async () => {
    expect(
      await violations({
        'src/graphql/errors.ts': 'export const g = 1;',
        'src/domain/chats.ts':
          "import { g } from '../graphql/errors.js'; import express from 'express'; export const c = [g, express];",
        'src/store/store.ts': "import { c } from '../domain/chats.js'; export const s = c;",
        'node_modules/express/package.json': '{"name":"express","main":"index.js"}',
        'node_modules/express/index.js': 'module.exports = {};',
      }),
    ).toEqual(['domain-imports-no-adapter', 'domain-imports-no-framework', 'store-imports-only-the-kernel']);
  });

  it('refuse the kernel importing a folder, a part importing the composition root, and cycles', async () => {
    expect(
      await violations({
        'src/webhooks/transport.ts': 'export type T = 1;',
        'src/kernel/clock.ts': "import type { T } from '../webhooks/transport.js'; export const k: T = 1;",
        'src/app/emulator.ts': 'export const e = 1;',
        'src/scenarios/a.ts':
          "import { e } from '../app/emulator.js'; import { b } from './b.js'; export const a = [e, b];",
        'src/scenarios/b.ts': "import { a } from './a.js'; export const b = () => a;",
      }),
    ).toEqual(['kernel-imports-no-folder', 'no-cycles', 'nothing-imports-the-root']);
  });

  it('refuse mcp/ importing the composition root or a command, and a part importing mcp/', async () => {
    expect(
      await violations({
        'src/app/emulator.ts': 'export const e = 1;',
        'src/cli/main.ts': 'export const m = 1;',
        'src/mcp/server.ts':
          "import { e } from '../app/emulator.js'; import { m } from '../cli/main.js'; export const s = [e, m];",
        'src/control/router.ts': "import { s } from '../mcp/server.js'; export const r = s;",
      }),
    ).toEqual(['mcp-talks-through-the-client', 'mcp-talks-through-the-client', 'nothing-imports-the-root']);
  });

  it('refuse config/ or http/ importing an adapter, and app/ or testing/ importing a command', async () => {
    expect(
      await violations({
        'src/webhooks/transport.ts': 'export type T = 1;',
        'src/config/config.ts': "import type { T } from '../webhooks/transport.js'; export const k: T = 1;",
        'src/http/guard.ts': "import type { T } from '../webhooks/transport.js'; export const g: T = 1;",
        'src/cli/main.ts': 'export const m = 1;',
        'src/app/emulator.ts': "import { m } from '../cli/main.js'; export const e = m;",
        'src/testing/start.ts': "import { m } from '../cli/main.js'; export const t = m;",
      }),
    ).toEqual([
      'app-imports-no-command',
      'config-imports-only-the-kernel',
      'http-imports-no-adapter',
      'testing-imports-no-command',
    ]);
  });

  it('refuse drift/ importing a part of the emulator, and a part of the emulator importing drift/', async () => {
    expect(
      await violations({
        'src/graphql/server.ts': 'export const g = 1;',
        'src/drift/graphql.ts': "import { g } from '../graphql/server.js'; export const d = g;",
        'src/control/router.ts': "import { d } from '../drift/graphql.js'; export const c = d;",
      }),
    ).toEqual(['drift-imports-only-the-kernel', 'only-the-commands-import-drift']);
  });
});
