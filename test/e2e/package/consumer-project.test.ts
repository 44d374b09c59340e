import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DOCS } from '../../../src/verify/checks.js';
import { createConsumerProject, type ConsumerProject } from '../../helpers/consumer-project.js';

// A user's project that installs the packed tarball (npm test built dist/ first). Its test files
// are the examples of docs/testing.md, exactly as written there.
const TSCONFIG = {
  compilerOptions: {
    target: 'ES2022',
    module: 'NodeNext',
    moduleResolution: 'NodeNext',
    lib: ['ES2022', 'ESNext.Disposable'],
    strict: true,
    // The point: the published .d.ts must compile with everything they reference.
    skipLibCheck: false,
    noEmit: true,
  },
  include: ['src', 'test'],
};

const APP_TS = `import { createEmulator, VirtualClock, type EmulatorOptions } from 'guuru-emulator';

const options: EmulatorOptions = { port: 0, clock: new VirtualClock(Date.UTC(2026, 0, 1)) };
const emulator = await createEmulator(options);
// Express's types come with the package: app is an Express app, not an implicit any.
emulator.app.disable('x-powered-by');
// @ts-expect-error app is typed, so a method Express does not have is an error
emulator.app.notAnExpressMethod();
const url: string = await emulator.start();
console.log(url);
await emulator.stop();
`;

/** The code blocks of a Markdown file that name their file: ```ts title="test/x.test.ts". */
export function titledBlocks(markdown: string): Record<string, string> {
  const files: Record<string, string> = {};
  for (const match of markdown.matchAll(/^```\w+ title="([^"]+)"\n([\s\S]*?)^```$/gm)) files[match[1]!] = match[2]!;
  return files;
}

describe('a project that installs the packed package', () => {
  const examples = titledBlocks(readFileSync('docs/testing.md', 'utf8'));
  let project: ConsumerProject;
  beforeAll(async () => {
    project = await createConsumerProject(
      {
        'package.json': JSON.stringify({ name: 'consumer', private: true, type: 'module' }),
        'tsconfig.json': JSON.stringify(TSCONFIG),
        'src/app.ts': APP_TS,
        // vitest runs the TypeScript examples; node --test the JavaScript ones.
        'vitest.config.mjs': "export default { test: { include: ['test/**/*.test.ts'] } };\n",
        ...examples,
      },
      ['typescript', 'vitest'],
    );
  }, 120_000);
  afterAll(() => (process.env.KEEP_CONSUMER ? console.log(project.dir) : project?.remove()));

  it('has the examples of docs/testing.md', () => {
    expect(Object.keys(examples)).toEqual(
      expect.arrayContaining([
        'test/chat-opened.test.ts',
        'test/fresh-tenant.test.ts',
        'test/snapshot.test.ts',
        'test/node-test.test.mjs',
        'test/require.test.cjs',
        'src/receiver.ts',
        'test/receiver.test.ts',
      ]),
    );
  });

  it('ships the local docs that verify reports link to (a check names its doc by its path in the package)', () => {
    const local = Object.values(DOCS).filter((doc) => !/^https?:/.test(doc.url));
    expect(local.length).toBeGreaterThan(0);
    for (const doc of local)
      expect(existsSync(join(project.dir, 'node_modules', 'guuru-emulator', doc.url)), doc.url).toBe(true);
  });

  it('installs on Node 20 without an engine warning or a warning about the package', () => {
    const ours = project.installOutput.split('\n').filter((line) => /EBADENGINE|guuru-emulator/.test(line));
    expect(ours).toEqual([]);
  });

  it('type-checks with skipLibCheck: false', async () => {
    const tsc = await project.tool('tsc', ['-p', '.']);
    expect(tsc.stdout + tsc.stderr).toBe('');
    expect(tsc.code).toBe(0);
  }, 120_000);

  it('runs the TypeScript examples under vitest', async () => {
    const vitest = await project.tool('vitest', ['run', '--reporter', 'verbose']);
    expect(vitest.stdout + vitest.stderr).toMatch(/Tests\s+6 passed/);
    expect(vitest.code).toBe(0);
  }, 60_000);

  it('runs the JavaScript examples under node:test, as ESM and as CommonJS', async () => {
    const node = await project.run(process.execPath, ['--test', 'test/node-test.test.mjs', 'test/require.test.cjs']);
    expect(node.stdout).toMatch(/# pass 2\n# fail 0/);
    expect(node.code).toBe(0);
  }, 60_000);
});
