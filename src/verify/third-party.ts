import { apiCallEvidence, type TimedApiCallEvidence } from '../journal/chat-calls.js';
import { DOCS, type CheckDefinition } from './checks.js';
import { QUIET_GRACE_MS } from './quiescence.js';
import type { CheckStatus, Evidence } from './report.js';

/**
 * The third-party messaging suite: the reactive scenarios run against the integration (the
 * customer reacts to what it does), their verdicts' expectations reported as checks. The scenario
 * engine is another adapter, so the composition root passes in a function that runs one scenario
 * to its end; the types below are the part of its run record this suite reads.
 */

/** A verdict's evidence as this suite reads it (the scenario engine's types, seen from here). */
export type VerdictEvidence =
  | TimedApiCallEvidence
  | {
      kind: 'webhook';
      chatId: string;
      deliveryId: string;
      event: string;
      status: string;
      attempts: number;
      statusCode?: number;
      error?: string;
    }
  | { kind: 'timeout'; chatId: string; expected: string; cause: string };

export interface VerdictExpectation {
  id: string;
  status: 'passed' | 'failed' | 'not-applicable';
  reason: string;
  evidence: VerdictEvidence[];
}

/** What the suite needs of a finished scenario run. */
export interface ScenarioOutcome {
  id: string;
  scenario: string;
  status: string;
  error?: string;
  chats: string[];
  verdict?: { expectations: VerdictExpectation[] };
}

export type RunScenario = (options: {
  scenario: string;
  target: string;
  tenant: string;
  seed: number;
  params: Record<string, string | number | boolean>;
  signal: AbortSignal;
}) => Promise<ScenarioOutcome>;

export interface ThirdPartyRunner {
  /** The checks this suite reports (one per verdict expectation). */
  checks: CheckDefinition[];
  run(options: {
    tenantId: string;
    target: string;
    seed: number;
    timeoutMs: number;
    signal: AbortSignal;
    settle(id: string, status: Exclude<CheckStatus, 'pending'>, evidence: string, details?: Evidence[]): void;
  }): Promise<void>;
}

const check = (
  id: string,
  title: string,
  rule: string,
  level: CheckDefinition['level'] = 'required',
  doc = DOCS.thirdParty,
): CheckDefinition => ({ id: `third-party.${id}`, suite: 'third-party', title, level, rule, doc });

/** One check per expectation of the scenario verdict, in the verdict's order. */
export const THIRD_PARTY_CHECKS: CheckDefinition[] = [
  check(
    'webhooks-delivered',
    'Receives the webhooks of the conversation',
    'Every webhook of the conversation (chat-assigned, chat-opened, message-created, chat-closed, chat-reopened, chat-rated) is acknowledged with a 2xx, within the retries.',
    'required',
    DOCS.webhooks,
  ),
  check(
    'accept',
    'Accepts a chat requested to api',
    'After a chat-assigned whose requestedExperts contains "api", the integration calls acceptChat, in time for the customer.',
  ),
  check(
    'persona',
    'Accepts as a persona',
    'acceptChat carries input.personaId: a persona made with createPersona (by providerId) represents the agent to the customer.',
  ),
  check(
    'reply',
    'Answers the customer with sendChatMessage',
    'Each customer message gets an answer through sendChatMessage before the customer gives up.',
  ),
  check(
    'close',
    'Closes the chat once the customer is helped',
    'The integration calls closeChat when the conversation is over (whenever it decides), so the customer can rate.',
  ),
  check(
    'no-message-after-close',
    'Sends no message into a closed chat',
    'After closeChat (or chat-closed) no sendChatMessage goes to the chat until it is reopened (chat-reopened, or openChat).',
  ),
  check(
    'reopen',
    'Reopens a closed chat with openChat',
    'When the integration reopens a chat, it does so with openChat on a closed (not rated) chat. Examined only when the integration reopens.',
  ),
  check(
    'idempotent',
    'Acts once per event of the conversation',
    'No call of the conversation is refused as already done (a second acceptChat, closeChat or openChat).',
    'recommended',
    DOCS.webhooks,
  ),
];

/** The scenarios the suite runs: the guide's flow, and the customer who comes back after the close. */
const SCENARIOS = ['third-party-messaging', 'third-party-reopen'];

function detail(e: VerdictEvidence): Evidence {
  if (e.kind === 'api-call') return apiCallEvidence(e);
  if (e.kind === 'webhook') {
    const answer = e.statusCode !== undefined ? `HTTP ${e.statusCode}` : (e.error ?? 'no answer');
    return {
      kind: 'note',
      text: `webhook ${e.event} of chat ${e.chatId} (GET /_emulator/deliveries/${e.deliveryId}): ${e.status}, ${e.attempts} attempt(s), last answer ${answer}`,
    };
  }
  return { kind: 'note', text: `chat ${e.chatId}: waited for ${e.expected} in vain (${e.cause})` };
}

/** Merges the verdicts of several runs: failed if any run failed it, passed if one passed it, else not applicable. */
function merge(
  id: string,
  outcomes: ScenarioOutcome[],
  timeoutMs: number,
): { status: Exclude<CheckStatus, 'pending'>; evidence: string; details: Evidence[] } {
  const found = outcomes.flatMap((o) => {
    const e = o.verdict?.expectations.find((x) => x.id === id);
    return e ? [{ o, e }] : [];
  });
  const label = ({ o, e }: (typeof found)[number]) =>
    `${o.scenario} (${o.id}, chat ${o.chats.join(', ') || '-'}): ${e.reason}`;
  const failed = found.filter((f) => f.e.status === 'failed');
  const passed = found.filter((f) => f.e.status === 'passed');
  if (found.length === 0)
    return { status: 'skipped', evidence: 'not examined: no run of the suite gave a verdict', details: [] };
  const shown = failed.length > 0 ? failed : passed.length > 0 ? passed : found;
  const details = shown.flatMap((f) => f.e.evidence.map(detail));
  // A wait of the customer that ran out decided the verdict: say which limit, and its flag.
  const patience = failed.some((f) => f.e.evidence.some((e) => e.kind === 'timeout'))
    ? `; the customer waited ${timeoutMs} ms (--timeout): raise it if your integration takes longer`
    : '';
  if (failed.length > 0) return { status: 'failed', evidence: failed.map(label).join('; ') + patience, details };
  if (passed.length > 0) return { status: 'passed', evidence: passed.map(label).join('; '), details };
  return {
    status: 'skipped',
    evidence: `not applicable: ${[...new Set(found.map((f) => f.e.reason))].join('; ')}`,
    details,
  };
}

/** The suite, given the function that runs a scenario against the integration to its end. */
export function thirdPartySuite(runScenario: RunScenario): ThirdPartyRunner {
  return {
    checks: THIRD_PARTY_CHECKS,
    async run({ tenantId, target, seed, timeoutMs, signal, settle }) {
      // The integration's patience budget is the verification's timeout; scenario time passes without
      // waiting; the customer acts once the chat has been quiet for verify's grace (the observation
      // rule of quiescence.ts: webhooks of the chat in flight or a call within the grace keep it busy).
      const patience = `${timeoutMs}ms`;
      const grace = `${QUIET_GRACE_MS}ms`;
      const outcomes: ScenarioOutcome[] = [];
      for (const scenario of SCENARIOS) {
        if (signal.aborted) return;
        outcomes.push(
          await runScenario({
            scenario,
            target,
            tenant: tenantId,
            seed,
            params: { acceptTimeout: patience, replyTimeout: patience, closeTimeout: patience, grace },
            signal,
          }),
        );
      }
      if (signal.aborted) return;
      const broken = outcomes.filter((o) => !o.verdict);
      for (const definition of THIRD_PARTY_CHECKS) {
        if (broken.length > 0) {
          settle(
            definition.id,
            'skipped',
            `not examined: ${broken.map((o) => `${o.scenario} (${o.id}) ended ${o.status}${o.error ? `: ${o.error}` : ''} without a verdict`).join('; ')}`,
          );
          continue;
        }
        const { status, evidence, details } = merge(definition.id.slice('third-party.'.length), outcomes, timeoutMs);
        settle(definition.id, status, evidence, details);
      }
    },
  };
}
