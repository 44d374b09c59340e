import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, type TestEmulator } from '../../helpers/emulator.js';
import { startReferenceIntegration, type Flaw, type ReferenceOptions } from '../../helpers/reference-integration.js';

// Both suites against real integrations on loopback: the reference one, written from the docs,
// passes every check; each broken one differs from it in one behaviour and fails that check and no
// other (the checks it makes unobservable are skipped, saying why).

let t: TestEmulator;

beforeAll(async () => {
  t = await startEmulator();
});
afterAll(async () => {
  await t.stop();
});

type Report = {
  status: string;
  checks: { id: string; status: string; evidence: string; level: string; doc: { url: string }; details: any[] }[];
  summary: any;
  timings: any;
  error?: string;
};

async function verify(options: Partial<ReferenceOptions> = {}, body: Record<string, unknown> = {}): Promise<Report> {
  const integration = await startReferenceIntegration({ graphqlUrl: `${t.url}/graphql`, ...options });
  try {
    const started = await fetch(`${t.url}/_emulator/verifications`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ target: integration.url, timeoutMs: 2000, ...body }),
    });
    expect(started.status).toBe(202);
    const { id } = (await started.json()) as { id: string };
    return (await (await fetch(`${t.url}/_emulator/verifications/${id}?wait=1`)).json()) as Report;
  } finally {
    await integration.close();
  }
}

const byId = (report: Report) => Object.fromEntries(report.checks.map((c) => [c.id, c]));

// A verification with both suites takes seconds of real time (the integration is a real process).
describe('verify: the receiver and third-party suites', { timeout: 60_000 }, () => {
  it('passes a reference integration written from the docs on every check', async () => {
    const report = await verify();
    expect(report.checks.map((c) => [c.id, c.status])).toEqual([
      ['receiver.signed-accepted', 'passed'],
      ['receiver.signature-raw-body', 'passed'],
      ['receiver.bad-signature-refused', 'passed'],
      ['receiver.idempotent', 'passed'],
      ['receiver.retry-after-timeout', 'passed'],
      ['receiver.ignores-other-experts', 'passed'],
      ['receiver.unknown-field', 'passed'],
      ['receiver.unknown-event', 'passed'],
      ['receiver.out-of-order', 'passed'],
      ['receiver.ack-within-timeout', 'passed'],
      ['receiver.ack-under-2s', 'passed'],
      ['third-party.webhooks-delivered', 'passed'],
      ['third-party.accept', 'passed'],
      ['third-party.persona', 'passed'],
      ['third-party.reply', 'passed'],
      ['third-party.close', 'passed'],
      ['third-party.no-message-after-close', 'passed'],
      // Only an integration that reopens a chat itself can be examined on it.
      ['third-party.reopen', 'skipped'],
      ['third-party.idempotent', 'passed'],
    ]);
    expect(report.status).toBe('passed');
    expect(report.summary).toMatchObject({ total: 19, passed: 18, failed: 0, skipped: 1, requiredFailed: 0 });
    const checks = byId(report);
    // The evidence says what was sent, what came back and what the integration then did.
    expect(checks['receiver.signed-accepted']?.evidence).toMatch(
      /^chat-assigned \(chat \S+\) correctly signed → 200; then acceptChat ×1$/,
    );
    expect(checks['receiver.bad-signature-refused']?.evidence).toMatch(
      /body changed after signing → 400 .*other secret → 400 .*no signature header → 400 .*none acted on/,
    );
    expect(checks['receiver.idempotent']?.evidence).toMatch(
      /sent twice with Idempotency-Key [0-9a-f-]{36} → 200, 200; acceptChat ×1; message-created .* answered with sendChatMessage ×1, as a single one is/,
    );
    expect(checks['receiver.out-of-order']?.evidence).toMatch(
      /before chat-opened .*answered with sendChatMessage ×1, as in order/,
    );
    expect(checks['third-party.reply']?.evidence).toMatch(
      /^third-party-messaging \(run-\d+, chat \S+\): 2 messages sent; third-party-reopen \(run-\d+, chat \S+\): 3 messages sent$/,
    );
    expect(checks['third-party.reopen']?.evidence).toBe('not applicable: openChat was not used');
    expect(report.timings.acknowledgement.samples).toBeGreaterThan(15);
    expect(report.timings.acknowledgement.p99Ms).toBeLessThan(2000);
    // Each check carries its documentation and the deliveries behind it.
    expect(checks['receiver.signed-accepted']?.doc.url).toBe('https://developers.guuru.com/docs/webhooks/examples');
    expect(checks['receiver.ack-under-2s']?.level).toBe('recommended');
    const deliveries = report.checks.flatMap((c) => c.details.filter((d) => d.kind === 'delivery'));
    expect(deliveries.find((d) => d.signature === 'absent')).toMatchObject({
      event: 'chat-assigned',
      statusCode: 400,
      response: 'Invalid request, non-matching HMAC-SHA256 received',
    });
  });

  const broken: {
    flaw: Flaw;
    check: string;
    evidence: RegExp;
    options?: Partial<ReferenceOptions>;
    body?: Record<string, unknown>;
  }[] = [
    {
      flaw: 'accepts-any-signature',
      check: 'receiver.bad-signature-refused',
      evidence:
        /body changed after signing \(chat \S+\) → 200; then acceptChat ×1: it acted on a forged delivery; .*signed with another secret .*no X-Guuru-Hmac-Sha256 header/,
    },
    {
      flaw: 'accepts-unsigned',
      check: 'receiver.bad-signature-refused',
      evidence:
        /^chat-assigned, no X-Guuru-Hmac-Sha256 header \(chat \S+\) → 200; then acceptChat ×1: it acted on a forged delivery$/,
    },
    {
      flaw: 'reserializes-body',
      check: 'receiver.signature-raw-body',
      evidence:
        /indentation and non-ASCII text, correctly signed over its \d+ bytes → 400 .*re-serialised or re-decoded JSON instead of the raw body bytes/,
    },
    {
      flaw: 'wrong-secret',
      check: 'receiver.signed-accepted',
      evidence:
        /signed with the tenant's secret → 400 "Invalid request, non-matching HMAC-SHA256 received": GUURU's own deliveries are refused/,
    },
    {
      flaw: 'no-idempotency',
      check: 'receiver.idempotent',
      evidence:
        /sent twice with Idempotency-Key \S+ → 200, 200; then acceptChat ×2 \(1 refused: CHAT_ALREADY_ACCEPTED\): the second copy was acted on.*sendChatMessage ×2/,
    },
    {
      flaw: 'records-key-when-done',
      check: 'receiver.retry-after-timeout',
      evidence:
        /attempt 2 .*while the first was still being handled → 200; then acceptChat ×2 .*record the Idempotency-Key when a delivery arrives/,
    },
    {
      flaw: 'accepts-any-chat',
      check: 'receiver.ignores-other-experts',
      evidence:
        /requestedExperts \["\S+"\] \(no "api"\) → 200; then acceptChat ×1 \(1 refused: FORBIDDEN\): handle only chats whose requestedExperts contain "api"/,
    },
    {
      flaw: 'strict-fields',
      check: 'receiver.unknown-field',
      evidence: /extra field "routing" → 500 "Internal Server Error: unexpected field routing"/,
    },
    {
      flaw: 'crashes-on-unknown-field',
      check: 'receiver.unknown-field',
      evidence:
        /stopped accepting connections \(ECONNREFUSED[^)]*\) after chat-assigned with an extra field "routing" \(chat \S+\) → 200: it probably crashed handling that delivery/,
    },
    {
      flaw: 'refuses-unknown-events',
      check: 'receiver.unknown-event',
      evidence:
        /X-Guuru-Event: chat-escalated .*→ 400 "Unknown event chat-escalated": answer 2xx to events you do not handle/,
    },
    {
      flaw: 'drops-early-messages',
      check: 'receiver.out-of-order',
      evidence:
        /before chat-opened .*; message answered ×1 in order \(chat \S+: sendChatMessage ×1\), ×0 out of order \(no Admin API call\); the out-of-order chat \(\S+\) got no answer within 3\.0 s \(--timeout 2000 ms \+ 1 s of quiet\): that limit decided; raise --timeout if your integration answers later/,
    },
    {
      flaw: 'slow-ack',
      check: 'receiver.ack-within-timeout',
      evidence: /1 answered after the delivery timeout of 1000 ms .*slowest: chat-assigned, correctly signed/,
      options: { ackDelayMs: 1500 },
      body: { timeoutMs: 1000 },
    },
    {
      flaw: 'writes-after-close',
      check: 'third-party.no-message-after-close',
      evidence:
        /^third-party-messaging \(run-\d+, chat \S+\): sendChatMessage into a chat that is not open was refused 1 time \(reopen with openChat first, or stop after chat-closed\)/,
    },
    {
      flaw: 'no-persona',
      check: 'third-party.persona',
      evidence: /accepted without a personaId: the chat is held by the service account, the customer sees no agent/,
    },
    {
      flaw: 'never-closes',
      check: 'third-party.close',
      evidence: /the customer was helped but no closeChat once the customer is helped within \d+(\.\d)? s/,
    },
    {
      flaw: 'reopens-rated-chat',
      check: 'third-party.reopen',
      evidence:
        /^third-party-messaging \(run-\d+, chat \S+\): openChat was refused \(INVALID_STATE_TRANSITION\): a rated chat cannot be reopened/,
    },
  ];

  describe.concurrent('an integration broken in one way fails that check and only that one', () => {
    for (const { flaw, check, evidence, options, body } of broken) {
      it(`${flaw} → ${check}`, async () => {
        const report = await verify({ flaw, ...options }, body);
        const failed = report.checks.filter((c) => c.status === 'failed');
        expect(
          failed.map((c) => c.id),
          JSON.stringify(failed),
        ).toEqual([check]);
        expect(failed[0]?.evidence).toMatch(evidence);
        expect(report.status).toBe('failed');
        expect(report.summary.requiredFailed).toBe(1);
        // What it could not examine because of this failure says so.
        for (const skipped of report.checks.filter((c) => c.status === 'skipped'))
          expect(skipped.evidence).toMatch(/^not (examined|observable|applicable): /);
      });
    }
  });

  it('a check that is only recommended fails without failing the verification', async () => {
    const report = await verify(
      { flaw: 'slow-first-ack', ackDelayMs: 2100 },
      { timeoutMs: 5000, suites: ['receiver'] },
    );
    const failed = report.checks.filter((c) => c.status === 'failed');
    expect(failed.map((c) => [c.id, c.level])).toEqual([['receiver.ack-under-2s', 'recommended']]);
    expect(failed[0]?.evidence).toMatch(
      /p99 2\d{3} ms over \d+ answers: 1 took 2 s or more; slowest: chat-assigned, correctly signed/,
    );
    expect(report.status).toBe('passed');
    expect(report.summary).toMatchObject({ failed: 1, requiredFailed: 0, recommendedFailed: 1 });
  });
});
