import type { CheckStatus, Evidence, ExploreReport } from '../report.js';
import { EXPLORE_PROPERTIES, violations, type Violation } from './properties.js';
import type { FlowFile } from './flow-file.js';
import { numbered, toFlowFile } from './replay.js';

export type { ExploreReport } from '../report.js';
import { playFlow, ReplayDiverged, type ExploreContext, type Played, type TraceEntry } from './runner.js';
import { explore } from './shrink.js';

/** What `--explore` asks for. */
export interface ExploreSettings {
  /** The verification's number in this emulator (see ExploreOptions.salt). */
  salt?: number;
  runs: number;
  seed: number;
  timeMs: number;
  graceMs: number;
  maxSilenceMs: number;
}

type Settle = (id: string, status: Exclude<CheckStatus, 'pending'>, evidence: string, details?: Evidence[]) => void;

const evidenceOf = (entries: TraceEntry[]): Evidence[] =>
  entries.map((e): Evidence => {
    if (e.kind === 'note') return { kind: 'note', text: `step ${e.step + 1}: ${e.text}` };
    if (e.kind === 'call')
      return {
        kind: 'api-call',
        requestId: e.requestId,
        operation: e.operation,
        chatId: e.chatId,
        ok: e.ok,
        ...(e.errorCode ? { errorCode: e.errorCode } : {}),
        ...(e.errorMessage ? { errorMessage: e.errorMessage } : {}),
      };
    return {
      kind: 'delivery',
      deliveryId: e.deliveryId,
      label: `${e.step !== undefined ? `step ${e.step + 1}: ` : 'echo of your call: '}${e.event}${e.author ? ` (${e.author})` : ''}${e.copies > 1 ? `, copy ${e.copy} of ${e.copies}` : ''}`,
      event: e.event,
      chatId: e.chatId,
      idempotencyKey: e.idempotencyKey,
      signature: 'valid',
      attempt: e.attempt,
      ...(e.statusCode !== undefined ? { statusCode: e.statusCode } : {}),
      ...(e.error !== undefined ? { error: e.error } : {}),
      ...(e.durationMs !== undefined ? { durationMs: e.durationMs } : {}),
    };
  });

function failureOf(
  violation: Violation,
  played: Played,
  tenant: string,
  graceMs: number,
  maxSilenceMs: number,
): NonNullable<ExploreReport['failure']> {
  const definition = EXPLORE_PROPERTIES.find((p) => p.id === violation.property) as (typeof EXPLORE_PROPERTIES)[number];
  const file = toFlowFile({
    property: violation.property,
    rule: definition.rule,
    failure: violation.text,
    seed: played.seed,
    tenant,
    timeoutMs: played.timeoutMs,
    graceMs,
    maxSilenceMs,
    flow: played.flow,
    deliveries: played.rendered,
    chats: Object.fromEntries(played.chats.map((c) => [c.label, c.id])),
  });
  return {
    property: violation.property,
    rule: definition.rule,
    steps: numbered(played.flow),
    originalSteps: played.flow.length,
    text: violation.text,
    file,
  };
}

/** The check's evidence line: the minimal flow in words, then what broke. */
const failedLine = (failure: NonNullable<ExploreReport['failure']>) =>
  `minimal flow (${failure.steps.length} step${failure.steps.length === 1 ? '' : 's'}): ${failure.steps.join(' ')} → ${failure.text}`;

/**
 * Runs `--explore` (generate, play, shrink) or `--replay` (one recorded flow) and settles one check
 * per property: the broken one with the minimal flow, the others with how many flows kept them.
 */
export async function runExplore(
  x: ExploreContext,
  request: { explore: ExploreSettings } | { replay: FlowFile },
  tenant: string,
  settle: Settle,
  report: ExploreReport,
): Promise<void> {
  const started = performance.now();
  let broken: { violation: Violation; played: Played } | undefined;
  let all: Violation[] = [];
  if ('replay' in request) {
    const file = request.replay;
    let played: Played;
    try {
      played = await playFlow(
        { ...x, graceMs: file.graceMs, maxSilenceMs: file.maxSilenceMs ?? x.maxSilenceMs },
        file.flow,
        file.seed,
        file.deliveries,
      );
    } catch (error) {
      if (error instanceof ReplayDiverged)
        throw new Error(
          `cannot replay: ${error.message}. Replay on an emulator where the flow's chats (${Object.values(file.chats).join(', ')}) do not exist yet, such as a fresh one.`,
        );
      throw error;
    }
    report.flows = 1;
    all = violations(played);
    const violation = all.find((v) => v.property === file.property) ?? all[0];
    if (violation) broken = { violation, played };
  } else {
    // Live counts while it runs (the report is read while the verification goes on).
    const outcome = await explore(x, {
      ...request.explore,
      maxSteps: 8,
      onFlow: (_played, phase) => (phase === 'search' ? (report.flows += 1) : (report.shrinkRuns += 1)),
    });
    report.flows = outcome.flows;
    report.shrinkRuns = outcome.shrinkRuns;
    report.outOfTime = outcome.outOfTime;
    if (outcome.failure) {
      broken = { violation: outcome.failure.violation, played: outcome.failure.played };
      all = [outcome.failure.violation];
      report.failure = {
        ...failureOf(outcome.failure.violation, outcome.failure.played, tenant, x.graceMs, x.maxSilenceMs),
        originalSteps: outcome.failure.original.length,
      };
    }
  }
  if (broken && !report.failure)
    report.failure = failureOf(
      broken.violation,
      broken.played,
      tenant,
      x.graceMs,
      'replay' in request ? (request.replay.maxSilenceMs ?? x.maxSilenceMs) : x.maxSilenceMs,
    );
  const kept =
    'replay' in request
      ? 'the replayed flow'
      : `${report.flows} generated flow${report.flows === 1 ? '' : 's'}${report.outOfTime ? ' (the time budget ended the search)' : ''}`;
  for (const property of EXPLORE_PROPERTIES) {
    const violation = all.find((v) => v.property === property.id);
    if (violation && broken && report.failure && violation.property === report.failure.property) {
      settle(property.id, 'failed', failedLine(report.failure), evidenceOf(violation.evidence));
    } else if (violation) {
      settle(property.id, 'failed', `${violation.text} (in ${kept})`, evidenceOf(violation.evidence));
    } else {
      settle(
        property.id,
        'passed',
        `kept in ${kept}${broken ? ` (the search stopped at the first failure, of ${broken.violation.property})` : ''}`,
      );
    }
  }
  report.durationMs = Math.round(performance.now() - started);
}
