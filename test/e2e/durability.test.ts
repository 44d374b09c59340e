import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { run, spawnUntilListening, type Running } from '../helpers/spawn.js';
import { webhookSink } from '../helpers/webhook-sink.js';

// The built CLI with --data, stopped with SIGTERM or killed with SIGKILL, then started again.
const MAIN = 'dist/main.js';
/** The README's promise: a write acknowledged this long before a crash is in the file. */
const CRASH_PROMISE_MS = 500;

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
  const app = await spawnUntilListening(process.execPath, [MAIN, 'start', '--port', '0', '--seed-time', '2026-11-22', '--data', file, ...extra], { NODE_ENV: 'production' });
  running.push(app);
  return app;
}

const json = { 'content-type': 'application/json' };
const post = (url: string, body: unknown) => fetch(url, { method: 'POST', headers: json, body: JSON.stringify(body) });

interface Ack {
  chatId: string;
  at: number;
}

/** Four writers creating chats back to back until told to stop; returns each acknowledged write with its time. */
function writers(url: string): { acks: Ack[]; running: (ms: number) => Promise<void>; stop: () => Promise<void> } {
  const acks: Ack[] = [];
  let going = true;
  const loops = [0, 1, 2, 3].map(async (w) => {
    for (let n = 0; going; n++) {
      try {
        const res = await post(`${url}/_emulator/tenants/guuru-qa/chats`, { question: `writer ${w} write ${n}` });
        if (res.status === 201) acks.push({ chatId: ((await res.json()) as { id: string }).id, at: Date.now() });
      } catch {
        return; // the process is gone
      }
    }
  });
  return {
    acks,
    /** Resolves once writes have been acknowledged for `ms`, and at least 20 of them. */
    running: async (ms: number) => {
      while (acks.length < 20 || Date.now() - (acks[0] as Ack).at < ms) await new Promise((resolve) => setTimeout(resolve, 10));
    },
    stop: async () => {
      going = false;
      await Promise.all(loops);
    },
  };
}

const exited = (app: Running) => new Promise<number | null>((resolve) => (app.child.exitCode !== null ? resolve(app.child.exitCode) : app.child.once('exit', (code) => resolve(code))));

async function missing(url: string, acks: Ack[]): Promise<Ack[]> {
  const lost: Ack[] = [];
  for (const ack of acks) {
    const res = await fetch(`${url}/_emulator/tenants/guuru-qa/chats/${ack.chatId}`);
    if (res.status !== 200) lost.push(ack);
  }
  return lost;
}

describe('--data keeps what it acknowledged', () => {
  it('SIGTERM under four writers: exit 0, and every acknowledged write is there after a restart', async () => {
    const app = await startCli();
    const load = writers(app.url);
    await load.running(300);
    app.child.kill('SIGTERM');
    const code = await exited(app);
    await load.stop();
    expect(code).toBe(0);
    expect(app.output()).toContain('SIGTERM: stopping');
    expect(load.acks.length).toBeGreaterThan(10);

    const again = await startCli();
    expect(await missing(again.url, load.acks)).toEqual([]);
    console.log(`SIGTERM: ${load.acks.length} acknowledged, 0 lost`);
    expect(await again.stop()).toBe(0);
  });

  it(`kill -9 under four writers: every write acknowledged more than ${CRASH_PROMISE_MS} ms before the crash survives it`, async () => {
    const app = await startCli();
    const load = writers(app.url);
    await load.running(CRASH_PROMISE_MS + 400);
    const killedAt = Date.now();
    app.child.kill('SIGKILL');
    await exited(app);
    await load.stop();
    expect(load.acks.length).toBeGreaterThan(10);

    const again = await startCli();
    const lost = await missing(again.url, load.acks);
    const promised = load.acks.filter((a) => killedAt - a.at > CRASH_PROMISE_MS);
    expect(promised.length).toBeGreaterThan(0);
    expect(lost.filter((a) => killedAt - a.at > CRASH_PROMISE_MS)).toEqual([]);
    // Ages are from the kill signal: a negative one is an answer that was on its way when it was sent.
    const ages = lost.map((a) => killedAt - a.at);
    console.log(`kill -9: ${load.acks.length} acknowledged, ${lost.length} lost${lost.length ? `, acknowledged ${Math.min(...ages)} to ${Math.max(...ages)} ms before the kill` : ''}`);
    expect(await again.stop()).toBe(0);
  });
});

describe('ids and Idempotency-Keys never repeat across restarts', () => {
  it('after a clean stop and after kill -9: chat, message, persona, tenant ids, tokens and webhook keys are all new', async () => {
    const sink = await webhookSink();
    const seen = { chat: [] as string[], message: [] as string[], persona: [] as string[], tenant: [] as string[], token: [] as string[], key: [] as string[] };
    try {
      for (const ending of ['SIGTERM', 'SIGKILL', 'SIGTERM'] as const) {
        const app = await startCli(['--webhook-url', sink.url]);
        const before = sink.received.length;
        const tenant = (await (await post(`${app.url}/_emulator/tenants`, {})).json()) as { id: string; token: string };
        seen.tenant.push(tenant.id);
        seen.token.push(tenant.token);
        const chat = (await (await post(`${app.url}/_emulator/tenants/guuru-qa/chats`, { question: 'New after a restart?', requestedExperts: ['api'] })).json()) as {
          id: string;
          messages: { id: string }[];
        };
        seen.chat.push(chat.id);
        seen.message.push(...chat.messages.map((m) => m.id));
        const message = (await (await post(`${app.url}/_emulator/tenants/guuru-qa/chats/${chat.id}/messages`, { from: 'user', text: 'Hello?' })).json()) as { id: string };
        seen.message.push(message.id);
        const persona = await fetch(`${app.url}/graphql`, {
          method: 'POST',
          headers: { ...json, authorization: 'Bearer demo-token' },
          body: JSON.stringify({ query: `mutation { createPersona(input: { providerId: "agent-${ending}-${seen.chat.length}", name: "Agent" }) }` }),
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
    expect(res.stderr).toContain(`cannot keep state in ${missing}: the folder ${join(dir, 'no-such-folder')} does not exist. Create it (mkdir -p`);
    expect(res.stderr).not.toMatch(/\n\s+at /);
    expect(res.stdout).not.toContain('listening');

    const folder = await run(process.execPath, [MAIN, 'start', '--port', '0'], { DATA_FILE: dir });
    expect(folder.code).toBe(2);
    expect(folder.stderr).toContain(`${dir} is a folder. Pass a file path such as ${dir}/guuru-state.json`);
  });
});
