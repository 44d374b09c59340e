import { afterAll, beforeAll, expect, it } from 'vitest';
import { acceptChat, assignChat, createChat, postMessage } from '../../../src/domain/chats.js';
import { startEmulator, type TestEmulator } from '../../helpers/emulator.js';
import { webhookSink, type WebhookSink } from '../../helpers/webhook-sink.js';

let sink: WebhookSink;
let t: TestEmulator;
beforeAll(async () => {
  sink = await webhookSink();
  // Many requests in flight, several per connection: each chat's events must still arrive in order.
  t = await startEmulator({ webhookUrl: sink.url, webhookConcurrency: 24, webhookPipelining: 8 });
});
afterAll(async () => {
  await t.stop();
  await sink.close();
});

it('keeps each chat’s events in order with 24 requests in flight, 8 pipelined per connection', async () => {
  const { domain, store } = t.emulator;
  const tenant = store.tenant('guuru-qa')!;
  const chats = Array.from({ length: 40 }, (_, i) => createChat(domain, tenant, { question: `order ${i}` }).id);
  for (const id of chats) assignChat(domain, tenant, id, ['api']);
  for (const id of chats) acceptChat(domain, tenant, id, {});
  for (let round = 0; round < 5; round++)
    for (const id of chats) postMessage(domain, tenant, id, { type: 'text', text: `m${round}` }, { kind: 'user' });
  const total = chats.length * 7;
  await t.emulator.webhooks.dispatcher.idle();
  const got = await sink.waitFor({ count: total });
  expect(got).toHaveLength(total);
  expect(got.every((r) => r.verified)).toBe(true);
  for (const id of chats) {
    const mine = got.filter((r) => r.headers['x-guuru-chat-id'] === id);
    expect(mine.map((r) => r.headers['x-guuru-event'])).toEqual([
      'chat-assigned',
      'chat-opened',
      ...Array(5).fill('message-created'),
    ]);
    expect(mine.slice(2).map((r) => r.body.text)).toEqual(['m0', 'm1', 'm2', 'm3', 'm4']);
  }
  expect(t.emulator.webhooks.dispatcher.log.list({ status: 'failed' })).toEqual([]);
});
