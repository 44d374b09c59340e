import { describe, expect, it } from 'vitest';
import { computeVerdict, formatVerdict, type ChatFacts, type IntegratorCall } from '../../../src/scenarios/verdict.js';

const AT = Date.UTC(2026, 10, 22, 9);
const call = (chatId: string, operation: string, n: number, errorCode?: string): IntegratorCall => ({
  requestId: String(n),
  chatId,
  operation,
  at: AT + n,
  iso: new Date(AT + n).toISOString(),
  status: 200,
  ok: errorCode === undefined,
  ...(errorCode ? { errorCode, errorMessage: `refused (${errorCode})` } : {}),
  durationMs: 3,
});

/** A chat an integrator handled by the guide: accepted as a persona, answered, closed. */
function goodChat(chatId: string): ChatFacts {
  return {
    chatId,
    acceptedAs: 'persona',
    waits: [],
    deliveries: ['chat-assigned', 'chat-opened', 'message-created', 'chat-closed'].map((event, i) => ({
      deliveryId: `${chatId}-${i}`,
      chatId,
      event,
      at: AT + i,
      status: 'delivered' as const,
      attempts: 1,
    })),
    calls: [call(chatId, 'acceptChat', 1), call(chatId, 'sendChatMessage', 2), call(chatId, 'closeChat', 3)],
  };
}

describe('computeVerdict', () => {
  it('passes a chat handled as the guide says', () => {
    const verdict = computeVerdict([goodChat('a')]);
    expect(verdict.passed).toBe(true);
    expect(verdict.counts).toEqual({ passed: 7, failed: 0, notApplicable: 1 });
  });

  it('fails when one chat of many broke a rule, saying how many, and keeps the evidence bounded', () => {
    const chats = Array.from({ length: 30 }, (_, i) => goodChat(`c${i}`));
    for (const chat of chats) chat.calls.push(call(chat.chatId, 'sendChatMessage', 9, 'CHAT_NOT_OPEN'));
    chats.push(goodChat('fine'));
    const verdict = computeVerdict(chats);
    const rule = verdict.expectations.find((e) => e.id === 'no-message-after-close')!;
    expect(rule.status).toBe('failed');
    expect(rule.reason).toMatch(/^30 of 31 chats: sendChatMessage into a chat that is not open/);
    expect(rule.evidence).toHaveLength(12);
    expect(rule.more).toBe(18);
    expect(verdict.passed).toBe(false);
    expect(formatVerdict(verdict).at(-1)).toMatch(/verdict: FAILED \(6 passed, 1 failed, 1 not applicable\)/);
  });

  it('does not pass a run whose webhooks never left: no chat-assigned delivered means no accept', () => {
    const chat = goodChat('x');
    chat.calls = [];
    chat.acceptedAs = undefined;
    chat.deliveries = [
      {
        deliveryId: '1',
        chatId: 'x',
        event: 'chat-assigned',
        at: AT,
        status: 'failed',
        attempts: 5,
        error: 'ECONNREFUSED',
      },
    ];
    chat.waits = [
      {
        chatId: 'x',
        awaiting: 'accept',
        since: AT,
        iso: new Date(AT).toISOString(),
        outcome: 'undelivered',
        waitedMs: 40,
      },
    ];
    const byId = Object.fromEntries(computeVerdict([chat]).expectations.map((e) => [e.id, e]));
    expect(byId['webhooks-delivered']!.status).toBe('failed');
    expect(byId.accept!.status).toBe('failed');
    expect(byId.accept!.evidence.map((e) => e.kind)).toEqual(['webhook', 'timeout']);
    expect(byId.persona!.status).toBe('not-applicable');
  });

  it('a duplicate delivered copy makes up for a failed original', () => {
    const chat = goodChat('d');
    chat.deliveries[0]!.status = 'failed';
    chat.deliveries.push({
      deliveryId: 'copy',
      chatId: 'd',
      event: 'chat-assigned',
      at: AT + 5,
      status: 'delivered',
      attempts: 1,
      copy: true,
    });
    expect(computeVerdict([chat]).expectations[0]!.status).toBe('passed');
  });
});
