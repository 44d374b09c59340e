/**
 * The verdict of a run against an integration: every protocol expectation of the Third Party
 * Messaging guide, `passed`, `failed` or `not-applicable`, each with its evidence (the webhook the
 * emulator sent, the integrator's API call that answered it, or the wait that timed out). Pure:
 * it reads the facts a run collected and can be recomputed anywhere (`scenario run`, the control
 * API, `guuru-emulator verify`).
 */

import { timedApiCallEvidence, type IntegratorCall, type TimedApiCallEvidence } from '../journal/chat-calls.js';

export type ExpectationStatus = 'passed' | 'failed' | 'not-applicable';

export type ExpectationId =
  'webhooks-delivered' | 'accept' | 'persona' | 'reply' | 'close' | 'no-message-after-close' | 'reopen' | 'idempotent';

/** A webhook the emulator sent for one of the run's chats, with what became of it. */
export interface WebhookEvidence {
  kind: 'webhook';
  chatId: string;
  /** GET /_emulator/deliveries/:id */
  deliveryId: string;
  event: string;
  /** Emulator clock time it was sent (enqueued). */
  at: number;
  iso: string;
  status: 'delivered' | 'failed' | 'pending';
  attempts: number;
  /** The receiver's answer to the last attempt, or why there was none. */
  statusCode?: number;
  error?: string;
}

/** A wait on the integrator that ended without it acting. */
export interface TimeoutEvidence {
  kind: 'timeout';
  chatId: string;
  /** What the integrator was expected to do. */
  expected: string;
  /** Emulator clock time the wait started. */
  since: number;
  iso: string;
  /** Real time waited. */
  waitedMs: number;
  /** patience: the time ran out; undelivered: the webhook it needed never arrived; no-webhook: none was sent. */
  cause: 'patience' | 'undelivered' | 'no-webhook';
}

/**
 * What an expectation rests on: a webhook, an Admin API call of the integrator touching one of the
 * run's chats (journal/chat-calls.ts: the evidence verify's checks cite too, placed on the run's
 * clock), or a wait that ran out.
 */
export type Evidence = WebhookEvidence | TimedApiCallEvidence | TimeoutEvidence;

export interface Expectation {
  id: ExpectationId;
  title: string;
  /** A failed required expectation fails the run. */
  required: boolean;
  status: ExpectationStatus;
  /** Why, in one sentence. */
  reason: string;
  evidence: Evidence[];
  /** Evidence left out (runs with many chats keep the first few per expectation). */
  more?: number;
}

export interface Verdict {
  /** No required expectation failed. */
  passed: boolean;
  counts: { passed: number; failed: number; notApplicable: number };
  expectations: Expectation[];
}

// --- the facts a run collects --------------------------------------------------------------

/** One of the integrator's calls (one top-level field of a request) touching a chat: built from the request journal in journal/chat-calls.ts. */
export type { IntegratorCall } from '../journal/chat-calls.js';

/** A wait of the customer (or a wait-until step) on the integrator. */
export interface WaitFact {
  chatId: string;
  awaiting: 'accept' | 'reply' | 'close';
  since: number;
  iso: string;
  outcome: 'done' | 'timeout' | 'undelivered' | 'no-webhook' | 'ended';
  waitedMs: number;
}

export interface DeliveryFact {
  deliveryId: string;
  chatId: string;
  event: string;
  at: number;
  status: 'delivered' | 'failed' | 'pending';
  attempts: number;
  statusCode?: number;
  error?: string;
  /** A copy (fault injection or manual redelivery): not counted as a separate event. */
  copy?: boolean;
}

export interface ChatFacts {
  chatId: string;
  /** How the integrator accepted the chat, if it did. */
  acceptedAs?: 'persona' | 'service-account';
  waits: WaitFact[];
  deliveries: DeliveryFact[];
  calls: IntegratorCall[];
}

/** Evidence kept per expectation before "more" counts the rest. */
export const EVIDENCE_LIMIT = 12;

const TITLES: Record<ExpectationId, { title: string; required: boolean }> = {
  'webhooks-delivered': { title: 'Your endpoint received the webhooks of the run', required: true },
  accept: { title: 'Accepts the chat with acceptChat after a chat-assigned that requests "api"', required: true },
  persona: { title: 'Accepts as a persona (createPersona, then acceptChat with its id)', required: true },
  reply: { title: 'Answers the customer with sendChatMessage', required: true },
  close: { title: 'Closes the chat with closeChat once the customer is helped', required: true },
  'no-message-after-close': { title: 'Sends no message into a closed chat', required: true },
  reopen: { title: 'Reopens a closed chat with openChat', required: true },
  idempotent: {
    title: 'Acts once per event (no call refused as already done, e.g. a second acceptChat)',
    required: false,
  },
};

const ORDER: ExpectationId[] = [
  'webhooks-delivered',
  'accept',
  'persona',
  'reply',
  'close',
  'no-message-after-close',
  'reopen',
  'idempotent',
];

interface ChatResult {
  status: ExpectationStatus;
  reason: string;
  evidence: Evidence[];
}

const iso = (at: number) => new Date(at).toISOString();

export function webhookEvidence(d: DeliveryFact): WebhookEvidence {
  return {
    kind: 'webhook',
    chatId: d.chatId,
    deliveryId: d.deliveryId,
    event: d.event,
    at: d.at,
    iso: iso(d.at),
    status: d.status,
    attempts: d.attempts,
    ...(d.statusCode !== undefined ? { statusCode: d.statusCode } : {}),
    ...(d.error !== undefined ? { error: d.error } : {}),
  };
}

const callEvidence = timedApiCallEvidence;

const EXPECTED: Record<WaitFact['awaiting'], string> = {
  accept: 'acceptChat after chat-assigned',
  reply: 'sendChatMessage answering the customer',
  close: 'closeChat once the customer is helped',
};

function timeoutEvidence(w: WaitFact): TimeoutEvidence {
  return {
    kind: 'timeout',
    chatId: w.chatId,
    expected: EXPECTED[w.awaiting],
    since: w.since,
    iso: w.iso,
    waitedMs: w.waitedMs,
    cause: w.outcome === 'timeout' ? 'patience' : (w.outcome as 'undelivered' | 'no-webhook'),
  };
}

const failedWait = (f: ChatFacts, awaiting: WaitFact['awaiting']) =>
  f.waits.find(
    (w) =>
      w.awaiting === awaiting && (w.outcome === 'timeout' || w.outcome === 'undelivered' || w.outcome === 'no-webhook'),
  );
const calls = (f: ChatFacts, operation: string, ok?: boolean) =>
  f.calls.filter((c) => c.operation === operation && (ok === undefined || c.ok === ok));
const firstDelivery = (f: ChatFacts, event: string) => f.deliveries.find((d) => d.event === event && !d.copy);
const waitLabel = (w: WaitFact) =>
  w.outcome === 'timeout'
    ? `no ${EXPECTED[w.awaiting]} within ${Math.round(w.waitedMs / 100) / 10} s`
    : w.outcome === 'no-webhook'
      ? 'no webhook was sent (the run has no target and the tenant no subscription)'
      : 'the webhook it needed was never delivered';
/** Refusals that only mean "already done" (Admin API codes): the sign of an event handled twice. */
const REPEAT = (c: IntegratorCall) =>
  !c.ok &&
  ((c.operation === 'acceptChat' && c.errorCode === 'CHAT_ALREADY_ACCEPTED') ||
    (c.operation === 'closeChat' &&
      c.errorCode === 'INVALID_STATE_TRANSITION' &&
      /status is "closed"/.test(c.errorMessage ?? '')) ||
    (c.operation === 'openChat' &&
      c.errorCode === 'INVALID_STATE_TRANSITION' &&
      /status is "open"/.test(c.errorMessage ?? '')));

const CHECKS: Record<ExpectationId, (f: ChatFacts) => ChatResult> = {
  'webhooks-delivered': (f) => {
    const originals = f.deliveries.filter((d) => !d.copy);
    if (originals.length === 0) {
      const noWebhook = f.waits.find((w) => w.outcome === 'no-webhook');
      return {
        status: 'failed',
        reason: 'no webhook was sent for the chat: give the run a target (--target) or subscribe the tenant',
        evidence: noWebhook ? [timeoutEvidence(noWebhook)] : [],
      };
    }
    const failed = originals.filter(
      (d) =>
        d.status === 'failed' &&
        !f.deliveries.some((c) => c.copy && c.event === d.event && c.status === 'delivered' && c.at >= d.at),
    );
    if (failed.length > 0)
      return {
        status: 'failed',
        reason: `${failed.length} of ${originals.length} webhooks never reached your endpoint (${failed[0]?.error ?? `HTTP ${failed[0]?.statusCode}`})`,
        evidence: failed.map(webhookEvidence),
      };
    const pending = originals.filter((d) => d.status === 'pending');
    if (pending.length > 0)
      return {
        status: 'failed',
        reason: `${pending.length} webhooks were still retrying when the run ended`,
        evidence: pending.map(webhookEvidence),
      };
    return {
      status: 'passed',
      reason: `all ${originals.length} webhooks delivered`,
      evidence: [webhookEvidence(originals[0] as DeliveryFact)],
    };
  },
  accept: (f) => {
    const assigned = firstDelivery(f, 'chat-assigned');
    const ok = calls(f, 'acceptChat', true)[0];
    const hook = assigned ? [webhookEvidence(assigned)] : [];
    if (ok) return { status: 'passed', reason: `acceptChat ${ok.iso}`, evidence: [...hook, callEvidence(ok)] };
    const refused = calls(f, 'acceptChat', false);
    const wait = failedWait(f, 'accept');
    if (wait)
      return {
        status: 'failed',
        reason: `${waitLabel(wait)}; the chat was missed`,
        evidence: [...hook, ...refused.map(callEvidence), timeoutEvidence(wait)],
      };
    if (refused.length > 0)
      return {
        status: 'failed',
        reason: `acceptChat was refused (${refused[0]?.errorCode})`,
        evidence: [...hook, ...refused.map(callEvidence)],
      };
    if (!assigned) return { status: 'not-applicable', reason: 'the chat was never assigned to "api"', evidence: [] };
    return { status: 'not-applicable', reason: 'the run ended before an accept was due', evidence: hook };
  },
  persona: (f) => {
    const ok = calls(f, 'acceptChat', true)[0];
    if (!ok || f.acceptedAs === undefined)
      return { status: 'not-applicable', reason: 'the chat was not accepted through the Admin API', evidence: [] };
    if (f.acceptedAs === 'persona')
      return { status: 'passed', reason: 'accepted with a personaId', evidence: [callEvidence(ok)] };
    return {
      status: 'failed',
      reason: 'accepted without a personaId: the chat is held by the service account, the customer sees no agent',
      evidence: [callEvidence(ok)],
    };
  },
  reply: (f) => {
    const sent = calls(f, 'sendChatMessage', true);
    const wait = failedWait(f, 'reply');
    if (wait)
      return {
        status: 'failed',
        reason: `the customer's patience ran out: ${waitLabel(wait)}`,
        evidence: [...sent.slice(0, 3).map(callEvidence), timeoutEvidence(wait)],
      };
    if (!calls(f, 'acceptChat', true)[0])
      return { status: 'not-applicable', reason: 'the chat was not accepted', evidence: [] };
    if (sent.length > 0)
      return {
        status: 'passed',
        reason: `${sent.length} message${sent.length === 1 ? '' : 's'} sent`,
        evidence: sent.slice(0, 3).map(callEvidence),
      };
    const close = calls(f, 'closeChat', true)[0];
    if (close)
      return {
        status: 'failed',
        reason: 'the chat was closed without a single answer to the customer',
        evidence: [callEvidence(close)],
      };
    return { status: 'not-applicable', reason: 'the run ended before a reply was due', evidence: [] };
  },
  close: (f) => {
    const closed = calls(f, 'closeChat', true);
    const wait = failedWait(f, 'close');
    const hook = firstDelivery(f, 'chat-closed');
    if (closed.length > 0 && !wait)
      return {
        status: 'passed',
        reason: `closeChat ${closed[0]?.iso}`,
        evidence: [...closed.map(callEvidence), ...(hook ? [webhookEvidence(hook)] : [])],
      };
    if (wait)
      return {
        status: 'failed',
        reason: `the customer was helped but ${waitLabel(wait)}`,
        evidence: [...closed.map(callEvidence), timeoutEvidence(wait)],
      };
    const refused = calls(f, 'closeChat', false).filter((c) => !REPEAT(c));
    if (refused.length > 0)
      return {
        status: 'failed',
        reason: `closeChat was refused (${refused[0]?.errorCode})`,
        evidence: refused.map(callEvidence),
      };
    return {
      status: 'not-applicable',
      reason: calls(f, 'acceptChat', true)[0]
        ? 'the conversation ended before a close was due'
        : 'the chat was not accepted',
      evidence: [],
    };
  },
  'no-message-after-close': (f) => {
    const refused = calls(f, 'sendChatMessage', false).filter((c) => c.errorCode === 'CHAT_NOT_OPEN');
    if (refused.length > 0)
      return {
        status: 'failed',
        reason: `sendChatMessage into a chat that is not open was refused ${refused.length} time${refused.length === 1 ? '' : 's'} (reopen with openChat first, or stop after chat-closed)`,
        evidence: refused.map(callEvidence),
      };
    if (calls(f, 'closeChat', true).length === 0 && !f.deliveries.some((d) => d.event === 'chat-closed'))
      return { status: 'not-applicable', reason: 'the chat was never closed', evidence: [] };
    return { status: 'passed', reason: 'no message after a close', evidence: [] };
  },
  reopen: (f) => {
    const opened = calls(f, 'openChat');
    if (opened.length === 0) return { status: 'not-applicable', reason: 'openChat was not used', evidence: [] };
    const refused = opened.filter((c) => !c.ok && !REPEAT(c));
    if (refused.length > 0)
      return {
        status: 'failed',
        reason: `openChat was refused (${refused[0]?.errorCode}): a rated chat cannot be reopened`,
        evidence: opened.map(callEvidence),
      };
    return {
      status: 'passed',
      reason: `openChat ${opened.find((c) => c.ok)?.iso ?? ''}`.trim(),
      evidence: opened.map(callEvidence),
    };
  },
  idempotent: (f) => {
    const repeats = f.calls.filter(REPEAT);
    if (repeats.length > 0)
      return {
        status: 'failed',
        reason: `${repeats.length} call${repeats.length === 1 ? ' was' : 's were'} refused as already done (${repeats[0]?.operation}: ${repeats[0]?.errorCode}): handle each webhook once, keyed on Idempotency-Key`,
        evidence: repeats.map(callEvidence),
      };
    if (f.calls.length === 0) return { status: 'not-applicable', reason: 'no call touched the chat', evidence: [] };
    return { status: 'passed', reason: 'no repeated call', evidence: [] };
  },
};

/** The verdict over every chat of a run: an expectation fails if it fails for any chat. */
export function computeVerdict(chats: ChatFacts[]): Verdict {
  const expectations = ORDER.map((id): Expectation => {
    const results = chats.map((f) => CHECKS[id](f));
    const failed = results.filter((r) => r.status === 'failed');
    const passed = results.filter((r) => r.status === 'passed');
    const status: ExpectationStatus = failed.length > 0 ? 'failed' : passed.length > 0 ? 'passed' : 'not-applicable';
    const shown = status === 'failed' ? failed : status === 'passed' ? passed : results;
    const evidence = shown.flatMap((r) => r.evidence);
    const many = chats.length > 1;
    const reason =
      shown.length === 0
        ? 'the run had no chat'
        : many && status === 'failed'
          ? `${failed.length} of ${chats.length} chats: ${failed[0]?.reason}`
          : many && status === 'passed'
            ? `${passed.length} of ${chats.length} chats${passed.length < chats.length ? ' (the others: not applicable)' : ''}`
            : (shown[0] as ChatResult).reason;
    return {
      id,
      ...TITLES[id],
      status,
      reason,
      evidence: evidence.slice(0, EVIDENCE_LIMIT),
      ...(evidence.length > EVIDENCE_LIMIT ? { more: evidence.length - EVIDENCE_LIMIT } : {}),
    };
  });
  const count = (s: ExpectationStatus) => expectations.filter((e) => e.status === s).length;
  return {
    passed: !expectations.some((e) => e.required && e.status === 'failed'),
    counts: { passed: count('passed'), failed: count('failed'), notApplicable: count('not-applicable') },
    expectations,
  };
}

/** The checklist `scenario run` prints: one line per expectation, then its evidence. */
export function formatVerdict(verdict: Verdict): string[] {
  const mark: Record<ExpectationStatus, string> = { passed: '✔', failed: '✘', 'not-applicable': '–' };
  const lines: string[] = [];
  for (const e of verdict.expectations) {
    lines.push(
      `  ${mark[e.status]} ${e.title}${e.required ? '' : ' (advice)'}: ${e.status}${e.status === 'not-applicable' ? '' : ` (${e.reason})`}`,
    );
    if (e.status !== 'failed') continue;
    for (const ev of e.evidence.slice(0, 4)) lines.push(`      ${describeEvidence(ev)}`);
    const left = e.evidence.length - 4 + (e.more ?? 0);
    if (left > 0) lines.push(`      … ${left} more`);
  }
  const { passed, failed, notApplicable } = verdict.counts;
  lines.push(
    `  verdict: ${verdict.passed ? 'PASSED' : 'FAILED'} (${passed} passed, ${failed} failed, ${notApplicable} not applicable)`,
  );
  return lines;
}

export function describeEvidence(ev: Evidence): string {
  switch (ev.kind) {
    case 'webhook':
      return `webhook ${ev.event} #${ev.deliveryId} ${ev.iso}: ${ev.status}${ev.statusCode !== undefined ? ` (HTTP ${ev.statusCode})` : ''}${ev.error ? ` (${ev.error})` : ''}, ${ev.attempts} attempt${ev.attempts === 1 ? '' : 's'}`;
    case 'api-call':
      return `${ev.operation} request #${ev.requestId} ${ev.iso}: HTTP ${ev.status}${ev.errorCode ? ` ${ev.errorCode}: ${ev.errorMessage ?? ''}` : ' ok'}`;
    case 'timeout':
      return `waited ${Math.round(ev.waitedMs)} ms from ${ev.iso} for ${ev.expected}: ${ev.cause === 'patience' ? 'timed out' : ev.cause === 'undelivered' ? 'the webhook was never delivered' : 'no webhook was sent'}`;
  }
}
