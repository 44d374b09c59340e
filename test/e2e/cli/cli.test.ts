import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { run, spawnUntilListening, type Running } from '../../helpers/spawn.js';
import { webhookSink } from '../../helpers/webhook-sink.js';

// These run the built CLI (npm test builds dist/ first), as `npm start` and the Docker image do.
const MAIN = 'dist/main.js';
const query = (url: string, token = 'demo-token') =>
  fetch(`${url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify({ query: '{ partner { id } }' }),
  }).then((r) => r.json() as Promise<any>);

/** Waits until the process has printed a line matching `pattern` (its output arrives in chunks). */
async function outputMatching(app: Running, pattern: RegExp, timeoutMs = 10_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!pattern.test(app.output())) {
    if (Date.now() > until) throw new Error(`no output matching ${pattern} within ${timeoutMs} ms:\n${app.output()}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe('the guuru-emulator CLI', () => {
  it('is built', () => {
    expect(existsSync(MAIN), 'run npm run build first').toBe(true);
  });

  it('prints its options with --help', async () => {
    const res = await run(process.execPath, ['bin/guuru-emulator.js', 'start', '--help']);
    expect(res.code).toBe(0);
    for (const flag of ['--port', '--host', '--seed', '--fixtures', '--data']) expect(res.stdout).toContain(flag);
  });

  it('starts, prints the URLs and the demo token, answers, and stops on SIGTERM', async () => {
    const app = await spawnUntilListening(process.execPath, [
      MAIN,
      'start',
      '--port',
      '0',
      '--seed-time',
      '2026-11-22',
    ]);
    try {
      expect(app.output()).toContain('Authorization: Bearer demo-token');
      expect(app.output()).toContain(`${app.url}/_emulator`);
      expect(app.output()).toMatch(new RegExp(`Chat as a customer +${app.url}/#/shop`));
      expect((await query(app.url)).data.partner.id).toBe('guuru-qa');
    } finally {
      expect(await app.stop()).toBe(0);
    }
  });

  it('delivers every GUURU event to WEBHOOK_URL, signed, and --webhook-url wins over it', async () => {
    const sink = await webhookSink();
    const app = await spawnUntilListening(process.execPath, [MAIN, 'start', '--port', '0', '--webhook-url', sink.url], {
      WEBHOOK_URL: 'http://127.0.0.1:9/unused',
    });
    try {
      expect(app.output()).toContain(`every GUURU event → ${sink.url}`);
      const res = await fetch(`${app.url}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: 'Bearer demo-token' },
        body: JSON.stringify({
          query:
            'mutation { acceptChat(id: "O2bqy2CsAaS7RBXZrhMOB", input: { personaId: "ab22a12e-cefd-4f67-945b-c215c42202b4" }) { status } }',
        }),
      });
      expect(await res.json()).toEqual({ data: { acceptChat: { status: 'open' } } });
      const [received] = await sink.waitFor({ count: 1 });
      expect(received).toMatchObject({ event: 'chat-opened', verified: true, status: 200 });
    } finally {
      await app.stop();
      await sink.close();
    }
  });

  it('logs readable lines by default and JSON lines with --log-format json (or LOG_FORMAT)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'log-format-'));
    writeFileSync(join(dir, 'broken.yaml'), 'name: broken\ndescription: x\nsteps: [{ fly: {} }]\n');
    try {
      const pretty = await spawnUntilListening(process.execPath, [MAIN, 'start', '--port', '0', '--scenarios', dir]);
      await outputMatching(pretty, /scenario skipped/);
      await pretty.stop();
      expect(pretty.output()).toMatch(/\] WARN: scenario skipped: .*broken\.yaml: steps\[0\]: unknown action "fly"/);
      for (const [args, env] of [
        [['--log-format', 'json'], {}],
        [[], { LOG_FORMAT: 'json' }],
      ] as const) {
        const json = await spawnUntilListening(
          process.execPath,
          [MAIN, 'start', '--port', '0', '--scenarios', dir, ...args],
          env,
        );
        await outputMatching(json, /scenario skipped/);
        await json.stop();
        const line = json
          .output()
          .split('\n')
          .find((l) => l.startsWith('{') && l.includes('scenario skipped'));
        expect(JSON.parse(line ?? 'null')).toMatchObject({
          level: 40,
          name: 'guuru-emulator',
          msg: expect.stringContaining('unknown action "fly"'),
        });
      }
      const bad = await run(process.execPath, [MAIN, 'start', '--port', '0', '--log-format', 'xml']);
      expect(bad.code).toBe(2);
      expect(bad.stderr).toMatch(/--log-format.*xml.*pretty, json/s);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('honours PORT and HOST from the environment', async () => {
    const app = await spawnUntilListening(process.execPath, [MAIN], { PORT: '0', HOST: '127.0.0.1' });
    try {
      expect(app.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      expect((await query(app.url)).data.partner.id).toBe('guuru-qa');
    } finally {
      await app.stop();
    }
  });

  it('exits with a clear message for a bad flag or a bad data file', async () => {
    const badPort = await run(process.execPath, [MAIN, 'start', '--port', 'abc']);
    expect(badPort.code).not.toBe(0);
    expect(badPort.stderr).toMatch(/--port must be a whole number/);
    // Usage mistakes exit 2 (could not run), never 1 (ran and failed).
    expect(badPort.code).toBe(2);
    for (const args of [
      ['start', '--nope'],
      ['scenario', 'run', 'happy-path', '--nope'],
      ['scenario', 'run'],
      ['start', '--log-level', 'loud'],
    ]) {
      const res = await run(process.execPath, [MAIN, ...args]);
      expect(res.code, args.join(' ')).toBe(2);
      expect(res.stderr, args.join(' ')).toMatch(/^error: /);
    }
    expect((await run(process.execPath, [MAIN, '--version'])).code).toBe(0);
    const drift = await run(process.execPath, [MAIN, 'drift']);
    expect([drift.code, drift.stderr.trim()]).toEqual([
      2,
      'guuru-emulator drift: nothing to compare: pass --url (the live Admin API, with --token) and/or --gurusup-url (with --api-key).',
    ]);
    const badData = await run(process.execPath, [MAIN, 'start', '--port', '0', '--data', 'package.json']);
    expect(badData.code).toBe(2);
    expect(badData.stderr).toMatch(/refusing to use package\.json: it is not a guuru-emulator state file/);
  });
});

describe('the Docker image', () => {
  const dockerfile = readFileSync('Dockerfile', 'utf8');
  const finalStage = dockerfile.slice(dockerfile.lastIndexOf('\nFROM '));
  const exec = (instruction: string): string[] => {
    const line = new RegExp(`^${instruction} (\\[.*\\])$`, 'm').exec(finalStage)?.[1];
    expect(line, instruction).toBeDefined();
    return JSON.parse(line!) as string[];
  };
  const entrypoint = exec('ENTRYPOINT');
  const cmd = exec('CMD');
  /** What `docker run IMAGE ...args` runs: the ENTRYPOINT with the arguments, or with the CMD when there are none. */
  const dockerRun = (args: string[], env: NodeJS.ProcessEnv = {}) => {
    const [binary, ...rest] = [...entrypoint, ...(args.length > 0 ? args : cmd)];
    expect(binary).toBe('node');
    // As in the image: every interface, an admin token of the user's (else one is made), production.
    return spawnUntilListening(process.execPath, rest, {
      PORT: '0',
      HOST: '0.0.0.0',
      NODE_ENV: 'production',
      ADMIN_TOKEN: 'docker-token-1',
      ...env,
    });
  };

  it('is multi-stage, runs as non-root, on 0.0.0.0:4000, with a health check and a writable /data volume', () => {
    expect(dockerfile.match(/^FROM /gm)?.length).toBeGreaterThanOrEqual(2);
    expect(dockerfile).toMatch(/npm ci --omit=dev/);
    expect(finalStage).toMatch(/^USER node$/m);
    expect(finalStage).toMatch(/HOST=0\.0\.0\.0/);
    expect(finalStage).toMatch(/^EXPOSE 4000/m);
    expect(finalStage).toMatch(/^HEALTHCHECK [\s\S]*?\/_emulator\/health/m);
    expect(finalStage).toMatch(/^VOLUME \/data$/m);
    // /data is made and given to the user the process runs as, before USER switches to it.
    expect(finalStage).toMatch(/^RUN mkdir -p \/data[^\n]*&& chown node:node \/data/m);
    expect(finalStage.indexOf('chown node:node /data')).toBeLessThan(finalStage.indexOf('USER node'));
    expect(entrypoint).toEqual(['node', 'dist/main.js']);
    expect(cmd).toEqual(['start']);
    // Builds offline: no `# syntax=` line, which makes BuildKit pull a frontend image from a registry.
    expect(dockerfile).not.toMatch(/^#\s*syntax\s*=/m);
    // The docs the npm package ships (verify reports and error messages point into them).
    expect(finalStage).toMatch(/^COPY docs\/\*\.md \.\/docs\/$/m);
  });

  it('`docker run IMAGE` starts, prints a URL a person can open, and its HEALTHCHECK command passes', async () => {
    const app = await dockerRun([]);
    try {
      expect(app.url).toMatch(/^http:\/\/localhost:\d+$/);
      expect(app.output()).toContain('bound to 0.0.0.0: every interface');
      expect(app.output()).not.toMatch(/http:\/\/0\.0\.0\.0/);
      const health = await fetch(`${app.url}/_emulator/health`);
      expect(health.status).toBe(200);
      // The image's own probe, run as Docker runs it (PORT is the image's; here the free port taken).
      const probe = /^HEALTHCHECK [^\n]*\\\n\s*CMD (.*)$/m.exec(finalStage)?.[1];
      expect(probe).toBeDefined();
      const port = new URL(app.url).port;
      expect((await run('sh', ['-c', probe!], { PORT: port })).code).toBe(0);
      expect((await run('sh', ['-c', probe!], { PORT: '1' })).code).toBe(1);
    } finally {
      await app.stop();
    }
  });

  it('`docker run IMAGE --seed 2` and `docker run IMAGE start --seed 2 --data /data/state.json` take the flags', async () => {
    const bare = await dockerRun(['--seed', '2']);
    try {
      expect(bare.output()).toMatch(/Seed\s+2 at/);
    } finally {
      expect(await bare.stop()).toBe(0);
    }
    const data = mkdtempSync(join(tmpdir(), 'guuru-docker-data-'));
    try {
      const started = await dockerRun(['start', '--seed', '2', '--data', join(data, 'state.json')]);
      expect(started.output()).toMatch(/Seed\s+2 at .*state kept in .*state\.json/);
      expect(await started.stop()).toBe(0);
      expect(existsSync(join(data, 'state.json'))).toBe(true);
    } finally {
      rmSync(data, { recursive: true, force: true });
    }
  });
});

describe('start --cors', () => {
  it('takes origins from the flag (repeatable, comma-separated) and CORS_CONTROL from the environment', async () => {
    const app = await spawnUntilListening(
      process.execPath,
      [MAIN, 'start', '--port', '0', '--cors', 'http://a.test,http://b.test', '--cors', 'http://c.test'],
      { CORS_CONTROL: '1' },
    );
    try {
      for (const [origin, path] of [
        ['http://b.test', '/graphql'],
        ['http://c.test', '/_emulator/tenants'],
      ]) {
        const res = await fetch(`${app.url}${path}`, {
          method: 'OPTIONS',
          headers: { origin: origin!, 'access-control-request-method': 'POST' },
        });
        expect(res.status, path).toBe(204);
        expect(res.headers.get('access-control-allow-origin')).toBe(origin);
      }
    } finally {
      expect(await app.stop()).toBe(0);
    }
    const bad = await run(process.execPath, [MAIN, 'start', '--port', '0', '--cors-control']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--cors-control needs --cors ORIGIN/);
  });
});
