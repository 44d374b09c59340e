import type { ApiCallEvidence } from '../journal/chat-calls.js';
import type { CheckDefinition, SuiteName } from './checks.js';
import type { FlowFile } from './explore/flow-file.js';

/** An Admin API call of the integration on one of the verification's chats: the evidence scenario verdicts cite too. */
export type { ApiCallEvidence } from '../journal/chat-calls.js';

/**
 * A verification report: self-describing JSON (`kind`, `version`, every check with its title,
 * level and doc link), so the control API, `verify --json`, the JUnit file and a dashboard all read
 * the same thing without the catalogue.
 */

export const REPORT_KIND = 'guuru-emulator/verification';
export const REPORT_VERSION = 1;

export type CheckStatus = 'pending' | 'passed' | 'failed' | 'skipped';

/** A delivery the examiner sent, and what came back. */
export interface DeliveryEvidence {
  kind: 'delivery';
  /** Its X-Emulator-Delivery-Id header: <verification id>.<n>, in the order sent. */
  deliveryId: string;
  /** What was sent, e.g. "chat-assigned, body changed after signing". */
  label: string;
  event: string;
  chatId?: string;
  idempotencyKey: string;
  /** How X-Guuru-Hmac-Sha256 was set. */
  signature: 'valid' | 'body changed after signing' | 'other secret' | 'absent';
  attempt: number;
  /** The receiver's status code; absent when no answer came. */
  statusCode?: number;
  /** Why no answer came (refused connection, no answer in time...). */
  error?: string;
  /** The start of the answer's body. */
  response?: string;
  /** Wall-clock time to the answer (a timing: differs from run to run). */
  durationMs?: number;
}

export interface NoteEvidence {
  kind: 'note';
  text: string;
}

export type Evidence = DeliveryEvidence | ApiCallEvidence | NoteEvidence;

export interface CheckResult extends CheckDefinition {
  status: CheckStatus;
  /** The finding in one line: what was sent, what came back, what the integration then did. */
  evidence: string;
  details: Evidence[];
}

export type VerificationStatus = 'running' | 'passed' | 'failed' | 'error' | 'cancelled';

export interface VerificationSummary {
  total: number;
  passed: number;
  failed: number;
  skipped: number;
  pending: number;
  /** Required checks that failed (any makes the verification fail). */
  requiredFailed: number;
  recommendedFailed: number;
}

export interface AcknowledgementTimes {
  samples: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
}

export interface VerificationReport {
  kind: typeof REPORT_KIND;
  version: typeof REPORT_VERSION;
  id: string;
  /** passed: no required check failed; failed: one did; error: the verification could not run. */
  status: VerificationStatus;
  target: string;
  tenant: string;
  suites: SuiteName[];
  seed: number;
  /** How long the integration has to answer a delivery and to act on it. */
  timeoutMs: number;
  /** Why the verification could not run (status error) or was stopped. */
  error?: string;
  summary: VerificationSummary;
  checks: CheckResult[];
  /** Every delivery the receiver suite sent, in order (the checks cite the ones they rest on). */
  deliveries: DeliveryEvidence[];
  /** `--explore` / `--replay`: what was generated and played, and the minimal failing flow with its replay file. */
  explore?: ExploreReport;
  /** Timings (differ from run to run): when it ran and how fast the receiver answered. */
  timings: {
    startedAt: string;
    finishedAt?: string;
    durationMs?: number;
    acknowledgement?: AcknowledgementTimes;
  };
}

export function summarize(checks: readonly CheckResult[]): VerificationSummary {
  const count = (status: CheckStatus) => checks.filter((c) => c.status === status).length;
  return {
    total: checks.length,
    passed: count('passed'),
    failed: count('failed'),
    skipped: count('skipped'),
    pending: count('pending'),
    requiredFailed: checks.filter((c) => c.status === 'failed' && c.level === 'required').length,
    recommendedFailed: checks.filter((c) => c.status === 'failed' && c.level === 'recommended').length,
  };
}

export const pendingCheck = (definition: CheckDefinition): CheckResult => ({
  ...definition,
  status: 'pending',
  evidence: '',
  details: [],
});

/** The process exit code a report stands for: 0 every required check passed, 1 one failed, 2 it could not run. */
export function exitCodeOf(report: Pick<VerificationReport, 'status'>): 0 | 1 | 2 {
  return report.status === 'passed' ? 0 : report.status === 'failed' ? 1 : 2;
}

/** The explore part of a verification report. */
export interface ExploreReport {
  mode: 'explore' | 'replay';
  runs?: number;
  seed?: number;
  timeMs?: number;
  graceMs: number;
  maxSilenceMs?: number;
  /** Flows generated and played (before the failure, if one was found). */
  flows: number;
  /** Flows played while shrinking the failure. */
  shrinkRuns: number;
  /** The search stopped on its time budget before `runs` flows. */
  outOfTime: boolean;
  failure?: {
    property: string;
    rule: string;
    /** The minimal flow in words, numbered. */
    steps: string[];
    /** Steps of the first failing flow, before shrinking. */
    originalSteps: number;
    text: string;
    /** The replay file's content (`verify --replay FILE`). */
    file: FlowFile;
  };
  /** Wall-clock time (a timing). */
  durationMs?: number;
}
