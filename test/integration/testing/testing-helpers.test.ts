import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ControlApiError,
  startEmulator,
  webhookSink,
  type TestEmulator,
  type WebhookSink,
} from '../../../src/testing/index.js';
import { SEED_TIME } from '../../helpers/emulator.js';

// guuru-emulator/testing, used as a user's test file uses it (the packed package is tried in
// test/e2e/package/consumer-project.test.ts).
const CHAT = 'O2bqy2CsAaS7RBXZrhMOB';
const PERSONA = 'ab22a12e-cefd-4f67-945b-c215c42202b4';

describe('startEmulator and webhookSink', () => {
  let sink: WebhookSink;
  let emulator: TestEmulator;
  beforeAll(async () => {
    sink = await webhookSink();
    emulator = await startEmulator({ webhookUrl: sink.url, seedTime: SEED_TIME });
  });
  afterAll(async () => {
    await emulator.stop();
    await sink.close();
  });

  it("gives the seed's first tenant with every credential and URL", async () => {
    expect(emulator).toMatchObject({
      tenant: 'guuru-qa',
      token: 'demo-token',
      secret: 'secr3t',
      apiKey: 'demo-api-key',
      graphqlUrl: `${emulator.url}/graphql`,
      gurusupUrl: `${emulator.url}/gurusup`,
    });
    expect((await emulator.graphql('{ partner { id } }')).data.partner.id).toBe('guuru-qa');
    const threads = await fetch(`${emulator.gurusupUrl}/threads`, { headers: { 'x-api-key': emulator.apiKey } });
    expect(threads.status).toBe(200);
    expect(emulator.emulator?.url).toBe(emulator.url);
  });

  it('waits for the signed webhook of a mutation, filtered by event and chat', async () => {
    const accepted = await emulator.graphql(
      `mutation { acceptChat(id: "${CHAT}", input: { personaId: "${PERSONA}" }) { status } }`,
    );
    expect(accepted.data.acceptChat.status).toBe('open');
    const [opened] = await sink.waitFor({ event: 'chat-opened', chatId: CHAT });
    expect(opened).toMatchObject({
      source: 'guuru',
      event: 'chat-opened',
      chatId: CHAT,
      verified: true,
      status: 200,
      method: 'POST',
      path: '/webhooks',
    });
    expect(opened!.body).toMatchObject({ id: CHAT, status: 'open', expert: { id: PERSONA } });
    expect(opened!.idempotencyKey).toMatch(/^[0-9a-f-]{36}$/);
    expect(JSON.parse(opened!.rawBody)).toEqual(opened!.body);
  });

  it('waits for several, and for a condition', async () => {
    const chat = await emulator.control.createChat({ question: 'Two messages?', requestedExperts: ['api'] });
    await emulator.control.chatAction(chat.id, 'accept');
    for (const text of ['one', 'two']) await emulator.control.chatAction(chat.id, 'messages', { from: 'expert', text });
    const messages = await sink.waitFor({ event: 'message-created', chatId: chat.id, count: 2 });
    expect(messages.map((m) => m.body.text)).toEqual(['one', 'two']);
    const [second] = await sink.waitFor({ event: 'message-created', where: (m) => m.body.text === 'two' });
    expect(second!.body.chat.id).toBe(chat.id);
  });

  it('rejects after the timeout, saying what did arrive and where to look', async () => {
    await expect(sink.waitFor({ event: 'chat-rated', chatId: 'no-such-chat', timeout: 50 })).rejects.toThrow(
      /0 of 1 × chat-rated of chat no-such-chat arrived within 50 ms; received \d+: chat-opened\(O2bqy2CsAaS7RBXZrhMOB\).*Is http:\/\/127\.0\.0\.1:\d+\/webhooks subscribed/,
    );
  });

  it('control calls that fail throw ControlApiError with the status and the message', async () => {
    const error = await emulator.control.chatAction(CHAT, 'rate', { rating: 'good' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ControlApiError);
    expect(error).toMatchObject({ status: 409, body: { code: 'INVALID_TRANSITION' } });
    expect((error as Error).message).toMatch(
      /^POST \/_emulator\/tenants\/guuru-qa\/chats\/O2bqy2CsAaS7RBXZrhMOB\/rate answered 409: Cannot rate chat/,
    );
  });
});

describe('webhookSink checks like the vendor receiver', () => {
  it('answers 400 to a signature made with another secret, so the emulator retries, and marks it unverified', async () => {
    await using sink = await webhookSink({ secret: 'not-the-secret' });
    await using emulator = await startEmulator({
      webhookUrl: sink.url,
      webhookAttempts: 2,
      webhookBackoffMs: 0,
      seedTime: SEED_TIME,
    });
    await emulator.control.chatAction(CHAT, 'accept');
    const attempts = await sink.waitFor({ event: 'chat-opened', count: 2 });
    expect(attempts.map((a) => [a.verified, a.status])).toEqual([
      [false, 400],
      [false, 400],
    ]);
    await emulator.control.flush();
    const [delivery] = await emulator.control.deliveries({ event: 'chat-opened' });
    expect(delivery).toMatchObject({
      status: 'failed',
      attempts: [
        { statusCode: 400, response: 'Invalid request, non-matching HMAC-SHA256 received' },
        { statusCode: 400 },
      ],
    });
  });

  it('answers what respondWith chooses, and records Gurusup events with their key', async () => {
    await using sink = await webhookSink({ apiKey: 'demo-api-key' });
    await using emulator = await startEmulator({
      gurusupWebhookUrl: sink.url,
      webhookBackoffMs: 0,
      seedTime: SEED_TIME,
    });
    sink.respondWith((n) => (n === 1 ? 503 : 200));
    const posted = await fetch(`${emulator.gurusupUrl}/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-api-key': emulator.apiKey },
      body: JSON.stringify({ body: 'Where is my order?', thread_fid: 'order-1', user_fid: 'u1' }),
    });
    expect(posted.status).toBe(201);
    const [failed, retried] = await sink.waitFor({ event: 'send_message', count: 2 });
    expect([failed!.status, retried!.status]).toEqual([503, 200]);
    expect(retried).toMatchObject({ source: 'gurusup', verified: true, chatId: retried!.body.data.thread });
    expect(retried!.body.data.thread_fid).toBe('order-1');
    sink.clear();
    expect(sink.received).toEqual([]);
  });
});

describe('startEmulator({ url }) on an emulator that already runs', () => {
  let shared: TestEmulator;
  beforeAll(async () => {
    shared = await startEmulator({ seedTime: SEED_TIME });
  });
  afterAll(() => shared.stop());

  it('gets a fresh tenant of its own, subscribed to its sink, removed by stop()', async () => {
    await using sink = await webhookSink();
    const attached = await startEmulator({ url: `${shared.url}/`, webhookUrl: sink.url });
    expect(attached.emulator).toBeUndefined();
    expect(attached.url).toBe(shared.url);
    expect(attached.tenant).toMatch(/^tenant-/);
    expect(attached.token).not.toBe('demo-token');
    expect((await attached.graphql('{ partner { id } }')).data.partner.id).toBe(attached.tenant);
    await using fresh = await webhookSink({ secret: attached.secret });
    await attached.control.subscribe(fresh.url, { events: ['chat-assigned'] });
    const chat = await attached.control.createChat({ question: 'Mine only?', requestedExperts: ['api'] });
    const [assigned] = await fresh.waitFor({ event: 'chat-assigned', chatId: chat.id });
    expect(assigned!.verified).toBe(true);
    // The first tenant's events go nowhere near the attached tenant's receiver.
    await shared.control.chatAction(CHAT, 'accept');
    await shared.control.flush();
    expect(fresh.received.map((r) => r.chatId)).toEqual([chat.id]);

    await attached.stop();
    await attached.stop();
    expect((await shared.control.tenants()).map((t) => t.id)).toEqual(['guuru-qa']);
  });

  it('passes the admin token of an emulator that requires one, in process and attached', async () => {
    await using guarded = await startEmulator({ adminToken: 'admin-token-1', seedTime: SEED_TIME });
    expect(guarded.adminToken).toBe('admin-token-1');
    expect((await fetch(`${guarded.url}/_emulator/tenants`)).status).toBe(401);
    expect((await guarded.control.createChat({ question: 'Allowed?' })).id).toBeDefined();
    const attached = await startEmulator({ url: guarded.url, adminToken: 'admin-token-1' });
    expect(attached.tenant).toMatch(/^tenant-/);
    await attached.stop();
    expect((await guarded.control.tenants()).map((x) => x.id)).toEqual(['guuru-qa']);
    await expect(startEmulator({ url: guarded.url })).rejects.toMatchObject({ status: 401 });
  });

  it('reports an emulator that does not answer', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const { port } = closed.address() as AddressInfo;
    await new Promise((resolve) => closed.close(resolve));
    await expect(startEmulator({ url: `http://127.0.0.1:${port}` })).rejects.toThrow(
      `No emulator answers at http://127.0.0.1:${port} (ECONNREFUSED). Is it running, and is the URL right?`,
    );
  });
});
