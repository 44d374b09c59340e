import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  ControlApiError,
  startEmulator,
  webhookSink,
  type TestEmulator,
  type WebhookSink,
} from '../../../src/testing/index.js';
import { SEED_TIME } from '../../helpers/emulator.js';
import { TRIGGER_CHAINS } from '../../helpers/trigger-chains.js';

const CHAINS = TRIGGER_CHAINS;
const STATUS_AFTER = {
  'chat-assigned': 'assigned',
  'chat-opened': 'open',
  'message-created': 'open',
  'chat-closed': 'closed',
  'chat-reopened': 'open',
  'chat-transferred': 'handover',
  'chat-rated': 'rated',
};
const failure = (promise: Promise<unknown>) =>
  promise.then(
    () => undefined,
    (e: unknown) => e as ControlApiError,
  );

let t: TestEmulator;
let sink: WebhookSink;
beforeAll(async () => {
  t = await startEmulator({ seedTime: SEED_TIME, webhookBackoffMs: 10_000 });
  sink = await webhookSink();
});
afterAll(async () => {
  await t.stop();
  await sink.close();
});
beforeEach(() => {
  sink.clear();
  sink.respondWith(() => 200);
});

describe('trigger', () => {
  for (const [event, chain] of Object.entries(CHAINS)) {
    it(`${event}: delivers its prerequisites then the event, signed, for one new chat; --only delivers the event alone`, async () => {
      const all = await t.control.trigger(event, { target: sink.url });
      expect(all).toMatchObject({ event, tenant: 'guuru-qa', target: sink.url, only: false, delivered: true });
      expect(sink.received.map((d) => d.event)).toEqual(chain);
      expect(sink.received.every((d) => d.verified && d.chatId === all.chatId && d.status === 200)).toBe(true);
      expect(all.deliveries.map((d) => [d.event, d.status])).toEqual(chain.map((e) => [e, 'delivered']));
      const last = sink.received.at(-1)!;
      if (last.event === 'message-created') expect(last.body.chat.id).toBe(all.chatId);
      else if (last.event !== 'send_message')
        expect(last.body).toMatchObject({ id: all.chatId, status: STATUS_AFTER[event as keyof typeof CHAINS] });
      // The state change is real: the Admin API reads the chat in the state the event announced.
      const stored = await t.control.chat(all.chatId!);
      expect(stored.status).toBe(STATUS_AFTER[event as keyof typeof CHAINS]);

      sink.clear();
      const only = await t.control.trigger(event, { target: sink.url, only: true });
      expect(only.delivered).toBe(true);
      expect(sink.received.map((d) => [d.event, d.chatId, d.verified])).toEqual([[event, only.chatId, true]]);
      expect(only.steps.filter((s) => s.sent && s.event).map((s) => s.event)).toEqual([event]);
      expect((await t.control.chat(only.chatId!)).status).toBe(STATUS_AFTER[event as keyof typeof CHAINS]);
    });
  }

  it("send_message: the organisation's send-message event with its API key, for a new thread", async () => {
    await using gurusup = await webhookSink({ apiKey: t.apiKey });
    const result = await t.control.trigger('send_message', { target: gurusup.url });
    expect(result.delivered).toBe(true);
    expect(gurusup.received).toHaveLength(1);
    const [delivery] = gurusup.received;
    expect(delivery).toMatchObject({
      source: 'gurusup',
      event: 'send_message',
      verified: true,
      chatId: result.thread!.hash,
    });
    expect(delivery!.body).toMatchObject({
      event: 'send_message',
      data: { thread_fid: result.thread!.fid, is_customer_support_agent: true },
    });
    const thread = await fetch(`${t.gurusupUrl}/threads/${result.thread!.hash}`, {
      headers: { 'x-api-key': t.apiKey },
    });
    expect(((await thread.json()) as { messages: unknown[] }).messages).toHaveLength(2);
  });

  it("goes to the tenant's subscriptions without a target, and takes the older names and params", async () => {
    await t.control.subscribe(sink.url);
    try {
      const rated = await t.control.trigger('chatRated', {
        params: { rating: 'bad', question: 'Is this the right size?', language: 'de' },
        only: true,
      });
      const [delivery] = await sink.waitFor({ event: 'chat-rated', chatId: rated.chatId });
      expect(delivery!.body).toMatchObject({
        rating: 'bad',
        question: 'Is this the right size?',
        language: 'de',
        user: { locale: 'de' },
      });
      expect(rated.target).toBeNull();
      const message = await t.control.trigger('message-created', { params: { text: 'Is it waterproof?' }, only: true });
      const [m] = await sink.waitFor({ event: 'message-created', chatId: message.chatId });
      expect(m!.body).toMatchObject({ text: 'Is it waterproof?', author: { __typename: 'UserAuthor' } });
    } finally {
      await t.control.subscribe('');
    }
  });

  it('reports a receiver that fails: delivered false, the status it answered', async () => {
    sink.respondWith(() => 500);
    const result = await t.control.trigger('chat-assigned', { target: sink.url });
    expect(result.delivered).toBe(false);
    expect(result.deliveries).toMatchObject([{ event: 'chat-assigned', status: 'retrying', lastStatusCode: 500 }]);
  });

  it('refuses an unknown event, an unknown or bad param, or no receiver, with what to do, changing nothing', async () => {
    const chats = (await t.control.getTenant()).counts.chats;
    const unknown = await failure(t.control.trigger('chat-deleted', { target: sink.url }));
    expect(unknown).toMatchObject({
      status: 400,
      body: {
        message: expect.stringContaining(
          'Unknown event "chat-deleted". Events: chat-assigned, chat-opened, message-created, chat-closed, chat-reopened, chat-transferred, chat-rated, send_message.',
        ),
      },
    });
    const param = await failure(t.control.trigger('chat-rated', { target: sink.url, params: { stars: 5 } }));
    expect(param).toMatchObject({
      status: 400,
      body: {
        message: expect.stringMatching(
          /^chat-rated has no parameter "stars". Parameters: question .*rating \(good, average, bad/,
        ),
      },
    });
    expect(
      await failure(t.control.trigger('chat-rated', { target: sink.url, params: { rating: 'great' } })),
    ).toMatchObject({ status: 400 });
    expect(
      await failure(t.control.trigger('chat-opened', { target: sink.url, params: { persona: 'nobody' } })),
    ).toMatchObject({ status: 400 });
    const none = await failure(t.control.trigger('chat-opened'));
    expect(none).toMatchObject({
      status: 409,
      body: {
        message: expect.stringContaining(
          'Nothing would receive it: the tenant guuru-qa has no active subscription for chat-opened. Pass a target (--target URL)',
        ),
      },
    });
    expect(await failure(t.control.trigger('send_message'))).toMatchObject({ status: 409 });
    expect(await failure(t.control.forTenant('ghost').trigger('chat-opened', { target: sink.url }))).toMatchObject({
      status: 404,
    });
    expect((await t.control.getTenant()).counts.chats).toBe(chats);
    expect(sink.received).toEqual([]);
  });
});
