import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { exited, killCycle, missing, writers } from '../../helpers/durability.js';
import { run, spawnUntilListening, type Running } from '../../helpers/spawn.js';
import { webhookSink } from '../../helpers/webhook-sink.js';

// The built CLI with --data, stopped with SIGTERM or killed with SIGKILL, then started again.
const MAIN = 'dist/main.js';
/** The promise of docs/configuration.md: a write acknowledged this long before a crash is in the file. */
const CRASH_PROMISE_MS = 100;

let dir: string;
let file: string;
const running: Running[] = [];
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'guuru-durable-'));
  file = join(dir, 'state.json');
});
afterEach(() => {
  for (const app of running.splice(0)) app.child.kill('SIGKILL');
  rmSync(dir, { recursive: true, force: true });
});

async function startCli(extra: string[] = []): Promise<Running> {
  // NODE_ENV as a user has it: under vitest it is "test", which hides Apollo's own signal handler.
  const app = await spawnUntilListening(
    process.execPath,
    [MAIN, 'start', '--port', '0', '--seed-time', '2026-11-22', '--data', file, ...extra],
    { NODE_ENV: 'production' },
  );
  running.push(app);
  return app;
}

const json = { 'content-type': 'application/json' };
const post = (url: string, body: unknown) => fetch(url, { method: 'POST', headers: json, body: JSON.stringify(body) });

describe('--data keeps what it acknowledged', () => {
  it('SIGTERM under four writers, one of them making tenants: exit 0, every acknowledged write there after a restart, the state in one file', async () => {
    const app = await startCli();
    const load = writers(app.url, ['chat', 'chat', 'chat', 'tenant']);
    while (load.acks.length < 20 || !load.acks.some((a) => a.kind === 'tenant'))
      await new Promise((resolve) => setTimeout(resolve, 10));
    app.child.kill('SIGTERM');
    const code = await exited(app);
    await load.stop();
    expect(code).toBe(0);
    expect(app.output()).toContain('SIGTERM: stopping');
    expect(existsSync(`${file}.log`)).toBe(false);

    const again = await startCli();
    expect(await missing(again.url, load.acks)).toEqual([]);
    console.log(`SIGTERM: ${load.acks.length} acknowledged, 0 lost`);
    expect(await again.stop()).toBe(0);
  });

  it(`kill -9 under four writers, one of them making tenants, three times on a growing file: every write acknowledged more than ${CRASH_PROMISE_MS} ms before the kill survives it`, async () => {
    let app = await startCli(['--max-tenants', '1000']);
    const figures: string[] = [];
    for (let cycle = 0; cycle < 3; cycle++) {
      // Kills at different moments of the load: 500, 800, 1100 ms after it starts.
      const result = await killCycle({
        app,
        file,
        kinds: ['chat', 'chat', 'chat', 'tenant'],
        loadMs: 500 + cycle * 300,
        promiseMs: CRASH_PROMISE_MS,
        restart: () => startCli(['--max-tenants', '1000']),
      });
      app = result.again;
      expect(result.acknowledged).toBeGreaterThan(10);
      expect(result.broken).toEqual([]);
      figures.push(
        `${(result.bytesAtKill / 1e6).toFixed(1)} MB: ${result.acknowledged} acknowledged, ${result.lost.length} lost${result.oldestLossMs === undefined ? '' : ` (oldest ${result.oldestLossMs} ms before the kill)`}`,
      );
    }
    const tenants = ((await (await fetch(`${app.url}/_emulator/tenants`)).json()) as { tenants: unknown[] }).tenants
      .length;
    expect(tenants).toBeGreaterThan(3);
    console.log(`kill -9, ${tenants} tenants at the end: ${figures.join('; ')}`);
    expect(await app.stop()).toBe(0);
    // Three starts of the CLI and three loads: slower than one test's default on a busy machine.
  }, 90_000);
});

describe('ids and Idempotency-Keys never repeat across restarts', () => {
  it('after a clean stop and after kill -9: chat, message, persona, tenant ids, tokens and webhook keys are all new', async () => {
    const sink = await webhookSink();
    const seen = {
      chat: [] as string[],
      message: [] as string[],
      persona: [] as string[],
      tenant: [] as string[],
      token: [] as string[],
      key: [] as string[],
    };
    try {
      for (const ending of ['SIGTERM', 'SIGKILL', 'SIGTERM'] as const) {
        const app = await startCli(['--webhook-url', sink.url]);
        const before = sink.received.length;
        const tenant = (await (await post(`${app.url}/_emulator/tenants`, {})).json()) as { id: string; token: string };
        seen.tenant.push(tenant.id);
        seen.token.push(tenant.token);
        const chat = (await (
          await post(`${app.url}/_emulator/tenants/guuru-qa/chats`, {
            question: 'New after a restart?',
            requestedExperts: ['api'],
          })
        ).json()) as {
          id: string;
          messages: { id: string }[];
        };
        seen.chat.push(chat.id);
        seen.message.push(...chat.messages.map((m) => m.id));
        const message = (await (
          await post(`${app.url}/_emulator/tenants/guuru-qa/chats/${chat.id}/messages`, {
            from: 'user',
            text: 'Hello?',
          })
        ).json()) as { id: string };
        seen.message.push(message.id);
        const persona = await fetch(`${app.url}/graphql`, {
          method: 'POST',
          headers: { ...json, authorization: 'Bearer demo-token' },
          body: JSON.stringify({
            query: `mutation { createPersona(input: { providerId: "agent-${ending}-${seen.chat.length}", name: "Agent" }) }`,
          }),
        }).then((r) => r.json() as Promise<{ data: { createPersona: string } }>);
        seen.persona.push(persona.data.createPersona);
        // chat-assigned and message-created, each with its own key.
        const delivered = await sink.waitFor({ count: before + 2 });
        seen.key.push(...delivered.slice(before).map((r) => String(r.headers['idempotency-key'])));
        app.child.kill(ending);
        await exited(app);
      }
    } finally {
      await sink.close();
    }
    for (const [kind, values] of Object.entries(seen)) {
      expect(values.length, kind).toBeGreaterThanOrEqual(3);
      expect(new Set(values).size, `${kind}: ${values.join(', ')}`).toBe(values.length);
    }
  });
});

describe('an unusable --data path', () => {
  it('is refused at start with exit 2, the path and the fix, and no stack trace', async () => {
    const missing = join(dir, 'no-such-folder', 'state.json');
    const res = await run(process.execPath, [MAIN, 'start', '--port', '0', '--data', missing]);
    expect(res.code).toBe(2);
    expect(res.stderr).toContain(
      `cannot keep state in ${missing}: the folder ${join(dir, 'no-such-folder')} does not exist. Create it (mkdir -p`,
    );
    expect(res.stderr).not.toMatch(/\n\s+at /);
    expect(res.stdout).not.toContain('listening');

    const folder = await run(process.execPath, [MAIN, 'start', '--port', '0'], { DATA_FILE: dir });
    expect(folder.code).toBe(2);
    expect(folder.stderr).toContain(`${dir} is a folder. Pass a file path such as ${dir}/guuru-state.json`);
  });
});
