import { describe, expect, it } from 'vitest';
import { GUURU_EVENT_IDS } from '../../../src/store/fixtures.js';
import { GUURU_EVENTS } from '../../../src/webhooks/payloads.js';
import { DEFAULT_RETRY_POLICY, retryDelay, worstCaseRetryWindow } from '../../../src/webhooks/retry-policy.js';
import { signBody } from '../../../src/webhooks/signature.js';
import { DeliveryLog, type Delivery } from '../../../src/webhooks/delivery-log.js';
import { FaultRules, MAX_FAULT_RULES } from '../../../src/webhooks/faults.js';
import { RequestJournal } from '../../../src/journal/request-journal.js';

describe('signature', () => {
  it('matches the known-answer vectors of the reference', () => {
    expect(signBody('secr3t', '{"id":"O2bqy2CsAaS7RBXZrhMOB","status":"assigned"}')).toBe(
      'a0e75e18810c7e4be937f10fd53d003069194599b543d26a44d0a527f11639e7',
    );
    expect(signBody('secr3t', '{"text":"Grüezi"}')).toBe(
      '624e73470bef9a3f9b7dba4260aff6a75ea7edbbcb3266a583247fdc371c1e0e',
    );
    expect(signBody('secr3t', Buffer.from('{"text":"Grüezi"}', 'utf8'))).toBe(
      '624e73470bef9a3f9b7dba4260aff6a75ea7edbbcb3266a583247fdc371c1e0e',
    );
  });
});

describe('retry policy', () => {
  it('doubles the delay with jitter between half and all of each step, then gives up', () => {
    const policy = { ...DEFAULT_RETRY_POLICY, maxAttempts: 5, baseDelayMs: 1_000 };
    expect([1, 2, 3, 4].map((n) => retryDelay(policy, n, () => 0))).toEqual([500, 1_000, 2_000, 4_000]);
    expect([1, 2, 3, 4].map((n) => retryDelay(policy, n, () => 1))).toEqual([1_000, 2_000, 4_000, 8_000]);
    expect(retryDelay(policy, 5, () => 0.5)).toBeUndefined();
    expect(worstCaseRetryWindow(policy)).toBe(15_000);
  });

  it('caps one delay at maxDelayMs', () => {
    expect(retryDelay({ ...DEFAULT_RETRY_POLICY, maxAttempts: 30, maxDelayMs: 60_000 }, 20, () => 1)).toBe(60_000);
  });
});

it('the fixtures know the same event ids as the webhooks', () => {
  expect([...GUURU_EVENT_IDS]).toEqual([...GUURU_EVENTS]);
});

describe('bounded in bytes (issue 22)', () => {
  const delivery = (id: string, body: string): Delivery => ({
    id,
    source: 'guuru',
    tenantId: 't',
    event: 'chat-closed',
    url: 'http://127.0.0.1:9/hook',
    headers: {},
    body,
    status: 'delivered',
    createdAt: 0,
    attempts: [],
    faults: [],
  });

  it('the delivery log forgets the oldest finished deliveries once their bytes pass its budget', () => {
    const log = new DeliveryLog(1_000, 100_000);
    for (let i = 1; i <= 20; i++) {
      const d = delivery(String(i), 'b'.repeat(20_000));
      log.add(d);
      log.settle(d);
    }
    expect(log.counts().finished).toBeLessThanOrEqual(5);
    expect(log.get('20')).toBeDefined();
    expect(log.get('1')).toBeUndefined();
  });

  it('the request journal forgets the oldest entries once their bytes pass its budget', () => {
    const journal = new RequestJournal(1_000, 50_000);
    for (let i = 0; i < 100; i++) {
      journal.record({
        api: 'graphql',
        at: 0,
        iso: '',
        method: 'POST',
        path: '/graphql',
        route: 'POST /graphql',
        status: 200,
        durationMs: 1,
        query: 'q'.repeat(3_000),
        chatIds: [],
      });
    }
    expect(journal.keptBytes).toBeLessThanOrEqual(50_000);
    expect(journal.counts().kept).toBeLessThan(20);
  });

  it('fault rules: spent ones are forgotten to make room, then a new one is refused with LIMIT_REACHED', () => {
    const rules = new FaultRules();
    for (let i = 0; i < MAX_FAULT_RULES; i++) rules.add({ kind: 'drop-first-attempt', times: i === 0 ? 1 : null }, 0);
    rules.take('drop-first-attempt', delivery('1', '{}'));
    expect(() => rules.add({ kind: 'duplicate' }, 0)).not.toThrow();
    expect(() => rules.add({ kind: 'duplicate' }, 0)).toThrow(expect.objectContaining({ code: 'LIMIT_REACHED' }));
    expect(rules.list()).toHaveLength(MAX_FAULT_RULES);
  });
});
