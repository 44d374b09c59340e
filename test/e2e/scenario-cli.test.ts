import { describe, expect, it } from 'vitest';
import { run, spawnUntilListening } from '../helpers/spawn.js';
import { webhookSink } from '../helpers/webhook-sink.js';

// The built CLI's scenario commands (npm test builds dist/ first).
const MAIN = 'dist/main.js';
// Nothing listens here, so `scenario run` starts an emulator in its own process.
const NOBODY = 'http://127.0.0.1:9';

describe('guuru-emulator scenario', () => {
  it('lists the built-in scenarios with their parameters', async () => {
    const res = await run(process.execPath, [MAIN, 'scenario', 'list']);
    expect(res.code).toBe(0);
    for (const name of ['happy-path', 'missed', 'reopen', 'transfer', 'bad-rating', 'attachments', 'third-party-messaging', 'gurusup-conversation', 'busy-day']) {
      expect(res.stdout).toMatch(new RegExp(`^${name}$`, 'm'));
    }
    expect(res.stdout).toContain('params: language="en" messages=2 rating="good"');
  });

  it('runs a scenario in process against --target, prints the timeline and exits 0', async () => {
    const sink = await webhookSink();
    try {
      const res = await run(process.execPath, [MAIN, 'scenario', 'run', 'missed', '--url', NOBODY, '--target', sink.url, '--instant', '--seed', '5']);
      expect(res.code, res.stderr).toBe(0);
      expect(res.stdout).toContain('started one in this process');
      expect(res.stdout).toMatch(/assign\s+assigned to api, \S+ {2}→ chat-assigned#\d+/);
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
      const res = await run(process.execPath, [MAIN, 'scenario', 'run', 'third-party-messaging', '--url', NOBODY, '--target', sink.url, '--instant', '--param', 'acceptTimeout=200ms']);
      expect(res.code).toBe(1);
      expect(res.stdout).toMatch(/waits \[timeout\]/);
      // The checklist: each expectation of the guide with its status, the failed one with its evidence.
      expect(res.stdout).toMatch(/✘ Accepts the chat with acceptChat after a chat-assigned that requests "api": failed/);
      expect(res.stdout).toMatch(/waited \d+ ms from \S+ for acceptChat after chat-assigned: timed out/);
      expect(res.stdout).toMatch(/✔ Your endpoint received the webhooks of the run: passed/);
      expect(res.stdout).toMatch(/verdict: FAILED/);
      expect(res.stderr).toMatch(/accept failed/);
      const bad = await run(process.execPath, [MAIN, 'scenario', 'run', 'happy-path', '--url', NOBODY, '--param', 'rating=superb']);
      expect(bad.code).toBe(2);
      expect(bad.stderr).toMatch(/one of good, average, bad/);
    } finally {
      await sink.close();
    }
  });

  it('uses a running emulator at --url, and start --scenario runs one at start', async () => {
    const sink = await webhookSink();
    const app = await spawnUntilListening(process.execPath, [MAIN, 'start', '--port', '0', '--virtual-clock', '--scenario', 'bad-rating', '--webhook-url', sink.url]);
    try {
      for (let i = 0; i < 100 && !/scenario bad-rating: run-1 started/.test(app.output()); i++) await new Promise((resolve) => setTimeout(resolve, 20));
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
});
