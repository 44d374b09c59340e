import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { startEmulator, type TestEmulator } from '../../helpers/emulator.js';
import { startReferenceIntegration, type ReferenceIntegration } from '../../helpers/reference-integration.js';

// A chat held by hand against the reference Third Party Messaging integration, through the
// control routes the dashboard's shopper window uses; then the session kept: saved as a scenario
// that replays against the same integration with a passing verdict and the same steps, exported
// and imported into a fresh emulator with the same time line.

let t: TestEmulator;
let integration: ReferenceIntegration;

const control = async (path: string, body?: unknown, method = body === undefined ? 'GET' : 'POST', base = t.url) => {
  const res = await fetch(`${base}/_emulator${path}`, {
    method,
    headers: { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as any };
};
const chatOf = async (id: string) => (await control(`/tenants/guuru-qa/chats/${id}`)).body;
const until = async (what: string, check: () => Promise<boolean>) => {
  // Real time (a live integration over loopback): bounded at 10 s.
  for (let i = 0; i < 200; i += 1) {
    if (await check()) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`timed out waiting for ${what}`);
};
/** A chat's steps as who did what, the time stamps and ids left out. */
const shape = (steps: { event: string; actor: string }[]) => steps.map((s) => `${s.event} by ${s.actor}`);

beforeAll(async () => {
  t = await startEmulator();
  integration = await startReferenceIntegration({ graphqlUrl: `${t.url}/graphql`, closeAfterReplies: 1 });
  await control('/webhooks', { url: integration.url }, 'PUT');
});
afterAll(async () => {
  await integration?.close();
  await t?.stop();
});

describe('a session held by hand, kept as a test', () => {
  let chatId: string;
  let session: any;

  it('the shopper asks, the integration accepts, answers and closes, the shopper rates with a comment', async () => {
    const created = await control('/tenants/guuru-qa/chats', {
      question: 'Does the XL jacket run large?',
      language: 'en',
      user: { name: 'Mia', email: 'mia@example.com' },
      requestedExperts: ['api'],
    });
    expect(created.status).toBe(201);
    chatId = created.body.id;
    await until('the integration to accept', async () => (await chatOf(chatId)).status === 'open');
    expect(
      (await control(`/tenants/guuru-qa/chats/${chatId}/messages`, { from: 'user', text: 'I am usually an L.' }))
        .status,
    ).toBe(201);
    await until('the integration to close', async () => (await chatOf(chatId)).status === 'closed');
    const rated = await control(`/tenants/guuru-qa/chats/${chatId}/rate`, {
      rating: 'good',
      comment: 'Quick and clear',
    });
    expect(rated.body).toMatchObject({ status: 'rated', rating: 'good', ratingComment: 'Quick and clear' });
    // A rated chat takes nothing more: the documented refusal.
    const again = await control(`/tenants/guuru-qa/chats/${chatId}/messages`, { from: 'user', text: 'Hello?' });
    expect(again.status).toBe(409);
  });

  it("exports the session: the chat, its steps, every webhook with its signed body, the integration's calls in order", async () => {
    await control('/deliveries/flush', {});
    const res = await fetch(`${t.url}/_emulator/tenants/guuru-qa/chats/${chatId}/session`);
    expect(res.headers.get('content-disposition')).toBe(`attachment; filename="session-${chatId}.json"`);
    session = await res.json();
    expect(session).toMatchObject({
      format: 'guuru-emulator-session',
      version: 1,
      tenant: 'guuru-qa',
      chat: { id: chatId, status: 'rated' },
    });
    expect(shape(session.steps)).toEqual([
      'chat.created by user',
      'chat.assigned by system',
      'chat.accepted by api',
      'message.created by user',
      'message.created by api',
      'chat.closed by api',
      'chat.rated by user',
    ]);
    expect(session.deliveries.map((d: any) => d.event)).toEqual([
      'chat-assigned',
      'chat-opened',
      'message-created',
      'message-created',
      'chat-closed',
      'chat-rated',
    ]);
    expect(
      session.deliveries.every(
        (d: any) =>
          d.status === 'delivered' &&
          d.idempotencyKey &&
          d.headers['X-Guuru-Hmac-Sha256'] &&
          typeof d.rawBody === 'string',
      ),
    ).toBe(true);
    expect(session.requests.flatMap((r: any) => r.fields.map((f: any) => f.name))).toEqual([
      'acceptChat',
      'sendChatMessage',
      'closeChat',
    ]);
    expect(session.authors[session.chat.expertId]).toEqual({ kind: 'persona', name: 'Anna from Support' });
  });

  it('saves it as a scenario that replays against the same integration: verdict passed, the same steps', async () => {
    const saved = await control(`/tenants/guuru-qa/chats/${chatId}/scenario`, { name: 'jacket-demo', timeout: '10s' });
    expect(saved.status).toBe(201);
    expect(parse(saved.body.yaml).steps).toEqual([
      {
        open: {
          question: 'Does the XL jacket run large?',
          language: 'en',
          user: { name: 'Mia', email: 'mia@example.com' },
        },
      },
      { assign: { experts: ['api'] } },
      { 'wait-until': { event: 'accepted', timeout: '10s' } },
      { message: { from: 'customer', text: 'I am usually an L.' } },
      { 'wait-until': { event: 'closed', timeout: '10s' } },
      { rate: { rating: 'good' } },
    ]);
    const started = await control('/scenarios/jacket-demo/runs', { target: integration.url });
    expect(started.status).toBe(202);
    const run = (await control(`/scenarios/jacket-demo/runs/${started.body.id}?wait=1`)).body;
    expect(run.status).toBe('completed');
    expect(run.verdict).toMatchObject({ passed: true, counts: { failed: 0 } });
    expect(run.verdict.counts.passed).toBeGreaterThan(3);
    const replayed = (await control(`/tenants/guuru-qa/chats/${run.chats[0]}/activity`)).body;
    expect(shape(replayed.steps)).toEqual(shape(session.steps));
    expect(replayed.chat.messages.map((m: any) => m.text)).toEqual(session.chat.messages.map((m: any) => m.text));
  });

  it('imports the export into a fresh emulator, which shows the same time line read-only', async () => {
    const other = await startEmulator();
    try {
      const imported = await control('/sessions', session, 'POST', other.url);
      expect(imported.status).toBe(201);
      const shown = (await control(`/sessions/${imported.body.id}`, undefined, 'GET', other.url)).body;
      expect(shown.steps).toEqual(session.steps);
      expect(shown.deliveries).toEqual(session.deliveries);
      expect(shown.requests).toEqual(session.requests);
      // The fresh emulator's own data is untouched.
      expect((await control(`/tenants/guuru-qa/chats/${chatId}`, undefined, 'GET', other.url)).status).toBe(404);
    } finally {
      await other.stop();
    }
  });
});

describe('bad input changes nothing', () => {
  it('refuses a file that is not a session, naming the field', async () => {
    const before = (await control('/sessions')).body.sessions.length;
    const wrong = await control('/sessions', { format: 'something-else', version: 1 });
    expect(wrong.status).toBe(400);
    expect(wrong.body.message).toMatch(/format/);
    expect((await control('/sessions')).body.sessions).toHaveLength(before);
    expect((await control('/sessions/session-999')).status).toBe(404);
  });

  it('a seeded chat (no recorded steps) cannot be saved as a scenario; a bad name is refused', async () => {
    const seeded = t.emulator.store.tenant('guuru-qa')!.data.chats[0]!.id;
    const refused = await control(`/tenants/guuru-qa/chats/${seeded}/scenario`, {});
    expect(refused.status).toBe(409);
    expect(refused.body.message).toMatch(/no recorded steps/);
    expect((await control(`/tenants/guuru-qa/chats/${seeded}/scenario`, { name: 'Not Kebab' })).status).toBe(400);
  });

  it('personas: listed, created by name, a missing name refused', async () => {
    const made = await control('/tenants/guuru-qa/personas', { name: 'Sam Agent' });
    expect(made.status).toBe(201);
    expect(made.body).toMatchObject({ name: 'Sam Agent', providerId: 'dashboard-sam-agent' });
    expect((await control('/tenants/guuru-qa/personas')).body.personas.map((p: any) => p.name)).toContain('Sam Agent');
    expect((await control('/tenants/guuru-qa/personas', {})).status).toBe(400);
  });
});
