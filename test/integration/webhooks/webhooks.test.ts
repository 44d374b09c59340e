import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { VirtualClock } from '../../../src/index.js';
import { SEED_TIME, errorCodes, startEmulator, type TestEmulator } from '../../helpers/emulator.js';
import { webhookSink, type ReceivedWebhook, type WebhookSink } from '../../helpers/webhook-sink.js';

const CHAT = 'O2bqy2CsAaS7RBXZrhMOB';
const PERSONA = 'ab22a12e-cefd-4f67-945b-c215c42202b4';

/** Waits for I/O (never for clock time): polls until `check` holds, failing after 5 s. */
async function until(check: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 5_000;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

const control = async (t: TestEmulator, method: string, path: string, body?: unknown) => {
  const res = await fetch(`${t.url}/_emulator${path}`, {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: res.status, body: (res.status === 204 ? undefined : await res.json()) as any };
};

/** No key of the payload, at any depth, is null (unavailable fields are omitted). */
const hasNoNulls = (value: unknown): boolean =>
  value !== null && (typeof value !== 'object' || Object.values(value as object).every(hasNoNulls));

describe('a third-party tool driven by mutations', () => {
  let sink: WebhookSink;
  let t: TestEmulator;
  beforeAll(async () => {
    sink = await webhookSink();
    t = await startEmulator({ webhookUrl: sink.url });
  });
  afterAll(async () => {
    await t.stop();
    await sink.close();
  });

  it('receives exactly the expected signed events, and they agree with the API', async () => {
    const persona = await t.gql(
      'mutation { createPersona(input: { providerId: "any-unique-agent-id-from-your-system", name: "John Doe" }) }',
    );
    expect(persona.body.data!.createPersona).toBe(PERSONA);
    await t.gql(`mutation { acceptChat(id: "${CHAT}", input: { personaId: "${PERSONA}" }) { id } }`);
    await t.gql(
      `mutation { sendChatMessage(input: { chatId: "${CHAT}", posting: { type: "text", text: "How can I help you ?" } }) }`,
    );
    await t.gql(`mutation { closeChat(id: "${CHAT}") { id } }`);
    await t.gql(`mutation { openChat(id: "${CHAT}") { id } }`);
    await t.gql(`mutation { closeChat(id: "${CHAT}") { id } }`);

    const got = await sink.waitFor({ count: 5 });
    await t.emulator.webhooks.dispatcher.idle();
    expect(sink.received).toHaveLength(5);
    expect(got.map((r) => r.event)).toEqual([
      'chat-opened',
      'message-created',
      'chat-closed',
      'chat-reopened',
      'chat-closed',
    ]);
    for (const r of got) {
      expect(r.verified).toBe(true);
      expect(r.status).toBe(200);
      expect(r.headers['content-type']).toBe('application/json');
      expect(r.headers['x-guuru-hmac-sha256']).toMatch(/^[0-9a-f]{64}$/);
      expect(r.headers['x-guuru-chat-id']).toBe(CHAT);
      expect(hasNoNulls(r.body)).toBe(true);
      expect(Object.keys(r.body)[0]).toBe('id');
    }
    const keys = got.map((r) => r.headers['idempotency-key']);
    expect(new Set(keys).size).toBe(5);

    const [opened, message, closed, reopened, closedAgain] = got as [
      ReceivedWebhook,
      ReceivedWebhook,
      ReceivedWebhook,
      ReceivedWebhook,
      ReceivedWebhook,
    ];
    expect(opened.body).toMatchObject({
      id: CHAT,
      status: 'open',
      expert: { id: PERSONA, name: 'John Doe' },
      user: {
        id: 'owRNDrixHcNnPMVQUKpv2Lj5TQ82',
        isUser: expect.any(Boolean),
        isLead: expect.any(Boolean),
        locale: 'en',
      },
    });
    expect(opened.body.requestedExperts).toBeUndefined();
    expect(opened.body.closedAt).toBeUndefined();
    expect(message.body).toMatchObject({
      type: 'text',
      text: 'How can I help you ?',
      chat: { id: CHAT },
      author: { __typename: 'ExpertAuthor', id: PERSONA },
    });
    expect(closed.body.status).toBe('closed');
    expect(reopened.body.status).toBe('open');
    expect(reopened.body.closedAt).toBeUndefined();

    const read = await t.gql(
      `{ partner { chats(first: 1, orderBy: {field: id, direction: desc}, startDate: ${opened.body.createdAt}, endDate: ${opened.body.createdAt + 1}) { edges { node { id status acceptedAt closedAt messages(first: 100) { edges { node { id } } } } } } } }`,
    );
    const chat = read.body.data!.partner.chats.edges.find((e: any) => e.node.id === CHAT)?.node;
    expect(chat).toMatchObject({
      status: 'closed',
      acceptedAt: opened.body.acceptedAt,
      closedAt: closedAgain.body.closedAt,
    });
    expect(chat.messages.edges.map((e: any) => e.node.id)).toContain(message.body.id);

    const log = await control(t, 'GET', `/deliveries?chatId=${CHAT}`);
    expect(log.body.deliveries.map((d: any) => [d.event, d.status, d.attempts.length])).toEqual(
      got.map((r) => [r.event, 'delivered', 1]),
    );
  });

  it('fires nothing for refused mutations', async () => {
    const before = sink.received.length;
    const refused = [
      await t.gql(`mutation { acceptChat(id: "${CHAT}", input: { personaId: "${PERSONA}" }) { id } }`),
      await t.gql(`mutation { closeChat(id: "${CHAT}") { id } }`),
      await t.gql(
        `mutation { sendChatMessage(input: { chatId: "${CHAT}", posting: { type: "text", text: "closed" } }) }`,
      ),
      await t.gql('mutation { closeChat(id: "unknown") { id } }'),
    ];
    expect(refused.flatMap(errorCodes)).toEqual([
      'CHAT_ALREADY_ACCEPTED',
      'INVALID_STATE_TRANSITION',
      'CHAT_NOT_OPEN',
      'NOT_FOUND',
    ]);
    // A change after the refusals is the next thing the receiver sees.
    await t.gql(`mutation { openChat(id: "${CHAT}") { id } }`);
    const next = await sink.waitFor({ count: before + 1 });
    await t.emulator.webhooks.dispatcher.idle();
    expect(sink.received.slice(before).map((r) => r.event)).toEqual(['chat-reopened']);
    expect(next.at(-1)!.body.status).toBe('open');
  });

  it('control-API actions of the other parties fire their webhooks in order', async () => {
    const before = sink.received.length;
    const created = await control(t, 'POST', '/tenants/guuru-qa/chats', {
      question: 'Does this come in blue?',
      language: 'de',
      requestedExperts: ['api'],
    });
    expect(created.status).toBe(201);
    const id = created.body.id as string;
    expect((await control(t, 'POST', `/tenants/guuru-qa/chats/${id}/messages`, { text: 'Hallo?' })).status).toBe(201);
    await t.gql(`mutation { acceptChat(id: "${id}") { id } }`);
    await control(t, 'POST', `/tenants/guuru-qa/chats/${id}/handover`, {
      reason: 'Needs an agent',
      receiver: 'laura.meier@guuru-qa.example',
    });
    await control(t, 'POST', `/tenants/guuru-qa/chats/${id}/rate`, { rating: 'good' });
    const got = (await sink.waitFor({ count: before + 5 })).slice(before);
    expect(got.map((r) => r.event)).toEqual([
      'chat-assigned',
      'message-created',
      'chat-opened',
      'chat-transferred',
      'chat-rated',
    ]);
    const [assigned, message, opened, transferred, rated] = got as ReceivedWebhook[] as [
      ReceivedWebhook,
      ReceivedWebhook,
      ReceivedWebhook,
      ReceivedWebhook,
      ReceivedWebhook,
    ];
    expect(Object.keys(assigned.body).slice(0, 3)).toEqual(['id', 'requestedExperts', 'status']);
    expect(assigned.body).toMatchObject({
      id,
      requestedExperts: ['api'],
      status: 'assigned',
      language: 'de',
      question: 'Does this come in blue?',
    });
    expect(message.body).toMatchObject({ text: 'Hallo?', author: { __typename: 'UserAuthor' }, chat: { id } });
    expect(opened.body.expert).toMatchObject({ id: 'api' });
    expect(transferred.body).toMatchObject({
      status: 'handover',
      transfer: { reason: 'Needs an agent', receiver: 'laura.meier@guuru-qa.example' },
    });
    expect(rated.body).toMatchObject({ status: 'rated', rating: 'good', ratedAt: expect.any(Number) });
    expect(got.every((r) => r.verified)).toBe(true);
  });

  it('control-API: a guuru accepts, writes and closes, the customer reopens; a missed chat fires no webhook', async () => {
    await t.emulator.webhooks.dispatcher.idle();
    const before = sink.received.length;
    const guuru = t.emulator.store.tenant('guuru-qa')!.data.experts.find((e) => e.kind === 'guuru' && e.isMember)!;
    const chat = (
      await control(t, 'POST', '/tenants/guuru-qa/chats', { question: 'Which size?', requestedExperts: [guuru.id] })
    ).body;
    expect(
      (await control(t, 'POST', `/tenants/guuru-qa/chats/${chat.id}/accept`, { expertId: guuru.id })).body,
    ).toMatchObject({ status: 'open', expertId: guuru.id });
    expect(
      (await control(t, 'POST', `/tenants/guuru-qa/chats/${chat.id}/messages`, { from: 'expert', text: 'Take M.' }))
        .status,
    ).toBe(201);
    expect(
      (
        await control(t, 'POST', `/tenants/guuru-qa/chats/${chat.id}/messages`, {
          from: 'bot',
          text: 'Internal note',
          hideForUser: true,
        })
      ).body,
    ).toMatchObject({ author: { kind: 'bot' }, hideForUser: true });
    expect((await control(t, 'POST', `/tenants/guuru-qa/chats/${chat.id}/close`, { by: 'expert' })).body.status).toBe(
      'closed',
    );
    expect((await control(t, 'POST', `/tenants/guuru-qa/chats/${chat.id}/reopen`, {})).body.status).toBe('open');
    const missed = (
      await control(t, 'POST', '/tenants/guuru-qa/chats', { question: 'Anyone?', requestedExperts: ['api'] })
    ).body;
    expect((await control(t, 'POST', `/tenants/guuru-qa/chats/${missed.id}/miss`, {})).body.status).toBe('missed');
    const flushed = await control(t, 'POST', '/deliveries/flush', { timeoutMs: 5_000 });
    expect(flushed).toMatchObject({ status: 200, body: { idle: true } });
    const got = sink.received.slice(before);
    expect(got.filter((r) => r.headers['x-guuru-chat-id'] === chat.id).map((r) => r.event)).toEqual([
      'chat-assigned',
      'chat-opened',
      'message-created',
      'message-created',
      'chat-closed',
      'chat-reopened',
    ]);
    expect(got.filter((r) => r.headers['x-guuru-chat-id'] === missed.id).map((r) => r.event)).toEqual([
      'chat-assigned',
    ]);
    const message = got.find((r) => r.body.text === 'Take M.')!;
    expect(message.body.author).toMatchObject({ __typename: 'ExpertAuthor', id: guuru.id, name: guuru.name });
    const stored = (await control(t, 'GET', `/tenants/guuru-qa/chats/${missed.id}`)).body;
    expect(stored).toMatchObject({ id: missed.id, status: 'missed' });
  });

  it('refuses bad control-API actions with a JSON error and fires nothing', async () => {
    await t.emulator.webhooks.dispatcher.idle();
    const before = sink.received.length;
    const rated = t.emulator.store.tenant('guuru-qa')!.data.chats.find((c) => c.status === 'rated')!;
    const rerate = await control(t, 'POST', `/tenants/guuru-qa/chats/${rated.id}/rate`, { rating: 'bad' });
    expect(rerate.status).toBe(409);
    expect(rerate.body).toMatchObject({ statusCode: 409, code: 'INVALID_TRANSITION', currentStatus: 'rated' });
    expect((await control(t, 'POST', `/tenants/guuru-qa/chats/${rated.id}/rate`, { rating: 'great' })).status).toBe(
      400,
    );
    expect((await control(t, 'POST', `/tenants/guuru-qa/chats/${rated.id}/dance`, {})).status).toBe(400);
    expect((await control(t, 'POST', '/tenants/guuru-qa/chats/nope/close', {})).status).toBe(404);
    expect(
      (await control(t, 'POST', '/tenants/guuru-qa/chats', { question: 'x', requestedExperts: ['ghost'] })).status,
    ).toBe(400);
    await t.emulator.webhooks.dispatcher.idle();
    expect(sink.received.length).toBe(before);
  });
});

describe('subscriptions and options', () => {
  let sink: WebhookSink;
  let t: TestEmulator;
  beforeAll(async () => {
    sink = await webhookSink();
    t = await startEmulator();
  });
  afterAll(async () => {
    await t.stop();
    await sink.close();
  });
  beforeEach(async () => {
    await control(t, 'POST', '/reset');
  });

  const openTheChat = () => t.gql(`mutation { acceptChat(id: "${CHAT}", input: { personaId: "${PERSONA}" }) { id } }`);

  it('sends nothing until subscribed, then only active events with a URL', async () => {
    const settings = await control(t, 'GET', '/webhooks');
    expect(settings.body).toMatchObject({
      tenant: 'guuru-qa',
      secret: 'secr3t',
      signed: true,
      requestedExperts: 'ids',
      eventNames: 'current',
    });
    expect(settings.body.events['chat-opened']).toEqual({ url: '', active: false });
    await openTheChat();
    expect(t.emulator.webhooks.dispatcher.log.list()).toHaveLength(0);

    const put = await control(t, 'PUT', '/webhooks', {
      events: { 'chat-closed': { url: sink.url }, 'chat-reopened': { url: sink.url, active: false } },
    });
    expect(put.status).toBe(200);
    expect(put.body.events['chat-closed']).toEqual({ url: sink.url, active: true });
    await t.gql(`mutation { closeChat(id: "${CHAT}") { id } }`);
    await t.gql(`mutation { openChat(id: "${CHAT}") { id } }`);
    await t.emulator.webhooks.dispatcher.idle();
    expect(t.emulator.webhooks.dispatcher.log.list().map((d) => d.event)).toEqual(['chat-closed']);
    await control(t, 'PUT', '/webhooks', { url: null });
  });

  it('takes subscriptions from the fixtures, and keeps them across a reset', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'fixtures-'));
    try {
      cpSync('fixtures', dir, { recursive: true });
      const tenants = JSON.parse(readFileSync(join(dir, 'tenants.json'), 'utf8'));
      tenants.tenants[0].webhooks = {
        events: { 'chat-opened': { url: sink.url, active: true }, 'chat-closed': { url: sink.url, active: false } },
      };
      writeFileSync(join(dir, 'tenants.json'), JSON.stringify(tenants));
      const fromFixtures = await startEmulator({ fixtures: dir });
      try {
        const settings = (await control(fromFixtures, 'GET', '/webhooks')).body;
        expect(settings.events['chat-opened']).toEqual({ url: sink.url, active: true });
        expect(settings.events['chat-closed']).toEqual({ url: sink.url, active: false });
        await control(fromFixtures, 'POST', '/reset');
        const before = sink.received.length;
        await fromFixtures.gql(`mutation { acceptChat(id: "${CHAT}", input: { personaId: "${PERSONA}" }) { id } }`);
        await fromFixtures.gql(`mutation { closeChat(id: "${CHAT}") { id } }`);
        await fromFixtures.emulator.webhooks.dispatcher.idle();
        expect(sink.received.slice(before).map((r) => r.event)).toEqual(['chat-opened']);
      } finally {
        await fromFixtures.stop();
      }
      tenants.tenants[0].webhooks = { events: { 'chat-melted': { url: sink.url } } };
      writeFileSync(join(dir, 'tenants.json'), JSON.stringify(tenants));
      await expect(startEmulator({ fixtures: dir })).rejects.toThrow(
        /tenants\.json is invalid: tenants\.0\.webhooks\.events/,
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('validates settings', async () => {
    expect((await control(t, 'PUT', '/webhooks', { url: 'not a url' })).status).toBe(400);
    expect((await control(t, 'PUT', '/webhooks', { events: { 'chat-exploded': { url: sink.url } } })).status).toBe(400);
    expect((await control(t, 'PUT', '/webhooks', { tenant: 'nobody', url: sink.url })).status).toBe(404);
    expect((await control(t, 'GET', '/webhooks')).body.events['chat-opened'].url).toBe('');
  });

  it('offers legacy event names, object-shaped requestedExperts and a different secret', async () => {
    const other = await webhookSink({ secret: 'another-secret' });
    await control(t, 'PUT', '/tenants/guuru-qa/webhooks', {
      url: other.url,
      eventNames: 'legacy',
      requestedExperts: 'objects',
      secret: 'another-secret',
    });
    const created = await control(t, 'POST', '/tenants/guuru-qa/chats', {
      question: 'Blue?',
      requestedExperts: ['api'],
    });
    const id = created.body.id as string;
    await t.gql(`mutation { acceptChat(id: "${id}") { id } }`);
    await t.gql(`mutation { closeChat(id: "${id}") { id } }`);
    await control(t, 'POST', `/tenants/guuru-qa/chats/${id}/rate`, { rating: 'average' });
    const got = await other.waitFor({ count: 4 });
    await other.close();
    expect(got.map((r) => r.event)).toEqual(['chat-assigned', 'chat-opened', 'chat-closed', 'chatRated']);
    expect(got[0]!.body.requestedExperts).toEqual([{ id: 'api', name: expect.any(String) }]);
    expect(got.every((r) => r.verified)).toBe(true);
    expect((await control(t, 'GET', '/tenants/guuru-qa')).body.webhookSecret).toBe('another-secret');
    await control(t, 'PUT', '/tenants/guuru-qa/webhooks', {
      url: null,
      eventNames: 'current',
      requestedExperts: 'ids',
      secret: 'secr3t',
    });
  });

  it('sends no signature header when the secret is empty', async () => {
    await control(t, 'PUT', '/webhooks', { url: sink.url, secret: '' });
    const before = sink.received.length;
    await openTheChat();
    const [got] = (await sink.waitFor({ count: before + 1 })).slice(before);
    expect(got!.headers['x-guuru-hmac-sha256']).toBeUndefined();
    await control(t, 'PUT', '/webhooks', { url: null, secret: 'secr3t' });
  });

  it('filters the delivery log and keeps it bounded', async () => {
    const small = await startEmulator({ webhookUrl: sink.url, deliveryLogSize: 3 });
    try {
      const created = await control(small, 'POST', '/tenants/guuru-qa/chats', {
        question: 'Q?',
        requestedExperts: ['api'],
      });
      const id = created.body.id as string;
      await small.gql(`mutation { acceptChat(id: "${id}") { id } }`);
      for (let i = 0; i < 4; i++)
        await control(small, 'POST', `/tenants/guuru-qa/chats/${id}/messages`, { text: `m${i}` });
      await small.emulator.webhooks.dispatcher.idle();
      const all = await control(small, 'GET', '/deliveries');
      expect(all.body.deliveries).toHaveLength(3);
      expect(all.body.log).toMatchObject({ limit: 3, evicted: 3 });
      const byEvent = await control(small, 'GET', '/deliveries?event=message-created&status=delivered');
      expect(byEvent.body.deliveries.map((d: any) => d.body.text)).toEqual(['m1', 'm2', 'm3']);
      expect((await control(small, 'GET', '/deliveries?status=exploded')).status).toBe(400);
      expect((await control(small, 'GET', '/deliveries/1')).status).toBe(404);
    } finally {
      await small.stop();
    }
  });
});

describe('retries, redelivery and faults on a virtual clock', () => {
  let sink: WebhookSink;
  let t: TestEmulator;
  let clock: VirtualClock;
  beforeEach(async () => {
    sink = await webhookSink();
    clock = new VirtualClock(SEED_TIME + 3_600_000);
    t = await startEmulator({ clock, webhookUrl: sink.url, webhookAttempts: 4, webhookBackoffMs: 1_000 });
  });
  afterEach(async () => {
    await t.stop();
    await sink.close();
  });

  const dispatcher = () => t.emulator.webhooks.dispatcher;
  const attemptsMade = () =>
    dispatcher()
      .log.list()
      .reduce((n, d) => n + d.attempts.length, 0);
  const openTheChat = () => t.gql(`mutation { acceptChat(id: "${CHAT}", input: { personaId: "${PERSONA}" }) { id } }`);
  /** Moves the virtual clock past the longest backoff step, then waits for the attempt's I/O. */
  const nextAttempt = async (expected: number) => {
    clock.advance(8_000);
    await until(() => attemptsMade() >= expected, `attempt ${expected}`);
  };

  it('retries a failing receiver with one key and one body until it succeeds', async () => {
    sink.respondWith((n) => (n <= 2 ? 503 : 200));
    await openTheChat();
    await until(() => attemptsMade() === 1, 'first attempt');
    const [delivery] = dispatcher().log.list();
    expect(delivery!.status).toBe('retrying');
    expect(delivery!.nextAttemptAt! - clock.now()).toBeGreaterThanOrEqual(500);
    expect(delivery!.nextAttemptAt! - clock.now()).toBeLessThanOrEqual(1_000);
    await nextAttempt(2);
    await nextAttempt(3);
    await dispatcher().idle();
    expect(sink.received.map((r) => r.status)).toEqual([503, 503, 200]);
    expect(new Set(sink.received.map((r) => r.headers['idempotency-key'])).size).toBe(1);
    expect(new Set(sink.received.map((r) => r.rawBody)).size).toBe(1);
    expect(sink.received.every((r) => r.verified)).toBe(true);
    const logged = (await control(t, 'GET', `/deliveries/${delivery!.id}`)).body;
    expect(logged.status).toBe('delivered');
    expect(logged.attempts.map((a: any) => a.statusCode)).toEqual([503, 503, 200]);
    expect(logged.attempts.every((a: any) => typeof a.at === 'number' && typeof a.durationMs === 'number')).toBe(true);
  });

  it('marks an event failed after the last attempt, and redelivers it on request', async () => {
    sink.respondWith(() => 500);
    await openTheChat();
    await until(() => attemptsMade() === 1, 'first attempt');
    for (let n = 2; n <= 4; n++) await nextAttempt(n);
    await dispatcher().idle();
    const failed = await control(t, 'GET', '/deliveries?status=failed');
    expect(failed.body.deliveries).toHaveLength(1);
    const original = failed.body.deliveries[0];
    expect(original.attempts).toHaveLength(4);
    expect(original.attempts.every((a: any) => a.statusCode === 500 && a.response === 'Failure')).toBe(true);

    sink.respondWith(() => 200);
    const redelivered = await control(t, 'POST', `/deliveries/${original.id}/redeliver`, {});
    expect(redelivered.status).toBe(202);
    expect(redelivered.body).toMatchObject({
      redeliveryOf: original.id,
      idempotencyKey: original.idempotencyKey,
      rawBody: original.rawBody,
    });
    await dispatcher().idle();
    const last = sink.received.at(-1)!;
    expect(last.status).toBe(200);
    expect(last.headers['idempotency-key']).toBe(original.idempotencyKey);
    expect(last.headers['x-guuru-hmac-sha256']).toBe(original.headers['X-Guuru-Hmac-Sha256']);
    expect((await control(t, 'GET', `/deliveries/${redelivered.body.id}`)).body.status).toBe('delivered');
    // The key a receiver logged finds the delivery and its redelivery, and nothing else.
    const byKey = await control(t, 'GET', `/deliveries?idempotencyKey=${last.headers['idempotency-key']}`);
    expect(byKey.body.deliveries.map((d: any) => d.id)).toEqual([original.id, redelivered.body.id]);
    expect((await control(t, 'GET', '/deliveries?idempotencyKey=not-a-key')).body.deliveries).toEqual([]);
    expect((await control(t, 'POST', '/deliveries/99999/redeliver', {})).status).toBe(404);
  });

  it('counts a hanging receiver as a timeout and a refused connection as an error, and retries both', async () => {
    // The timeout is wall-clock time (it bounds a real exchange), so this test waits 300 ms.
    await control(t, 'PUT', '/webhooks/policy', { timeoutMs: 300 });
    sink.respondWith((n) => (n === 1 ? 'hang' : 200));
    await openTheChat();
    await until(() => attemptsMade() === 1, 'the timeout');
    expect(dispatcher().log.list()[0]!.attempts[0]!.error).toMatch(/timeout/);
    await nextAttempt(2);
    await dispatcher().idle();
    expect(dispatcher().log.list()[0]!.status).toBe('delivered');

    await control(t, 'PUT', '/webhooks', { url: 'http://127.0.0.1:9/refused' });
    await t.gql(`mutation { closeChat(id: "${CHAT}") { id } }`);
    await until(() => attemptsMade() === 3, 'the refused attempt');
    const refused = dispatcher().log.list({ event: 'chat-closed' })[0]!;
    expect(refused.attempts[0]!.error).toMatch(/ECONNREFUSED/);
    expect(refused.status).toBe('retrying');
  });

  it('faults: duplicate, drop the first attempt, delay, reorder', async () => {
    expect((await control(t, 'POST', '/faults', { kind: 'duplicate', event: 'chat-opened' })).status).toBe(201);
    await openTheChat();
    await until(() => sink.received.length === 2, 'the duplicate');
    expect(sink.received.map((r) => r.event)).toEqual(['chat-opened', 'chat-opened']);
    expect(sink.received[0]!.headers['idempotency-key']).toBe(sink.received[1]!.headers['idempotency-key']);
    expect(sink.received[0]!.rawBody).toBe(sink.received[1]!.rawBody);

    await control(t, 'POST', '/faults', { kind: 'drop-first-attempt', event: 'message-created' });
    await t.gql(`mutation { sendChatMessage(input: { chatId: "${CHAT}", posting: { type: "text", text: "one" } }) }`);
    await until(
      () => dispatcher().log.list({ event: 'message-created' })[0]?.attempts.length === 1,
      'the dropped attempt',
    );
    expect(dispatcher().log.list({ event: 'message-created' })[0]!.attempts[0]!.fault).toBe('drop-first-attempt');
    expect(sink.received).toHaveLength(2);
    clock.advance(8_000);
    await until(() => sink.received.length === 3, 'the retry');
    expect(sink.received[2]!.body.text).toBe('one');

    await control(t, 'POST', '/faults', { kind: 'delay', event: 'message-created', delayMs: 30_000 });
    await t.gql(
      `mutation { sendChatMessage(input: { chatId: "${CHAT}", posting: { type: "text", text: "delayed" } }) }`,
    );
    await t.gql(
      `mutation { sendChatMessage(input: { chatId: "${CHAT}", posting: { type: "text", text: "behind it" } }) }`,
    );
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(sink.received).toHaveLength(3);
    clock.advance(30_000);
    await until(() => sink.received.length === 5, 'the delayed messages');
    expect(sink.received.slice(3).map((r) => r.body.text)).toEqual(['delayed', 'behind it']);

    await control(t, 'POST', '/faults', { kind: 'reorder', event: 'message-created' });
    await t.gql(`mutation { sendChatMessage(input: { chatId: "${CHAT}", posting: { type: "text", text: "first" } }) }`);
    await t.gql(
      `mutation { sendChatMessage(input: { chatId: "${CHAT}", posting: { type: "text", text: "second" } }) }`,
    );
    await until(() => sink.received.length === 7, 'the reordered pair');
    expect(sink.received.slice(5).map((r) => r.body.text)).toEqual(['second', 'first']);

    const faults = (await control(t, 'GET', '/faults')).body.faults;
    expect(faults.map((f: any) => [f.kind, f.applied, f.remaining])).toEqual([
      ['duplicate', 1, 0],
      ['drop-first-attempt', 1, 0],
      ['delay', 1, 0],
      ['reorder', 1, 0],
    ]);
    expect((await control(t, 'DELETE', '/faults')).body).toEqual({ removed: 4 });
    expect((await control(t, 'POST', '/faults', { kind: 'explode' })).status).toBe(400);
  });

  it('never blocks or fails the API call, even when the receiver is down', async () => {
    await control(t, 'PUT', '/webhooks', { url: 'http://127.0.0.1:9/down' });
    const res = await openTheChat();
    expect(res.body.data!.acceptChat).toEqual({ id: CHAT });
    expect(res.body.errors).toBeUndefined();
  });
});
