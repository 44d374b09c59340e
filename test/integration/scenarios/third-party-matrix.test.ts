import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { VirtualClock } from '../../../src/index.js';
import { SEED_TIME, startEmulator, type TestEmulator } from '../../helpers/emulator.js';
import { answerThenClose, type IntegratorPlan } from '../../helpers/integrator.js';
import { customerLines, playAgainst } from '../../helpers/third-party.js';

/**
 * The reactive customer of third-party-messaging against integrators written from the Third Party
 * Messaging guide, one behaviour each: the final chat from GraphQL, the webhooks the integrator
 * received in order, and the verdict a person reading the guide would give.
 */

const START = SEED_TIME + 9 * 3_600_000;

const ALL_PASSED = {
  'webhooks-delivered': 'passed',
  accept: 'passed',
  persona: 'passed',
  reply: 'passed',
  close: 'passed',
  'no-message-after-close': 'passed',
  reopen: 'not-applicable',
  idempotent: 'passed',
} as const;

const play = (t: TestEmulator, plan: IntegratorPlan, params: Record<string, unknown> = {}) =>
  playAgainst(t, 'third-party-messaging', plan, params);

describe('third-party-messaging: the customer reacts to whatever a correct integration does', () => {
  let t: TestEmulator;
  beforeAll(async () => {
    t = await startEmulator({ clock: new VirtualClock(START) });
  });
  afterAll(() => t.stop());

  it('closes after the first reply: the customer rates, every expectation passes', async () => {
    const r = await play(t, { onCustomer: [['reply', 'close']] });
    expect(r.run.status, r.run.error).toBe('completed');
    expect(r.chat).toMatchObject({ status: 'rated', rating: 'good' });
    expect(r.events).toEqual([
      'chat-assigned',
      'chat-opened',
      'message-created',
      'message-created',
      'chat-closed',
      'chat-rated',
    ]);
    expect(r.statuses).toEqual(ALL_PASSED);
    // Evidence: the webhook the emulator sent and the call that answered it.
    const accept = r.expectation('accept');
    expect(accept.evidence.map((e: any) => [e.kind, e.event ?? e.operation])).toEqual([
      ['webhook', 'chat-assigned'],
      ['api-call', 'acceptChat'],
    ]);
    expect(accept.evidence[0]).toMatchObject({ status: 'delivered', attempts: 1 });
    expect(accept.evidence[0].deliveryId).toMatch(/^\d+$/);
    expect(accept.evidence[1]).toMatchObject({ status: 200, chatId: r.run.chats[0] });
    expect(r.run.verdict.passed).toBe(true);
  });

  it("closes after the customer's second message (the guide's flow): rated, not a failure", async () => {
    const r = await play(t, { onCustomer: [['reply'], ['close']] });
    expect(r.run.status, r.run.error).toBe('completed');
    expect(r.chat).toMatchObject({ status: 'rated', rating: 'good' });
    expect(r.events).toEqual([
      'chat-assigned',
      'chat-opened',
      'message-created',
      'message-created',
      'message-created',
      'chat-closed',
      'chat-rated',
    ]);
    expect(r.statuses).toEqual(ALL_PASSED);
    expect(r.integrator.actions).toEqual(['acceptChat', 'sendChatMessage', 'closeChat']);
  });

  it('closes before replying at all: the customer still rates; the verdict says the customer was never answered', async () => {
    const r = await play(t, { afterAccept: ['close'] });
    expect(r.chat).toMatchObject({ status: 'rated', rating: 'good' });
    expect(r.events).toEqual(['chat-assigned', 'chat-opened', 'chat-closed', 'chat-rated']);
    expect(r.statuses).toEqual({ ...ALL_PASSED, reply: 'failed' });
    expect(r.expectation('reply').reason).toMatch(/closed without a single answer/);
    expect(r.run.status).toBe('failed');
    expect(r.run.error).toMatch(/reply failed/);
    // The customer never wrote into the closed chat.
    expect(customerLines(r.chat)).toHaveLength(1);
  });

  it('sends two messages per customer message: each burst gets one answer', async () => {
    const r = await play(t, { onCustomer: [['reply', 'reply'], ['reply', 'reply'], ['close']] });
    expect(r.run.status, r.run.error).toBe('completed');
    expect(r.chat).toMatchObject({ status: 'rated', rating: 'good' });
    const mc = 'message-created';
    expect(r.events).toEqual(['chat-assigned', 'chat-opened', mc, mc, mc, mc, mc, mc, mc, 'chat-closed', 'chat-rated']);
    expect(r.chat.messages.map((m: any) => m.by)).toEqual([
      'UserAuthor',
      'UserAuthor',
      'ExpertAuthor',
      'ExpertAuthor',
      'UserAuthor',
      'ExpertAuthor',
      'ExpertAuthor',
      'UserAuthor',
    ]);
    expect(r.statuses).toEqual(ALL_PASSED);
  });

  it('closes, reopens with openChat, replies and closes again: the customer answers and rates after the second close', async () => {
    const r = await play(t, { onCustomer: [['reply'], ['close', 'reopen', 'reply'], ['close']] });
    expect(r.run.status, r.run.error).toBe('completed');
    expect(r.chat).toMatchObject({ status: 'rated', rating: 'good' });
    const mc = 'message-created';
    expect(r.events).toEqual([
      'chat-assigned',
      'chat-opened',
      mc,
      mc,
      mc,
      'chat-closed',
      'chat-reopened',
      mc,
      mc,
      'chat-closed',
      'chat-rated',
    ]);
    expect(r.statuses).toEqual({ ...ALL_PASSED, reopen: 'passed' });
    expect(r.expectation('reopen').evidence[0]).toMatchObject({ kind: 'api-call', operation: 'openChat', status: 200 });
  });

  it('never accepts: the chat ends missed and the verdict says acceptChat never came', async () => {
    const r = await play(t, { accept: 'never' }, { acceptTimeout: '400ms' });
    expect(r.chat.status).toBe('missed');
    expect(r.chat.rating).toBeNull();
    expect(r.events).toEqual(['chat-assigned']);
    expect(r.statuses).toEqual({
      ...ALL_PASSED,
      accept: 'failed',
      persona: 'not-applicable',
      reply: 'not-applicable',
      close: 'not-applicable',
      'no-message-after-close': 'not-applicable',
      idempotent: 'not-applicable',
    });
    const accept = r.expectation('accept');
    expect(accept.evidence.map((e: any) => e.kind)).toEqual(['webhook', 'timeout']);
    expect(accept.evidence[1]).toMatchObject({ cause: 'patience', expected: 'acceptChat after chat-assigned' });
    expect(accept.evidence[1].waitedMs).toBeGreaterThanOrEqual(350);
    expect(r.run).toMatchObject({ status: 'failed' });
    expect(r.run.error).toMatch(/accept failed \(no acceptChat after chat-assigned within 0\.4 s/);
  });

  it('accepts and never replies: the customer gives up, the verdict names the missing reply', async () => {
    const r = await play(t, {}, { replyTimeout: '400ms' });
    expect(r.chat).toMatchObject({ status: 'open', rating: null });
    expect(r.events).toEqual(['chat-assigned', 'chat-opened', 'message-created']);
    expect(r.statuses).toEqual({
      ...ALL_PASSED,
      reply: 'failed',
      close: 'not-applicable',
      'no-message-after-close': 'not-applicable',
    });
    expect(r.expectation('reply').evidence.at(-1)).toMatchObject({
      kind: 'timeout',
      expected: 'sendChatMessage answering the customer',
      cause: 'patience',
    });
    expect(r.run.status).toBe('failed');
    const wait = r.run.timeline.find((e: any) => e.action === 'waits' && e.outcome === 'timeout');
    expect(wait.expected).toMatch(/sendChatMessage/);
  });

  it('replies after closing: the API refuses it and the verdict records the refusal', async () => {
    const r = await play(t, { onCustomer: [['reply'], ['close', 'reply']] });
    expect(r.chat).toMatchObject({ status: 'rated', rating: 'good' });
    expect(r.events).toEqual([
      'chat-assigned',
      'chat-opened',
      'message-created',
      'message-created',
      'message-created',
      'chat-closed',
      'chat-rated',
    ]);
    expect(r.integrator.actions).toEqual([
      'acceptChat',
      'sendChatMessage',
      'closeChat',
      'sendChatMessage refused CHAT_NOT_OPEN',
    ]);
    expect(r.statuses).toEqual({ ...ALL_PASSED, 'no-message-after-close': 'failed' });
    const refused = r.expectation('no-message-after-close').evidence;
    expect(refused).toHaveLength(1);
    expect(refused[0]).toMatchObject({
      kind: 'api-call',
      operation: 'sendChatMessage',
      errorCode: 'CHAT_NOT_OPEN',
      status: 200,
    });
    expect(refused[0].message).toMatch(/status is "closed"/);
    // The refused call is in the run's record of calls and on the timeline.
    expect(r.run.calls.filter((c: any) => !c.ok).map((c: any) => c.errorCode)).toEqual(['CHAT_NOT_OPEN']);
    expect(
      r.run.timeline.some((e: any) => e.by === 'integrator' && /refused: CHAT_NOT_OPEN/.test(e.detail ?? '')),
    ).toBe(true);
    expect(r.run.status).toBe('failed');
  });

  it('tries to accept twice: the second is refused as CHAT_ALREADY_ACCEPTED, recorded as advice', async () => {
    const r = await play(t, { accept: 'twice', ...answerThenClose(2) });
    expect(r.chat).toMatchObject({ status: 'rated', rating: 'good' });
    expect(r.integrator.actions.slice(0, 2)).toEqual(['acceptChat', 'acceptChat refused CHAT_ALREADY_ACCEPTED']);
    expect(r.statuses).toEqual({ ...ALL_PASSED, idempotent: 'failed' });
    const advice = r.expectation('idempotent');
    expect(advice.required).toBe(false);
    expect(advice.evidence[0]).toMatchObject({ operation: 'acceptChat', errorCode: 'CHAT_ALREADY_ACCEPTED' });
    // Advice does not fail the run.
    expect(r.run.status, r.run.error).toBe('completed');
  });

  it('receives every delivery twice and, keyed on Idempotency-Key, still acts once', async () => {
    const fault = await fetch(`${t.url}/_emulator/faults`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ kind: 'duplicate', times: null }),
    });
    expect(fault.status).toBe(201);
    try {
      const r = await play(t, answerThenClose(2));
      expect(r.run.status, r.run.error).toBe('completed');
      expect(r.chat).toMatchObject({ status: 'rated', rating: 'good' });
      const mc = 'message-created';
      const once = ['chat-assigned', 'chat-opened', mc, mc, mc, mc, mc, 'chat-closed', 'chat-rated'];
      expect(r.events).toEqual(once.flatMap((e) => [e, e]));
      expect(r.integrator.actions).toEqual(['acceptChat', 'sendChatMessage', 'sendChatMessage', 'closeChat']);
      expect(r.statuses).toEqual(ALL_PASSED);
      expect(r.run.deliveries.sent).toBe(18);
    } finally {
      await fetch(`${t.url}/_emulator/faults`, { method: 'DELETE' });
    }
  });

  it('accepts without a persona: the chat works, the verdict says the guide wants a persona', async () => {
    const r = await play(t, { accept: 'service-account', ...answerThenClose(1) });
    expect(r.chat).toMatchObject({ status: 'rated', rating: 'good' });
    expect(r.statuses).toEqual({ ...ALL_PASSED, persona: 'failed' });
    expect(r.run.status).toBe('failed');
  });

  it('transfers the chat to another persona: the conversation goes on with it', async () => {
    const r = await play(t, { onCustomer: [['reply', 'transfer'], ['reply'], ['close']] });
    expect(r.run.status, r.run.error).toBe('completed');
    expect(r.chat).toMatchObject({ status: 'rated', rating: 'good' });
    expect(r.integrator.actions).toEqual([
      'acceptChat',
      'sendChatMessage',
      'transferToPersona',
      'sendChatMessage',
      'closeChat',
    ]);
    expect(customerLines(r.chat)).toHaveLength(4);
    expect(r.statuses).toEqual(ALL_PASSED);
  });
});
