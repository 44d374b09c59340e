import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createConsumerProject, type ConsumerProject } from '../helpers/consumer-project.js';

// A user's project that installs the packed tarball (npm test built dist/ first).
const TSCONFIG = {
  compilerOptions: {
    target: 'ES2022',
    module: 'NodeNext',
    moduleResolution: 'NodeNext',
    lib: ['ES2022'],
    strict: true,
    // The point: the published .d.ts must compile with everything they reference.
    skipLibCheck: false,
    noEmit: true,
  },
  include: ['src'],
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

describe('a project that installs the packed package', () => {
  let project: ConsumerProject;
  beforeAll(async () => {
    project = await createConsumerProject(
      { 'package.json': JSON.stringify({ name: 'consumer', private: true, type: 'module' }), 'tsconfig.json': JSON.stringify(TSCONFIG), 'src/app.ts': APP_TS },
      ['typescript'],
    );
  }, 120_000);
  afterAll(() => project?.remove());

  it('installs on Node 20 without an engine warning or a warning about the package', () => {
    const ours = project.installOutput.split('\n').filter((line) => /EBADENGINE|guuru-emulator/.test(line));
    expect(ours).toEqual([]);
  });

  it('type-checks with skipLibCheck: false', async () => {
    const tsc = await project.tool('tsc', ['-p', '.']);
    expect(tsc.stdout + tsc.stderr).toBe('');
    expect(tsc.code).toBe(0);
  });
});
