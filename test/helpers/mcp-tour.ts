import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { expect } from 'vitest';
import { ControlApiError, ControlClient } from '../../src/testing/control-client.js';
import { startReferenceIntegration } from './reference-integration.js';
import { startWebhookSink } from './webhook-sink.js';

/** Every tool of the MCP server, in the order it lists them. */
export const TOOL_NAMES = [
  'list_chats',
  'get_chat',
  'start_chat',
  'chat_action',
  'graphql',
  'trigger',
  'run_scenario',
  'verify',
  'subscribe_webhooks',
  'list_deliveries',
  'redeliver',
  'set_faults',
  'advance_clock',
  'snapshot',
  'restore',
  'reset',
  'create_tenant',
];

type ToolAnswer = { isError?: boolean; content: { type: string; text: string }[] };

/** Calls a tool and parses its JSON text; a tool error fails the test with its text. */
export async function call<T = any>(client: Client, name: string, args: Record<string, unknown> = {}): Promise<T> {
  const answer = (await client.callTool({ name, arguments: args }, undefined, { timeout: 60_000 })) as ToolAnswer;
  expect(answer.isError ?? false, `${name}: ${answer.content[0]?.text}`).toBe(false);
  return JSON.parse(answer.content[0]!.text) as T;
}

/** Calls a tool that must fail; resolves with the error body (status, code, message, …). */
export async function callError(client: Client, name: string, args: Record<string, unknown> = {}): Promise<any> {
  const answer = (await client.callTool({ name, arguments: args })) as ToolAnswer;
  expect(answer.isError, `${name} should have failed: ${answer.content[0]?.text}`).toBe(true);
  return JSON.parse(answer.content[0]!.text);
}

/** A GraphQL query straight to the Admin API (not through MCP): how the tests see the state. */
async function gql(url: string, token: string, query: string, variables: Record<string, unknown> = {}): Promise<any> {
  const res = await fetch(`${url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify({ query, variables }),
  });
  const body = (await res.json()) as { data?: any; errors?: unknown };
  expect(body.errors).toBeUndefined();
  return body.data;
}

/** The newest chat of the token's partner. */
const CHAT =
  'query Chat { partner { chats(first: 1, orderBy: { field: createdAt, direction: desc }) { edges { node { id status rating messages { edges { node { ... on TextMessage { text } } } } } } } } }';

/**
 * Lists the tools and calls each one the way an agent would, against the emulator at `url` (on a
 * virtual clock): a whole documented chat, a trigger, a scenario against an integration, a
 * verification, the delivery tools, faults, the clock, snapshots, tenants; each result checked
 * through GraphQL or the control API, each refusal against the API's own code and message.
 */
export async function mcpTour(client: Client, url: string, adminToken: string | undefined): Promise<void> {
  const control = new ControlClient(url, adminToken ? { adminToken } : {}).forTenant('guuru-qa');
  const token = (await control.getTenant()).token;

  const { tools } = await client.listTools();
  expect(tools.map((t) => t.name)).toEqual(TOOL_NAMES);
  for (const t of tools) {
    expect(t.description, t.name).toMatch(/^[^\n]{20,250}$/);
    expect(t.inputSchema.type).toBe('object');
  }
  expect(tools.find((t) => t.name === 'chat_action')!.inputSchema).toMatchObject({
    required: ['chatId', 'action'],
    properties: { action: { enum: ['assign', 'accept', 'message', 'close', 'reopen', 'rate', 'handover', 'miss'] } },
  });

  const sink = await startWebhookSink();
  const integration = await startReferenceIntegration({ graphqlUrl: `${url}/graphql`, token });
  try {
    // A whole chat as docs/mcp.md tells it: subscribed, opened by the customer, taken and closed by the integrator, rated.
    await call(client, 'subscribe_webhooks', { url: sink.url });
    const chat = await call(client, 'start_chat', {
      question: 'Does the blue jacket run small?',
      requestedExperts: ['api'],
    });
    expect(chat.status).toBe('assigned');
    expect((await call(client, 'chat_action', { chatId: chat.id, action: 'accept' })).status).toBe('open');
    // The integrator answers through the Admin API, as an integration does; get_chat shows the call.
    const sent = await call(client, 'graphql', {
      query: 'mutation Send($input: ChatMessageInput!) { sendChatMessage(input: $input) }',
      variables: { input: { chatId: chat.id, posting: { type: 'text', text: 'It does: take one size up.' } } },
    });
    expect(sent.data.sendChatMessage).toBe(true);
    await call(client, 'chat_action', { chatId: chat.id, action: 'message', text: 'Thanks!' });
    await call(client, 'chat_action', { chatId: chat.id, action: 'close' });
    await call(client, 'chat_action', { chatId: chat.id, action: 'rate', rating: 'good' });
    const seen = (await gql(url, token, CHAT)).partner.chats.edges[0].node;
    expect(seen).toMatchObject({ id: chat.id, status: 'rated', rating: 'good' });
    expect(seen.messages.edges.map((e: any) => e.node.text)).toEqual([
      'Does the blue jacket run small?',
      'It does: take one size up.',
      'Thanks!',
    ]);
    await sink.waitFor({ event: 'chat-rated', chatId: chat.id });
    expect(sink.received.filter((w) => w.chatId === chat.id).map((w) => w.event)).toEqual([
      'chat-assigned',
      'chat-opened',
      'message-created',
      'message-created',
      'chat-closed',
      'chat-rated',
    ]);

    const got = await call(client, 'get_chat', { chatId: chat.id });
    expect(got.chat.status).toBe('rated');
    const steps = got.timeline.filter((e: any) => e.kind === 'step');
    expect(steps.map((s: any) => s.webhooks.map((w: any) => w.event)).flat()).toEqual([
      'chat-assigned',
      'chat-opened',
      'message-created',
      'message-created',
      'chat-closed',
      'chat-rated',
    ]);
    expect(got.timeline.filter((e: any) => e.kind === 'api-call').map((e: any) => e.what)).toEqual([
      'POST /graphql Send → 200',
    ]);
    const listed = await call(client, 'list_chats', { status: ['rated'], limit: 5 });
    expect(listed.chats[0].id).toBe(chat.id);
    expect(listed.chats.every((c: any) => c.status === 'rated')).toBe(true);

    // The graphql tool: a query as the tenant, and an API call that get_chat then shows.
    const viaTool = await call(client, 'graphql', { query: CHAT });
    expect(viaTool.data.partner.chats.edges[0].node).toMatchObject({ id: chat.id, status: 'rated' });

    // Errors carry the API's own code and message.
    const twice = await callError(client, 'chat_action', { chatId: chat.id, action: 'accept' });
    const direct = await control.chatAction(chat.id, 'accept').catch((e: ControlApiError) => e);
    expect(direct).toBeInstanceOf(ControlApiError);
    expect(twice).toMatchObject({
      status: (direct as ControlApiError).status,
      code: (direct as ControlApiError).body.code,
      message: (direct as ControlApiError).body.message,
    });
    expect(await callError(client, 'get_chat', { chatId: 'no-such-chat' })).toMatchObject({
      status: 404,
      code: 'NOT_FOUND',
    });
    expect(
      await callError(client, 'chat_action', { chatId: chat.id, action: 'rate', rating: 'bad', as: 'integrator' }),
    ).toMatchObject({ code: 'INVALID_ARGUMENT', argumentName: 'as' });
    expect(await callError(client, 'graphql', { query: '{ nope }' })).toMatchObject({
      code: 'GRAPHQL_VALIDATION_FAILED',
      message: expect.stringContaining('nope'),
    });
    expect(await callError(client, 'run_scenario', { name: 'no-such-scenario' })).toMatchObject({
      status: 404,
      code: 'NOT_FOUND',
      message: expect.stringContaining('happy-path'),
    });

    // Deliveries: listed, redelivered with the same key.
    const deliveries = await call(client, 'list_deliveries', { chatId: chat.id, event: 'chat-rated' });
    expect(deliveries.deliveries).toHaveLength(1);
    const again = await call(client, 'redeliver', { deliveryId: deliveries.deliveries[0].id });
    expect(again.id).not.toBe(deliveries.deliveries[0].id);
    await sink.waitFor({ event: 'chat-rated', chatId: chat.id, count: 2 });
    const rated = sink.received.filter((w) => w.event === 'chat-rated' && w.chatId === chat.id);
    expect(rated[1]!.headers['idempotency-key']).toBe(rated[0]!.headers['idempotency-key']);

    // trigger with only: just the named event reaches the target.
    const fired = await call(client, 'trigger', { event: 'chat-closed', target: sink.url, only: true });
    await sink.waitFor({ event: 'chat-closed', chatId: fired.chatId });
    expect(sink.received.filter((w) => w.chatId === fired.chatId).map((w) => w.event)).toEqual(['chat-closed']);

    // Faults: replaced, then cleared.
    const faults = await call(client, 'set_faults', { faults: [{ kind: 'duplicate', event: 'chat-opened' }] });
    expect(faults.faults).toMatchObject([{ kind: 'duplicate', event: 'chat-opened' }]);
    expect((await control.request<{ faults: unknown[] }>('GET', '/faults')).faults).toHaveLength(1);
    expect((await call(client, 'set_faults', { faults: [] })).faults).toEqual([]);

    // The clock (virtual here).
    const before = (await control.request<{ now: number }>('GET', '/clock')).now;
    expect((await call(client, 'advance_clock', { ms: 60_000 })).now).toBe(before + 60_000);

    // A scenario against the integration, with its verdict; a verification with its report.
    const run = await call(client, 'run_scenario', {
      name: 'third-party-messaging',
      target: integration.url,
      speed: 0,
      seed: 7,
    });
    expect(run).toMatchObject({ status: 'completed', verdict: { passed: true } });
    const report = await call(client, 'verify', {
      target: integration.url,
      suites: ['receiver'],
      timeoutMs: 3_000,
      seed: 3,
    });
    expect(report).toMatchObject({ status: 'passed', suites: ['receiver'] });

    // Snapshots, tenants, reset.
    await call(client, 'snapshot', { name: 'mcp-before' });
    const extra = await call(client, 'start_chat', { question: 'Is this kept?' });
    expect((await call(client, 'restore', { name: 'mcp-before' })).restored.name).toBe('mcp-before');
    expect(await callError(client, 'get_chat', { chatId: extra.id })).toMatchObject({ code: 'NOT_FOUND' });
    const tenant = await call(client, 'create_tenant', { id: 'mcp-team' });
    expect(tenant).toMatchObject({ id: 'mcp-team', token: expect.any(String) });
    expect((await gql(url, tenant.token, '{ partner { id } }')).partner.id).toBeTruthy();
    expect(await callError(client, 'create_tenant', { id: 'mcp-team' })).toMatchObject({ status: 409 });
    expect((await call(client, 'reset', {})).tenants.map((t: any) => t.id)).not.toContain('mcp-team');
    expect((await control.tenants()).map((t) => t.id)).not.toContain('mcp-team');
  } finally {
    await sink.close();
    await integration.close();
  }

  // The documents.
  const { resources } = await client.listResources();
  expect(resources.map((r) => r.name)).toEqual(['webhooks', 'signature', 'scenarios', 'mcp']);
  const signature = await client.readResource({ uri: 'guuru-emulator://docs/webhooks.md#signature' });
  expect((signature.contents[0] as { text: string }).text).toMatch(
    /^\*\*Each delivery\*\*[\s\S]*X-Guuru-Hmac-Sha256[\s\S]*HMAC-SHA256 of the exact body bytes/,
  );
}
