import { describe, expect, it } from 'vitest';
import { GUURU_EVENT_IDS } from '../../src/store/fixtures.js';
import { GUURU_EVENTS } from '../../src/webhooks/payloads.js';
import { DEFAULT_RETRY_POLICY, retryDelay, worstCaseRetryWindow } from '../../src/webhooks/retry-policy.js';
import { signBody } from '../../src/webhooks/signature.js';

describe('signature', () => {
  it('matches the known-answer vectors of the reference', () => {
    expect(signBody('secr3t', '{"id":"O2bqy2CsAaS7RBXZrhMOB","status":"assigned"}')).toBe('a0e75e18810c7e4be937f10fd53d003069194599b543d26a44d0a527f11639e7');
    expect(signBody('secr3t', '{"text":"Grüezi"}')).toBe('624e73470bef9a3f9b7dba4260aff6a75ea7edbbcb3266a583247fdc371c1e0e');
    expect(signBody('secr3t', Buffer.from('{"text":"Grüezi"}', 'utf8'))).toBe('624e73470bef9a3f9b7dba4260aff6a75ea7edbbcb3266a583247fdc371c1e0e');
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
