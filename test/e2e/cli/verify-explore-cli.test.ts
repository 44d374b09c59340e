import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseScenarioText } from '../../../src/scenarios/loader.js';
import { startReferenceIntegration } from '../../helpers/reference-integration.js';
import { freePort, run } from '../../helpers/spawn.js';

// The built CLI's verify --explore and --replay (npm test builds dist/ first).
const MAIN = 'dist/main.js';

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
        '20',
        '--explore-grace',
        '120',
        '--explore-silence',
        '500',
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
        // --explore-grace and --explore-silence reached the run (the control API's graceMs, maxSilenceMs).
        graceMs: 120,
        maxSilenceMs: 500,
      });
      expect(res.stdout).toContain(`keep it as a scenario with: guuru-emulator scenario from-flow ${file}`);
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

      // The flow as a scenario file, run by `scenario run` (another emulator it starts) against the correct integration.
      const yamlFile = join(dir, 'scenarios', 'own.yaml');
      mkdirSync(join(dir, 'scenarios'));
      const converted = await run(process.execPath, [MAIN, 'scenario', 'from-flow', file, '--out', yamlFile]);
      expect(converted.code, converted.stdout + converted.stderr).toBe(0);
      expect(converted.stdout).toMatch(
        new RegExp(
          `^written to ${yamlFile}: scenario explore-ignores-own-messages, 1 chat, \\d+ flow steps as \\d+ scenario steps$`,
          'm',
        ),
      );
      const scenario = parseScenarioText(readFileSync(yamlFile, 'utf8'), 'own.yaml');
      expect(scenario.steps.filter((s) => s.kind === 'open').map((s) => (s.args as { as?: string }).as)).toEqual(
        Object.keys(written.chats),
      );
      const correct = await startReferenceIntegration({
        graphqlUrl: `${emulatorUrl}/graphql`,
        closeAfterSilenceMs: 300,
      });
      try {
        const played = await run(process.execPath, [
          MAIN,
          'scenario',
          'run',
          'explore-ignores-own-messages',
          '--scenarios',
          join(dir, 'scenarios'),
          '--target',
          correct.url,
          '--url',
          emulatorUrl,
        ]);
        expect(played.code, played.stdout + played.stderr).toBe(0);
        expect(played.stdout).toMatch(/verdict: PASSED/);
      } finally {
        await correct.close();
      }

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
      const badScenario = await run(process.execPath, [MAIN, 'scenario', 'from-flow', join(dir, 'bad.json')]);
      expect(badScenario.code).toBe(2);
      expect(badScenario.stderr).toContain(
        `guuru-emulator scenario from-flow: <file> ${join(dir, 'bad.json')}: not a flow file of verify --explore`,
      );
      // The replay plays the flow with the grace it was recorded with.
      const regraced = await run(process.execPath, [
        MAIN,
        'verify',
        '--target',
        integration.url,
        '--url',
        emulatorUrl,
        '--replay',
        file,
        '--explore-grace',
        '50',
      ]);
      expect(regraced.code).toBe(2);
      expect(regraced.stderr).toContain(
        '--replay plays the flow with the grace it was recorded with: leave out --explore-grace',
      );
    } finally {
      await integration.close();
    }
  });

  it('refuses a bad --explore-grace or --explore-silence with exit 2 and the flag named', async () => {
    for (const [flag, value, message] of [
      ['--explore-grace', 'soon', '--explore-grace must be a whole number from 0 to 60000.'],
      ['--explore-grace', '60001', '--explore-grace must be a whole number from 0 to 60000.'],
      ['--explore-silence', '-5', '--explore-silence must be a whole number from 0 to 600000.'],
    ] as const) {
      const res = await run(process.execPath, [
        MAIN,
        'verify',
        '--target',
        'http://127.0.0.1:9/webhooks',
        '--explore',
        flag,
        value,
      ]);
      expect(res.code, res.stderr).toBe(2);
      expect(res.stderr).toContain(message);
    }
  });
});
