/**
 * A drift report: what differs between a live API and the emulator, each difference with how much
 * it matters to an integration built against the emulator. Self-describing JSON, like a verify report.
 */

export const DRIFT_REPORT_KIND = 'guuru-emulator/drift';
export const DRIFT_REPORT_VERSION = 1;

/** breaking: code written against the emulator fails live; dangerous: it may behave differently; safe: nothing it uses changed. */
export type DriftLevel = 'breaking' | 'dangerous' | 'safe';
export const DRIFT_LEVELS: readonly DriftLevel[] = ['breaking', 'dangerous', 'safe'];

export interface DriftChange {
  api: 'graphql' | 'gurusup';
  level: DriftLevel;
  /** A stable kind, e.g. FIELD_REMOVED (GraphQL Inspector's change types) or FIELD_MISSING (Gurusup). */
  type: string;
  /** Where: a schema coordinate (Chat.rating) or an endpoint and field (GET /threads: lang). */
  path?: string;
  /** Read from the emulator to the live API: "removed" means the live API does not have it. */
  message: string;
}

/** One read-only request to the live Gurusup API and what it showed. */
export interface GurusupProbe {
  method: 'GET';
  path: string;
  /** What it asks, e.g. "the threads, without the key". */
  label: string;
  expectedStatus: number;
  /** Absent when no answer came. */
  status?: number;
  /** Why the fields were not compared, or why no answer came. */
  note?: string;
  changes: DriftChange[];
}

export interface DriftPart {
  url: string;
  /** Why the comparison could not run (then its changes are what was found before). */
  error?: string;
}

export interface DriftReport {
  kind: typeof DRIFT_REPORT_KIND;
  version: typeof DRIFT_REPORT_VERSION;
  /** no-drift: nothing differs; drift: only changes under --fail-on; failed: one at or over it; error: a part could not run. */
  status: 'no-drift' | 'drift' | 'failed' | 'error';
  /** The emulator version compared against. */
  emulatorVersion: string;
  failOn: DriftLevel;
  graphql?: DriftPart & { changes: DriftChange[] };
  gurusup?: DriftPart & { probes: GurusupProbe[] };
  summary: Record<DriftLevel, number>;
  timings: { startedAt: string; finishedAt: string; durationMs: number };
}

/** Every change of the report, GraphQL first. */
export function changesOf(report: Pick<DriftReport, 'graphql' | 'gurusup'>): DriftChange[] {
  return [...(report.graphql?.changes ?? []), ...(report.gurusup?.probes.flatMap((p) => p.changes) ?? [])];
}

/** Does a change of this level fail the run under --fail-on? */
export const fails = (level: DriftLevel, failOn: DriftLevel): boolean =>
  DRIFT_LEVELS.indexOf(level) <= DRIFT_LEVELS.indexOf(failOn);

export function summarize(
  parts: Pick<DriftReport, 'graphql' | 'gurusup'>,
  failOn: DriftLevel,
): Pick<DriftReport, 'status' | 'summary'> {
  const changes = changesOf(parts);
  const summary = { breaking: 0, dangerous: 0, safe: 0 };
  for (const change of changes) summary[change.level] += 1;
  const error = parts.graphql?.error !== undefined || parts.gurusup?.error !== undefined;
  const status = error
    ? 'error'
    : changes.some((c) => fails(c.level, failOn))
      ? 'failed'
      : changes.length > 0
        ? 'drift'
        : 'no-drift';
  return { status, summary };
}

/** 0 no drift that fails, 1 drift at or over --fail-on, 2 a part could not run. */
export function driftExitCode(report: Pick<DriftReport, 'status'>): 0 | 1 | 2 {
  return report.status === 'error' ? 2 : report.status === 'failed' ? 1 : 0;
}
