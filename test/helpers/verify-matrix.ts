import type { Flaw, ReferenceOptions } from './reference-integration.js';

// The stability matrix of verify (docs/verify.md, "How reactions are observed"), shared by
// test/integration/verify/verify-stability.test.ts (one run) and bench/verify-stability.ts (repeated runs).

/** Correct integrations at paces that straddle every window verify uses (the grace, the bounds). */
export const CORRECT: { name: string; options: Partial<ReferenceOptions> }[] = [
  ...[0, 500, 1_000, 1_500, 1_600, 2_500, 4_000].map((ms) => ({
    name: `closes ${ms / 1000} s after the customer's last message`,
    options: { closeAfterSilenceMs: ms },
  })),
  { name: 'does its work 0–800 ms after acknowledging', options: { workDelayMaxMs: 800, closeAfterSilenceMs: 1_500 } },
  { name: 'answers each message with two replies', options: { repliesPerMessage: 2, closeAfterSilenceMs: 1_500 } },
];

/** Integrations broken in one way (each closing 1.5 s after the customer): the one check each must fail. */
export const BROKEN: { flaw: Flaw; check: string; evidence: RegExp; suites: string[]; timeoutMs?: number }[] = [
  {
    flaw: 'accepts-any-signature',
    check: 'receiver.bad-signature-refused',
    evidence: /it acted on a forged delivery/,
    suites: ['receiver'],
  },
  {
    flaw: 'no-idempotency',
    check: 'receiver.idempotent',
    evidence: /acceptChat ×2 .*the second copy was acted on/,
    suites: ['receiver'],
  },
  {
    flaw: 'accepts-any-chat',
    check: 'receiver.ignores-other-experts',
    evidence: /handle only chats whose requestedExperts contain "api"/,
    suites: ['receiver'],
  },
  {
    flaw: 'answers-duplicate-messages',
    check: 'receiver.idempotent',
    evidence:
      /^message-created \(chat \S+\) sent twice with Idempotency-Key \S+ → 200, 200; answered with sendChatMessage ×2, where a single message-created \(chat \S+\) was answered with sendChatMessage ×1, each counted after 1 s without a call or delivery on its chat: the second copy was acted on$/,
    suites: ['receiver'],
    // The default timeout: its windows were the ones a 1.5 s close used to straddle.
    timeoutMs: 10_000,
  },
  {
    flaw: 'writes-after-close',
    check: 'third-party.no-message-after-close',
    evidence: /sendChatMessage into a chat that is not open was refused/,
    suites: ['receiver', 'third-party'],
  },
  {
    flaw: 'never-closes',
    check: 'third-party.close',
    evidence:
      /no closeChat once the customer is helped within 3 s.*; the customer waited 3000 ms \(--timeout\): raise it if your integration takes longer$/,
    suites: ['receiver', 'third-party'],
  },
];

export interface MatrixReport {
  checks: { id: string; status: string; level: string; evidence: string }[];
}

/**
 * What did not pass, "name: check status (evidence)": third-party.reopen is not applicable to an
 * integration that never reopens; `recommended: false` leaves out the recommended checks (the
 * acknowledgement time under 2 s is a measurement a stalled machine really does lengthen).
 */
export const notPassed = (name: string, report: MatrixReport, options: { recommended?: boolean } = {}): string[] =>
  report.checks
    .filter(
      (c) =>
        c.status !== 'passed' &&
        !(c.id === 'third-party.reopen' && c.status === 'skipped') &&
        (options.recommended !== false || c.level !== 'recommended'),
    )
    .map((c) => `${name}: ${c.id} ${c.status} (${c.evidence})`);

/** The required checks that failed. */
export const failedRequired = (report: MatrixReport): string[] =>
  report.checks.filter((c) => c.status === 'failed' && c.level === 'required').map((c) => c.id);
