import { spawn } from 'node:child_process';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEmulator, silentLogger, type Emulator } from '../../../src/index.js';
import { VirtualClock } from '../../../src/kernel/clock.js';
import { call, mcpTour, TOOL_NAMES } from '../../helpers/mcp-tour.js';
import { freePort, run } from '../../helpers/spawn.js';
import { testOptions } from '../../helpers/emulator.js';

// The built CLI's mcp command (npm test builds dist/ first).
const MAIN = 'dist/main.js';
const ADMIN = 'mcp-stdio-admin-1';

/** The SDK's stdio client on `guuru-emulator mcp ARGS`; what the server wrote on standard error is collected. */
async function stdio(args: string[]): Promise<{ client: Client; stderr: () => string }> {
  const transport = new StdioClientTransport({
    command: process.execPath,
    args: [MAIN, 'mcp', ...args],
    env: { ...process.env } as Record<string, string>,
    stderr: 'pipe',
  });
  let err = '';
  transport.stderr?.on('data', (chunk: Buffer) => (err += chunk.toString()));
  const client = new Client({ name: 'mcp-stdio-test', version: '1.0.0' });
  await client.connect(transport);
  return { client, stderr: () => err };
}

let emulator: Emulator;
let base: string;
beforeAll(async () => {
  emulator = await createEmulator({
    ...testOptions(),
    port: 0,
    logger: silentLogger,
    adminToken: ADMIN,
    clock: new VirtualClock(Date.UTC(2026, 10, 22, 9)),
  });
  base = await emulator.start();
});
afterAll(() => emulator.stop());

describe('guuru-emulator mcp (stdio)', { timeout: 60_000 }, () => {
  it("serves every tool and document to the SDK's own client for the emulator at --url, each call checked through GraphQL", async () => {
    const { client, stderr } = await stdio(['--url', base, '--admin-token', ADMIN]);
    try {
      await mcpTour(client, base, ADMIN);
      expect(stderr()).toContain(`serving MCP on stdio for the emulator at ${base}`);
    } finally {
      await client.close();
    }
  });

  it('starts an emulator at --url when none answers', async () => {
    const url = `http://127.0.0.1:${await freePort()}`;
    const { client, stderr } = await stdio(['--url', url]);
    try {
      expect((await client.listTools()).tools.map((t) => t.name)).toEqual(TOOL_NAMES);
      const chat = await call(client, 'start_chat', { question: 'Is anyone there?' });
      expect((await call(client, 'list_chats', { status: ['created'] })).chats[0].id).toBe(chat.id);
      expect(stderr()).toContain(`no emulator at ${url}; started one in this process at ${url}`);
      expect((await fetch(`${url}/_emulator/health`)).status).toBe(200);
    } finally {
      await client.close();
    }
  });

  it('ends by itself, exit 0, and stops the emulator it started when its standard input ends', async () => {
    const url = `http://127.0.0.1:${await freePort()}`;
    const child = spawn(process.execPath, [MAIN, 'mcp', '--url', url], { stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    const exited = new Promise<[number | null, NodeJS.Signals | null]>((resolve) =>
      child.once('exit', (code, signal) => resolve([code, signal])),
    );
    child.stdin.end(
      `${JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'x', version: '1' } } })}\n`,
    );
    // Bounded: start-up plus the stop (the emulator drains for at most 2 s).
    const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
    expect(await exited).toEqual([0, null]);
    clearTimeout(timer);
    expect(JSON.parse(out.split('\n')[0]!)).toMatchObject({
      id: 1,
      result: { serverInfo: { name: 'guuru-emulator' } },
    });
    await expect(fetch(`${url}/_emulator/health`)).rejects.toThrow();
  });

  it('answers a tool error (UNAVAILABLE) when the emulator has gone away, and goes on serving', async () => {
    const other = await createEmulator({ ...testOptions(), port: 0, logger: silentLogger });
    const url = await other.start();
    const { client } = await stdio(['--url', url]);
    try {
      await other.stop();
      const answer = (await client.callTool({ name: 'list_chats', arguments: {} })) as {
        isError?: boolean;
        content: { text: string }[];
      };
      expect(answer.isError).toBe(true);
      expect(JSON.parse(answer.content[0]!.text)).toMatchObject({
        code: 'UNAVAILABLE',
        message: expect.stringContaining(`No emulator answers at ${url}`),
      });
      expect((await client.listTools()).tools).toHaveLength(TOOL_NAMES.length);
    } finally {
      await client.close();
    }
  });

  it('exits 2 with what to do when the emulator needs its admin token', async () => {
    const res = await run(process.execPath, [MAIN, 'mcp', '--url', base], { ADMIN_TOKEN: '' });
    expect(res.code).toBe(2);
    expect(res.stdout).toBe('');
    expect(res.stderr).toContain(
      `guuru-emulator mcp: the emulator at ${base} needs its admin token: pass --admin-token or set ADMIN_TOKEN`,
    );
  });
});
