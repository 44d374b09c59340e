import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, run, spawnUntilListening, type Running } from '../../helpers/spawn.js';
import { TRIGGER_CHAINS } from '../../helpers/trigger-chains.js';
import { webhookSink, type WebhookSink } from '../../helpers/webhook-sink.js';

// The built CLI (npm test builds dist/ first), as a person runs it from a shell.
const MAIN = 'dist/main.js';
const trigger = (...args: string[]) => run(process.execPath, [MAIN, 'trigger', ...args]);
const EVENTS = { ...TRIGGER_CHAINS, send_message: ['send_message'] };

describe('guuru-emulator trigger', () => {
  let app: Running;
  let sink: WebhookSink;
  beforeAll(async () => {
    sink = await webhookSink();
    app = await spawnUntilListening(process.execPath, [MAIN, 'start', '--port', '0', '--seed-time', '2026-11-22']);
  });
  afterAll(async () => {
    await app.stop();
    await sink.close();
  });

  it('fires every event type at a loopback receiver, signed: with its prerequisites, and alone with --only', async () => {
    for (const [event, chain] of Object.entries(EVENTS)) {
      for (const only of [false, true]) {
        sink.clear();
        const res = await trigger(event, '--url', app.url, '--target', sink.url, ...(only ? ['--only'] : []));
        expect(res.code, `${event}${only ? ' --only' : ''}: ${res.stdout}${res.stderr}`).toBe(0);
        expect(res.stdout).toContain(`${event} delivered.`);
        expect(sink.received.map((d) => d.event)).toEqual(only ? [event] : chain);
        expect(sink.received.every((d) => d.verified)).toBe(true);
        // Where the trigger accepted the chat itself after sending chat-assigned, it says when --only is the right call.
        const accepts = !only && chain[0] === 'chat-assigned' && (chain as readonly string[]).includes('chat-opened');
        expect(res.stdout.includes('add --only to send just'), `${event}${only ? ' --only' : ''}`).toBe(accepts);
      }
    }
  }, 120_000);

  it('--help says when to use --only', async () => {
    const help = await trigger('--help');
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/When to use --only:\n {2}From chat-opened on, the trigger accepts the chat itself/);
    expect(help.stdout).toContain('its acceptChat then gets CHAT_ALREADY_ACCEPTED');
  });

  it('prints what it did and each delivery with the answer it got', async () => {
    const res = await trigger(
      'chat-rated',
      '--url',
      app.url,
      '--target',
      sink.url,
      '--param',
      'rating=average',
      '--only',
    );
    expect(res.stdout).toMatch(
      /^chat-rated on tenant guuru-qa, chat \S{21} → http:\/\/127\.0\.0\.1:\d+\/webhooks \(--only\)$/m,
    );
    expect(res.stdout).toMatch(/GUURU assigned it to api\s+chat-assigned \(not sent: --only\)/);
    expect(res.stdout).toMatch(/rated average by the customer\s+chat-rated$/m);
    expect(res.stdout).toMatch(/delivery \d+\s+chat-rated\s+delivered\s+HTTP 200/);
  });

  it('exits 2 with the list of events for a bad event name, a bad param or no receiver', async () => {
    const bad = await trigger('chat-exploded', '--url', app.url, '--target', sink.url);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain(
      'unknown event "chat-exploded". Events: chat-assigned, chat-opened, message-created, chat-closed, chat-reopened, chat-transferred, chat-rated, send_message.',
    );
    const param = await trigger('chat-rated', '--url', app.url, '--target', sink.url, '--param', 'stars=5');
    expect(param.code).toBe(2);
    expect(param.stderr).toContain('chat-rated has no parameter "stars"');
    const noReceiver = await trigger('chat-opened', '--url', app.url);
    expect(noReceiver.code).toBe(2);
    expect(noReceiver.stderr).toContain('Nothing would receive it');
  });

  it('exits 1 when the receiver does not take the event', async () => {
    sink.respondWith(() => 503);
    try {
      const res = await trigger('chat-assigned', '--url', app.url, '--target', sink.url, '--timeout', '5000');
      expect(res.code).toBe(1);
      expect(res.stdout).toMatch(/chat-assigned\s+retrying\s+HTTP 503/);
      expect(res.stdout).toContain('chat-assigned was not delivered');
    } finally {
      sink.respondWith(() => 200);
    }
  });

  it('with no emulator at --url, starts one there for the event when given a --target', async () => {
    const url = `http://127.0.0.1:${await freePort()}`;
    await using own = await webhookSink();
    const res = await trigger('chat-opened', '--url', url, '--target', own.url, '--only');
    expect(res.code, res.stdout + res.stderr).toBe(0);
    expect(res.stdout).toContain(`no emulator at ${url}; started one in this process`);
    expect(own.received.map((d) => [d.event, d.verified])).toEqual([['chat-opened', true]]);
    const without = await trigger('chat-opened', '--url', url);
    expect(without.code).toBe(2);
    expect(without.stderr).toContain('pass --target URL');
  });
});
