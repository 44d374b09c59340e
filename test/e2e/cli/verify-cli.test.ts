import { mkdtempSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { XMLParser } from 'fast-xml-parser';
import { describe, expect, it } from 'vitest';
import { junitSchemaErrors } from '../../helpers/junit-schema.js';
import { startReferenceIntegration } from '../../helpers/reference-integration.js';
import { spawn } from 'node:child_process';
import { freePort, run, spawnUntilListening } from '../../helpers/spawn.js';

// The built CLI's verify command (npm test builds dist/ first).
const MAIN = 'dist/main.js';

const parser = new XMLParser({
  ignoreAttributes: false,
  isArray: (name) => name === 'testcase' || name === 'testsuite',
});

// Each test runs the built CLI (a whole verification, both suites): slower than the default timeout allows on a busy CI machine.
describe('guuru-emulator verify', { timeout: 60_000 }, () => {
  it('starts an emulator at --url, prints the checklist, writes JSON and JUnit, and exits 0 for a correct integration', async () => {
    const emulatorUrl = `http://127.0.0.1:${await freePort()}`;
    // As in CI: the integration starts first, configured for the emulator that verify will start.
    const integration = await startReferenceIntegration({ graphqlUrl: `${emulatorUrl}/graphql` });
    const dir = mkdtempSync(join(tmpdir(), 'verify-'));
    try {
      const res = await run(process.execPath, [
        MAIN,
        'verify',
        '--target',
        integration.url,
        '--url',
        emulatorUrl,
        '--timeout',
        '3000',
        '--json',
        join(dir, 'report.json'),
        '--junit',
        join(dir, 'junit.xml'),
      ]);
      expect(res.code, res.stdout + res.stderr).toBe(0);
      expect(res.stdout).toContain(`no emulator at ${emulatorUrl}; started one in this process at ${emulatorUrl}`);
      expect(res.stdout).toContain(
        `your integration must call ${emulatorUrl}/graphql with "Authorization: Bearer demo-token" and check webhook signatures with the secret "secr3t" (tenant guuru-qa)`,
      );
      expect(res.stdout).toMatch(
        /^PASS {2}receiver\.signed-accepted {2}Accepts a correctly signed delivery: chat-assigned \(chat \S+\) correctly signed → 200; then acceptChat ×1$/m,
      );
      expect(res.stdout.match(/^PASS {2}receiver\./gm)).toHaveLength(11);
      expect(res.stdout.match(/^PASS {2}third-party\./gm)).toHaveLength(7);
      expect(res.stdout).toMatch(
        /^SKIP {2}third-party\.reopen {2}Reopens a closed chat with openChat: not applicable: openChat was not used$/m,
      );
      expect(res.stdout).toMatch(
        /^PASSED {2}19 checks: 18 passed, 0 failed \(0 required\), 1 skipped; acknowledgement p50 \d+ ms, p99 \d+ ms$/m,
      );
      // Not a terminal: no colours.
      expect(res.stdout).not.toMatch(/\u001b\[/);

      const report = JSON.parse(readFileSync(join(dir, 'report.json'), 'utf8'));
      expect(report).toMatchObject({
        kind: 'guuru-emulator/verification',
        version: 1,
        status: 'passed',
        target: integration.url,
        suites: ['receiver', 'third-party'],
        summary: { passed: 18, skipped: 1 },
      });
      const xml = readFileSync(join(dir, 'junit.xml'), 'utf8');
      expect(await junitSchemaErrors(xml)).toEqual([]);
      const junit = parser.parse(xml);
      expect(junit.testsuites).toMatchObject({ '@_tests': '19', '@_failures': '0', '@_errors': '0', '@_skipped': '1' });
      expect(
        junit.testsuites.testsuite.flatMap((suite: any) => suite.testcase.map((c: any) => c['@_name'].split(':')[0])),
      ).toEqual(report.checks.map((c: any) => c.id));
    } finally {
      await integration.close();
    }
  });

  it('exits 1 when a required check fails, with the evidence in the checklist and as the JUnit failure message', async () => {
    const emulatorUrl = `http://127.0.0.1:${await freePort()}`;
    const integration = await startReferenceIntegration({
      graphqlUrl: `${emulatorUrl}/graphql`,
      flaw: 'no-idempotency',
    });
    const dir = mkdtempSync(join(tmpdir(), 'verify-'));
    try {
      const res = await run(process.execPath, [
        MAIN,
        'verify',
        '--target',
        integration.url,
        '--url',
        emulatorUrl,
        '--timeout',
        '3000',
        '--suite',
        'receiver',
        '--junit',
        join(dir, 'junit.xml'),
      ]);
      expect(res.code, res.stdout + res.stderr).toBe(1);
      expect(res.stdout).toMatch(
        /^FAIL {2}receiver\.idempotent {2}Acts once on a delivery received twice: chat-assigned .*acceptChat ×2 .*the second copy was acted on/m,
      );
      expect(res.stdout).toMatch(/^SKIP {2}receiver\.retry-after-timeout .*fix that first$/m);
      expect(res.stdout).toMatch(/^FAILED {2}11 checks: 9 passed, 1 failed \(1 required\), 1 skipped/m);
      expect(res.stdout).toMatch(
        /What the failures mean.*\n {2}receiver\.idempotent: The same delivery .*https:\/\/developers\.guuru\.com\/docs\/webhooks\/start/,
      );
      const xml = readFileSync(join(dir, 'junit.xml'), 'utf8');
      expect(await junitSchemaErrors(xml)).toEqual([]);
      const cases = parser.parse(xml).testsuites.testsuite[0].testcase;
      const failed = cases.filter((c: any) => c.failure);
      expect(failed.map((c: any) => c['@_name'])).toEqual([
        'receiver.idempotent: Acts once on a delivery received twice',
      ]);
      expect(failed[0].failure['@_message']).toMatch(
        /acceptChat ×2 \(1 refused: CHAT_ALREADY_ACCEPTED\): the second copy was acted on/,
      );
    } finally {
      await integration.close();
    }
  });

  it('uses a running emulator at --url, with its admin token', async () => {
    const app = await spawnUntilListening(process.execPath, [
      MAIN,
      'start',
      '--port',
      '0',
      '--admin-token',
      'verify-admin-token',
    ]);
    const integration = await startReferenceIntegration({ graphqlUrl: `${app.url}/graphql` });
    try {
      const refused = await run(process.execPath, [MAIN, 'verify', '--target', integration.url, '--url', app.url], {
        ADMIN_TOKEN: '',
      });
      expect(refused.code).toBe(2);
      expect(refused.stderr).toMatch(
        /the emulator at http:\S+ needs its admin token: pass --admin-token or set ADMIN_TOKEN/,
      );
      const res = await run(process.execPath, [
        MAIN,
        'verify',
        '--target',
        integration.url,
        '--url',
        app.url,
        '--timeout',
        '3000',
        '--seed',
        '4',
        '--admin-token',
        'verify-admin-token',
      ]);
      expect(res.code, res.stdout + res.stderr).toBe(0);
      expect(res.stdout).not.toContain('started one in this process');
      expect(res.stdout).toContain(`your integration must call ${app.url}/graphql`);
      const list = (await (
        await fetch(`${app.url}/_emulator/verifications`, { headers: { authorization: 'Bearer verify-admin-token' } })
      ).json()) as any;
      expect(list.verifications).toEqual([expect.objectContaining({ id: 'ver-1', status: 'passed', seed: 4 })]);
    } finally {
      await integration.close();
      await app.stop();
    }
  });

  it('on a terminal: prints each check as soon as it is settled, in colour, and without colour under NO_COLOR', async () => {
    const emulatorUrl = `http://127.0.0.1:${await freePort()}`;
    const integration = await startReferenceIntegration({ graphqlUrl: `${emulatorUrl}/graphql` });
    // script(1) gives the CLI a pseudo-terminal, as a developer's shell does.
    const command = (target: string, extra: string[]) =>
      [process.execPath, MAIN, 'verify', '--target', target, '--url', emulatorUrl, '--timeout', '3000', ...extra]
        .map((a) => `'${a}'`)
        .join(' ');
    try {
      const child = spawn('script', ['-qfec', command(integration.url, []), '/dev/null'], {
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let out = '';
      const seen: Record<string, number> = {};
      child.stdout.on('data', (chunk: Buffer) => {
        out += chunk.toString();
        if (seen.first === undefined && out.includes('receiver.signed-accepted')) seen.first = Date.now();
        if (seen.summary === undefined && out.includes('PASSED')) seen.summary = Date.now();
      });
      const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
      expect(code, out).toBe(0);
      expect(out).toMatch(
        /\u001b\[32mPASS\u001b\[39m {2}\u001b\[1mreceiver\.signed-accepted\u001b\[22m {2}Accepts a correctly signed delivery: /,
      );
      expect(out).toMatch(/\u001b\[32mPASSED\u001b\[39m {2}19 checks/);
      // The receiver suite's lines came while the third-party suite was still running (seconds of conversation), not all at the end.
      expect(seen.summary! - seen.first!).toBeGreaterThan(1_000);
    } finally {
      await integration.close();
    }
    // A fresh integration (the first one remembers its persona in the emulator that is gone).
    const again = await startReferenceIntegration({ graphqlUrl: `${emulatorUrl}/graphql` });
    try {
      const plain = await run('script', ['-qfec', command(again.url, ['--suite', 'receiver']), '/dev/null'], {
        NO_COLOR: '1',
      });
      expect(plain.code, plain.stdout).toBe(0);
      expect(plain.stdout).toMatch(/^PASS {2}receiver\.signed-accepted {2}/m);
      expect(plain.stdout).not.toMatch(/\u001b\[/);
    } finally {
      await again.close();
    }
  });

  it('exits 2 on a usage error', async () => {
    const usage: [string[], RegExp][] = [
      [[], /required option '--target <url>' not specified/],
      [['--target', 'localhost:8000'], /--target: "localhost:8000" is not an http\(s\) URL/],
      [
        ['--target', 'http://127.0.0.1:9/x', '--suite', 'receiver,bogus'],
        /--suite: unknown suite "bogus"; the suites are receiver, third-party/,
      ],
      [['--target', 'http://127.0.0.1:9/x', '--timeout', 'soon'], /--timeout must be a whole number/],
      [['--target', 'http://127.0.0.1:9/x', '--colour'], /unknown option '--colour'/],
    ];
    const results = await Promise.all(usage.map(([args]) => run(process.execPath, [MAIN, 'verify', ...args])));
    results.forEach((res, i) => {
      expect(res.code, usage[i]?.[0].join(' ')).toBe(2);
      expect(res.stderr).toMatch(usage[i]?.[1] as RegExp);
    });
  });

  it('exits 2 when the target is unreachable or the address of --url is taken by something else', async () => {
    const emulatorUrl = `http://127.0.0.1:${await freePort()}`;
    const unreachable = await run(process.execPath, [
      MAIN,
      'verify',
      '--target',
      'http://127.0.0.1:9/hooks',
      '--url',
      emulatorUrl,
    ]);
    expect(unreachable.code).toBe(2);
    expect(unreachable.stdout).toMatch(/^ERROR {2}19 checks: 0 passed, 0 failed \(0 required\), 19 skipped$/m);
    expect(unreachable.stdout).toMatch(
      /could not run: cannot reach the target http:\/\/127.0.0.1:9\/hooks: connection refused/,
    );
    // Something that is not an emulator holds the address of --url.
    const other = createServer((socket) => socket.resume());
    await new Promise<void>((resolve) => other.listen(0, '127.0.0.1', resolve));
    try {
      const taken = await run(process.execPath, [
        MAIN,
        'verify',
        '--target',
        'http://127.0.0.1:9/hooks',
        '--url',
        `http://127.0.0.1:${(other.address() as { port: number }).port}`,
      ]);
      expect(taken.code).toBe(2);
      expect(taken.stderr).toMatch(/one cannot be started there \(EADDRINUSE\): something else uses that address/);
    } finally {
      await new Promise<void>((resolve) => other.close(() => resolve()));
    }
  });
});
