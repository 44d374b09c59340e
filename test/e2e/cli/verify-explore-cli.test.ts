import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { startReferenceIntegration } from '../../helpers/reference-integration.js';
import { run } from '../../helpers/spawn.js';

// The built CLI's verify --explore and --replay (npm test builds dist/ first).
const MAIN = 'dist/main.js';

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe('guuru-emulator verify --explore / --replay', { timeout: 90_000 }, () => {
  it('writes the minimal failing flow to a file, prints the replay command, and --replay fails the same way', async () => {
    const emulatorUrl = `http://127.0.0.1:${await freePort()}`;
    const integration = await startReferenceIntegration({
      graphqlUrl: `${emulatorUrl}/graphql`,
      closeAfterSilenceMs: 300,
      flaw: 'answers-own-messages',
    });
    const dir = mkdtempSync(join(tmpdir(), 'explore-'));
    const file = join(dir, 'flow.json');
    try {
      const res = await run(process.execPath, [
        MAIN,
        'verify',
        '--target',
        integration.url,
        '--url',
        emulatorUrl,
        '--suite',
        'receiver',
        '--timeout',
        '2000',
        '--explore',
        '--runs',
        '5',
        '--explore-out',
        file,
        '--junit',
        join(dir, 'junit.xml'),
      ]);
      expect(res.code, res.stdout + res.stderr).toBe(1);
      expect(res.stdout).toMatch(
        /^FAIL {2}explore\.ignores-own-messages {2}Never answers its own or another agent's messages: minimal flow \(2 steps\): 1\. chat A assigned to api 2\. .*the customer of chat A sends (a message|an attachment)/m,
      );
      expect(res.stdout).toMatch(
        /^the smallest failing flow \(shrunk from \d+ steps\), breaking explore\.ignores-own-messages:\n {2}1\. chat A assigned to api\n {2}2\. /m,
      );
      expect(res.stdout).toContain(
        `written to ${file}; play it again with: guuru-emulator verify --target ${integration.url} --replay ${file} (against your integration restarted: the same Idempotency-Keys come again)`,
      );
      const written = JSON.parse(readFileSync(file, 'utf8'));
      expect(written).toMatchObject({
        kind: 'guuru-emulator/explore-flow',
        version: 1,
        property: 'explore.ignores-own-messages',
      });
      // JUnit: one test case per property, the minimal flow in the failure text.
      const junit = readFileSync(join(dir, 'junit.xml'), 'utf8');
      expect(junit.match(/<testcase [^>]*classname="guuru-emulator\.verify\.explore"/g)).toHaveLength(7);
      expect(junit).toMatch(/<failure message="minimal flow \(2 steps\): 1\. chat A assigned to api/);

      // Another process, another emulator (started by verify), the integration restarted (it has seen those keys): the same flow, the same failure.
      await integration.close();
      const restarted = await startReferenceIntegration({
        graphqlUrl: `${emulatorUrl}/graphql`,
        closeAfterSilenceMs: 300,
        flaw: 'answers-own-messages',
      });
      const again = await run(process.execPath, [
        MAIN,
        'verify',
        '--target',
        restarted.url,
        '--url',
        emulatorUrl,
        '--replay',
        file,
      ]);
      await restarted.close();
      expect(again.code, again.stdout + again.stderr).toBe(1);
      expect(again.stdout).toMatch(/^FAIL {2}explore\.ignores-own-messages /m);
      expect(again.stdout).toContain('the replayed flow, breaking explore.ignores-own-messages:');
      expect(again.stdout).not.toMatch(/receiver\./);

      writeFileSync(join(dir, 'bad.json'), '{"kind": "guuru-emulator/verification"}');
      const bad = await run(process.execPath, [
        MAIN,
        'verify',
        '--target',
        integration.url,
        '--url',
        emulatorUrl,
        '--replay',
        join(dir, 'bad.json'),
      ]);
      expect(bad.code).toBe(2);
      expect(bad.stderr).toContain(`--replay ${join(dir, 'bad.json')}: not a flow file of verify --explore (kind:`);
    } finally {
      await integration.close();
    }
  });
});
