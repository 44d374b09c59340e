import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { run } from './spawn.js';

const REPO = resolve(import.meta.dirname, '../..');
const NPM = process.platform === 'win32' ? 'npm.cmd' : 'npm';
/** Output without colour codes, so tests can read it. */
const PLAIN = { NO_COLOR: '1', FORCE_COLOR: '0' };

export interface ConsumerProject {
  dir: string;
  /** What `npm install <tarball>` printed (stdout + stderr). */
  installOutput: string;
  /** Runs a command in the project. */
  run(command: string, args: string[], env?: NodeJS.ProcessEnv): ReturnType<typeof run>;
  /** Runs a tool from the repo's own node_modules/.bin (tsc, vitest) in the project. */
  tool(name: string, args: string[]): ReturnType<typeof run>;
  remove(): void;
}

async function npm(args: string[], cwd: string): Promise<string> {
  const res = await run(NPM, args, {}, cwd);
  const output = `${res.stdout}\n${res.stderr}`;
  if (res.code !== 0) throw new Error(`npm ${args.join(' ')} failed (${res.code}):\n${output}`);
  return output;
}

/**
 * A project of a user of the package, made in a temp folder: its own package.json and files,
 * with the packed tarball of this repo (`npm pack` of dist/, which `npm test` built) installed
 * the way a user installs it. The project's dev tools (vitest, typescript) are links to the
 * repo's copies, so only the package's own dependencies are installed (from npm's cache).
 */
export async function createConsumerProject(
  files: Record<string, string>,
  links: string[] = [],
): Promise<ConsumerProject> {
  const dir = mkdtempSync(join(tmpdir(), 'guuru-consumer-'));
  const packed = await npm(['pack', '--ignore-scripts', '--json', '--pack-destination', dir], REPO);
  const tarball = join(
    dir,
    (JSON.parse(packed.slice(packed.indexOf('['), packed.lastIndexOf(']') + 1)) as { filename: string }[])[0]!.filename,
  );
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
  const installOutput = await npm(
    ['install', tarball, '--prefer-offline', '--no-audit', '--no-fund', '--loglevel', 'warn'],
    dir,
  );
  for (const name of links) {
    mkdirSync(dirname(join(dir, 'node_modules', name)), { recursive: true });
    symlinkSync(join(REPO, 'node_modules', name), join(dir, 'node_modules', name), 'dir');
  }
  return {
    dir,
    installOutput,
    run: (command, args, env = {}) => run(command, args, { ...PLAIN, ...env }, dir),
    tool: (name, args) =>
      run(
        process.execPath,
        [join(REPO, 'node_modules', name === 'tsc' ? 'typescript/bin/tsc' : `${name}/${name}.mjs`), ...args],
        PLAIN,
        dir,
      ),
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}
