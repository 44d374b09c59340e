import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { answerThenClose, startIntegrator } from '../../helpers/integrator.js';
import { run, spawnUntilListening } from '../../helpers/spawn.js';
import { webhookSink } from '../../helpers/webhook-sink.js';
import { startEmulator } from '../../helpers/emulator.js';
import { startReferenceIntegration } from '../../helpers/reference-integration.js';

// The built CLI's scenario commands (npm test builds dist/ first).
const MAIN = 'dist/main.js';
/** A loopback URL nothing listens on (yet): `scenario run` starts its emulator there. */
async function freeUrl(): Promise<string> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return `http://127.0.0.1:${port}`;
}

describe('guuru-emulator scenario', () => {
  it('lists the built-in scenarios with their parameters', async () => {
    const res = await run(process.execPath, [MAIN, 'scenario', 'list']);
    expect(res.code).toBe(0);
    for (const name of [
      'happy-path',
      'missed',
      'reopen',
      'transfer',
      'bad-rating',
      'attachments',
      'third-party-messaging',
      'gurusup-conversation',
      'busy-day',
    ]) {
      expect(res.stdout).toMatch(new RegExp(`^${name}$`, 'm'));
    }
    expect(res.stdout).toContain('params: language="en" messages=2 rating="good"');
  });

  it('runs a scenario in process against --target, prints the timeline and exits 0', async () => {
    const sink = await webhookSink();
    try {
      const url = await freeUrl();
      const res = await run(process.execPath, [
        MAIN,
        'scenario',
        'run',
        'missed',
        '--url',
        url,
        '--target',
        sink.url,
        '--instant',
        '--seed',
        '5',
      ]);
      expect(res.code, res.stderr).toBe(0);
      expect(res.stdout).toContain(`started one in this process at ${url}`);
      expect(res.stdout).toMatch(/^ {2}\+ +\d+\.\ds {2}GUURU assigned the chat to api, \S+ {2}→ chat-assigned#\d+$/m);
      expect(res.stdout).toMatch(/missed run-1 completed/);
      expect(sink.received.map((r) => r.event)).toEqual(['chat-assigned', 'message-created']);
      expect(sink.received.every((r) => r.verified)).toBe(true);
    } finally {
      await sink.close();
    }
  });

  it('exits non-zero when the run fails (an integrator that never accepts)', async () => {
    const sink = await webhookSink();
    try {
      const res = await run(process.execPath, [
        MAIN,
        'scenario',
        'run',
        'third-party-messaging',
        '--url',
        await freeUrl(),
        '--target',
        sink.url,
        '--instant',
        '--param',
        'acceptTimeout=200ms',
      ]);
      expect(res.code).toBe(1);
      expect(res.stdout).toMatch(
        /^ {2}\+ +\d+\.\ds {2}waited 0\.2 s for acceptChat \(the chat was assigned to "api"\): it did not come$/m,
      );
      // The checklist: each expectation of the guide with its status, the failed one with its evidence.
      expect(res.stdout).toMatch(
        /✘ Accepts the chat with acceptChat after a chat-assigned that requests "api": failed/,
      );
      expect(res.stdout).toMatch(/waited \d+ ms from \S+ for acceptChat after chat-assigned: timed out/);
      expect(res.stdout).toMatch(/✔ Your endpoint received the webhooks of the run: passed/);
      expect(res.stdout).toMatch(/verdict: FAILED/);
      expect(res.stderr).toMatch(/accept failed/);
      const bad = await run(process.execPath, [
        MAIN,
        'scenario',
        'run',
        'happy-path',
        '--url',
        await freeUrl(),
        '--param',
        'rating=superb',
      ]);
      expect(bad.code).toBe(2);
      expect(bad.stderr).toMatch(/one of good, average, bad/);
    } finally {
      await sink.close();
    }
  });

  it('uses a running emulator at --url, and start --scenario runs one at start', async () => {
    const sink = await webhookSink();
    const app = await spawnUntilListening(process.execPath, [
      MAIN,
      'start',
      '--port',
      '0',
      '--virtual-clock',
      '--scenario',
      'bad-rating',
      '--webhook-url',
      sink.url,
    ]);
    try {
      for (let i = 0; i < 100 && !/scenario bad-rating: run-1 started/.test(app.output()); i++)
        await new Promise((resolve) => setTimeout(resolve, 20));
      expect(app.output()).toMatch(/scenario bad-rating: run-1 started/);
      const res = await run(process.execPath, [MAIN, 'scenario', 'run', 'transfer', '--url', app.url, '--instant']);
      expect(res.code, res.stderr).toBe(0);
      expect(res.stdout).not.toContain('started one in this process');
      expect(res.stdout).toMatch(/transfer run-2 completed/);
      const runs = (await (await fetch(`${app.url}/_emulator/scenarios/bad-rating/runs`)).json()) as any;
      expect(runs.runs[0]).toMatchObject({ id: 'run-1', scenario: 'bad-rating' });
    } finally {
      await app.stop();
      await sink.close();
    }
  });

  it('starts its emulator at --url, where an integrator configured for that URL reaches it, and passes it', async () => {
    const url = await freeUrl();
    const integrator = await startIntegrator(`${url}/graphql`, answerThenClose(2));
    try {
      const res = await run(process.execPath, [
        MAIN,
        'scenario',
        'run',
        'third-party-messaging',
        '--url',
        url,
        '--target',
        integrator.url,
        '--instant',
      ]);
      expect(res.code, res.stdout + res.stderr).toBe(0);
      expect(res.stdout).toContain(`started one in this process at ${url}`);
      expect(integrator.actions).toEqual(['acceptChat', 'sendChatMessage', 'sendChatMessage', 'closeChat']);
      // The time line in words, each wait once (when its outcome is known), no step paths of the file.
      const timeline = res.stdout
        .split('\n')
        .filter((l) => /^ {2}\+ *\d+\.\ds {2}/.test(l))
        .map((l) => l.replace(/^ {2}\+ *\d+\.\ds {2}/, ''));
      expect(timeline.filter((l) => /steps\[|customer\.on|parallel/.test(l))).toEqual([]);
      expect(timeline.filter((l) => /^wait/.test(l))).toEqual([
        'waited for acceptChat (the chat was assigned to "api"): it came',
        'waited for sendChatMessage answering the customer: it came',
        'waited for sendChatMessage answering the customer: it came',
        'waited for closeChat (the customer has nothing more to ask): it came',
      ]);
      expect(timeline).toContainEqual(expect.stringMatching(/^your integration called acceptChat  → chat-opened#\d+$/));
      expect(timeline).toContainEqual(expect.stringMatching(/^the customer rated the chat good  → chat-rated#\d+$/));
      expect(res.stdout).toMatch(/webhooks: 9 sent, 9 delivered, 0 failed/);
      expect(res.stdout).toMatch(/✔ Closes the chat with closeChat once the customer is helped: passed/);
      expect(res.stdout).toMatch(/verdict: PASSED \(7 passed, 0 failed, 1 not applicable\)/);
    } finally {
      await integrator.close();
    }
  });

  it('refuses clearly when it cannot start an emulator at --url: another host, a port taken by something else', async () => {
    const remote = await run(process.execPath, [
      MAIN,
      'scenario',
      'run',
      'happy-path',
      '--url',
      'http://192.0.2.1:4000',
      '--instant',
    ]);
    expect(remote.code).toBe(2);
    expect(remote.stderr).toMatch(
      /No emulator answers at http:\/\/192\.0\.2\.1:4000\. scenario run starts one only on this machine/,
    );
    const squatter = createServer((_req, res) => res.writeHead(404).end('not an emulator'));
    await new Promise<void>((resolve) => squatter.listen(0, '127.0.0.1', resolve));
    try {
      const url = `http://127.0.0.1:${(squatter.address() as AddressInfo).port}`;
      const taken = await run(process.execPath, [MAIN, 'scenario', 'run', 'happy-path', '--url', url, '--instant']);
      expect(taken.code).toBe(2);
      expect(taken.stderr).toMatch(/port \d+ is taken by another program/);
    } finally {
      await new Promise((resolve) => squatter.close(resolve));
    }
  });

  it('loads --scenarios DIR into an emulator that is already running', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cli-scenarios-'));
    writeFileSync(
      join(dir, 'quick-miss.yaml'),
      'name: quick-miss\ndescription: opens, assigns to api, nobody takes it\nsteps:\n  - open: {}\n  - assign: {}\n  - wait: 1m\n  - miss: {}\n',
    );
    writeFileSync(join(dir, 'broken.yaml'), 'name: broken\ndescription: x\nsteps:\n  - rate: { rating: superb }\n');
    const app = await spawnUntilListening(process.execPath, [MAIN, 'start', '--port', '0', '--virtual-clock']);
    try {
      const res = await run(process.execPath, [
        MAIN,
        'scenario',
        'run',
        'quick-miss',
        '--url',
        app.url,
        '--scenarios',
        dir,
        '--instant',
      ]);
      expect(res.code, res.stdout + res.stderr).toBe(0);
      expect(res.stdout).toContain(`loaded 1 scenario file of ${dir} into the emulator at ${app.url}: quick-miss`);
      expect(res.stderr).toMatch(
        /skipped: .*broken\.yaml: steps\[0\] \(rate\): rating: "superb" is not one of good, average, bad/,
      );
      expect(res.stdout).toMatch(/quick-miss run-1 completed/);
      const list = (await (await fetch(`${app.url}/_emulator/scenarios`)).json()) as any;
      expect(list.scenarios.map((s: any) => s.name)).toContain('quick-miss');
      const missing = await run(process.execPath, [
        MAIN,
        'scenario',
        'run',
        'quick-miss',
        '--url',
        app.url,
        '--scenarios',
        join(dir, 'nope'),
      ]);
      expect(missing.code).toBe(2);
      expect(missing.stderr).toMatch(/--scenarios: cannot read .*nope \(ENOENT\)/);
    } finally {
      await app.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('replays a chat held by hand (saved as a scenario) against the same integration: the same conversation, verdict passed', async () => {
    const t = await startEmulator();
    const integration = await startReferenceIntegration({ graphqlUrl: `${t.url}/graphql`, closeAfterReplies: 1 });
    const control = (path: string, body?: unknown, method = 'POST') =>
      fetch(`${t.url}/_emulator${path}`, {
        method,
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      }).then((r) => r.json() as Promise<any>);
    const statusOf = async (id: string) =>
      ((await fetch(`${t.url}/_emulator/tenants/guuru-qa/chats/${id}`).then((r) => r.json())) as { status: string })
        .status;
    const until = async (id: string, status: string) => {
      // Real time (a live integration over loopback): bounded at 10 s.
      for (let i = 0; i < 200 && (await statusOf(id)) !== status; i += 1)
        await new Promise((resolve) => setTimeout(resolve, 50));
      expect(await statusOf(id)).toBe(status);
    };
    try {
      await control('/webhooks', { url: integration.url }, 'PUT');
      // What the shopper's window does.
      const chat = await control('/tenants/guuru-qa/chats', {
        question: 'Do you deliver on Saturdays?',
        requestedExperts: ['api'],
      });
      await until(chat.id, 'open');
      await control(`/tenants/guuru-qa/chats/${chat.id}/messages`, { from: 'user', text: 'To Zurich.' });
      await until(chat.id, 'closed');
      await control(`/tenants/guuru-qa/chats/${chat.id}/rate`, { rating: 'good' });
      await control(`/tenants/guuru-qa/chats/${chat.id}/scenario`, { name: 'saturday-demo', timeout: '10s' });
      const res = await run(process.execPath, [
        MAIN,
        'scenario',
        'run',
        'saturday-demo',
        '--url',
        t.url,
        '--target',
        integration.url,
      ]);
      expect(res.code, res.stdout + res.stderr).toBe(0);
      expect(res.stdout).toMatch(/saturday-demo run-1 completed/);
      expect(res.stdout).toMatch(/verdict: PASSED \(\d+ passed, 0 failed/);
      expect(res.stdout).toContain('"To Zurich."');
    } finally {
      await integration.close();
      await t.stop();
    }
  });

  it('exits 2 on usage errors in every command: unknown options, bad values', async () => {
    const cases = [
      ['scenario', 'run', 'happy-path', '--bogus'],
      ['scenario', 'list', '--bogus'],
      ['start', '--bogus'],
      ['--bogus'],
      ['scenario', 'run', 'happy-path', '--speed', 'fast'],
      ['scenario', 'run'],
      ['nope'],
    ];
    const results = await Promise.all(
      [...cases, ['scenario', 'run', '--help']].map((args) => run(process.execPath, [MAIN, ...args])),
    );
    cases.forEach((args, i) => {
      expect(results[i]!.code, `${args.join(' ')}: ${results[i]!.stderr}`).toBe(2);
      expect(results[i]!.stderr).toMatch(/error: /);
    });
    expect(results.at(-1)!.code).toBe(0);
  }, 60_000);
});
