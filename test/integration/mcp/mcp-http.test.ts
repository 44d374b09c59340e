import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEmulator, silentLogger, type Emulator } from '../../../src/index.js';
import { VirtualClock } from '../../../src/kernel/clock.js';
import { mcpTour } from '../../helpers/mcp-tour.js';
import { testOptions } from '../../helpers/emulator.js';

const ADMIN = 'mcp-admin-token-1';
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

const connect = async (headers: Record<string, string>) => {
  const client = new Client({ name: 'mcp-http-test', version: '1.0.0' });
  await client.connect(
    new StreamableHTTPClientTransport(new URL(`${base}/_emulator/mcp`), { requestInit: { headers } }),
  );
  return client;
};

describe('POST /_emulator/mcp (Streamable HTTP)', { timeout: 60_000 }, () => {
  it("serves every tool and document to the SDK's own client, each call checked through GraphQL", async () => {
    const client = await connect({ authorization: `Bearer ${ADMIN}` });
    try {
      await mcpTour(client, base, ADMIN);
    } finally {
      await client.close();
    }
  });

  it('is behind the admin token and the Origin check, like the rest of the control API', async () => {
    await expect(connect({})).rejects.toThrow(/401/);
    const init = {
      jsonrpc: '2.0',
      id: 1,
      method: 'initialize',
      params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'x', version: '1' } },
    };
    const post = (headers: Record<string, string>) =>
      fetch(`${base}/_emulator/mcp`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream', ...headers },
        body: JSON.stringify(init),
      });
    const refused = await post({});
    expect(refused.status).toBe(401);
    expect(await refused.json()).toMatchObject({ code: 'ADMIN_TOKEN_REQUIRED' });
    const foreign = await post({ authorization: `Bearer ${ADMIN}`, origin: 'https://evil.example' });
    expect(foreign.status).toBe(403);
    expect(await foreign.json()).toMatchObject({ code: 'FORBIDDEN_ORIGIN' });
    const ok = await post({ authorization: `Bearer ${ADMIN}` });
    expect(ok.status).toBe(200);
    expect(await ok.json()).toMatchObject({
      jsonrpc: '2.0',
      id: 1,
      result: { serverInfo: { name: 'guuru-emulator' } },
    });
  });

  it('refuses GET and DELETE (no stream, no session) and a client that does not accept both answer types', async () => {
    const auth = { authorization: `Bearer ${ADMIN}` };
    for (const method of ['GET', 'DELETE']) {
      const res = await fetch(`${base}/_emulator/mcp`, { method, headers: auth });
      expect(res.status).toBe(405);
      expect(res.headers.get('allow')).toBe('POST');
      expect(await res.json()).toMatchObject({
        code: 'METHOD_NOT_ALLOWED',
        message: expect.stringContaining('POST each JSON-RPC message'),
      });
    }
    const res = await fetch(`${base}/_emulator/mcp`, {
      method: 'POST',
      headers: { ...auth, 'content-type': 'application/json', accept: 'application/json' },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list' }),
    });
    expect(res.status).toBe(406);
    expect(await res.json()).toMatchObject({ jsonrpc: '2.0', error: { code: -32000 } });
  });

  it('works bound to every interface (Docker), with the admin token made at start', async () => {
    const wide = await createEmulator({ ...testOptions(), port: 0, host: '0.0.0.0', logger: silentLogger });
    const port = new URL(await wide.start()).port;
    const client = new Client({ name: 'mcp-http-test', version: '1.0.0' });
    try {
      await client.connect(
        new StreamableHTTPClientTransport(new URL(`http://127.0.0.1:${port}/_emulator/mcp`), {
          requestInit: { headers: { authorization: `Bearer ${wide.adminToken}` } },
        }),
      );
      const answer = (await client.callTool({ name: 'list_chats', arguments: { limit: 1 } })) as {
        isError?: boolean;
        content: { text: string }[];
      };
      expect(answer.isError ?? false, answer.content[0]?.text).toBe(false);
      expect(JSON.parse(answer.content[0]!.text)).toMatchObject({
        tenant: 'guuru-qa',
        chats: [expect.objectContaining({ id: expect.any(String) })],
      });
    } finally {
      await client.close();
      await wide.stop();
    }
  });
});
