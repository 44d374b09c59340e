import { changesOf, DRIFT_LEVELS, fails, type DriftChange, type DriftReport } from './report.js';

const paint = (colour: boolean, code: number, text: string) => (colour ? `\u001b[${code}m${text}\u001b[39m` : text);
const TAG = { breaking: ['BREAKING ', 31], dangerous: ['DANGEROUS', 33], safe: ['SAFE     ', 32] } as const;

export function changeLine(change: DriftChange, colour: boolean): string {
  const [tag, code] = TAG[change.level];
  return `${paint(colour, code, tag)}  ${change.api.padEnd(7)}  ${change.message}${change.path ? `  (${change.path})` : ''}`;
}

/** The terminal lines of a report: what was compared, each change, the verdict. */
export function reportLines(report: DriftReport, colour: boolean): string[] {
  const lines: string[] = [];
  if (report.graphql) {
    const { url, error, changes } = report.graphql;
    lines.push(
      error
        ? `${paint(colour, 31, 'ERROR')}  graphql  ${error}`
        : `graphql  ${url}: the live schema against the emulator's (${report.emulatorVersion}), ${changes.length === 0 ? 'the same' : `${changes.length} change(s)`}`,
    );
  }
  if (report.gurusup) {
    const { url, error, probes } = report.gurusup;
    if (error) lines.push(`${paint(colour, 31, 'ERROR')}  gurusup  ${error}`);
    else {
      lines.push(`gurusup  ${url}: ${probes.length} read-only request(s)`);
      for (const probe of probes)
        lines.push(
          `  GET ${probe.path} (${probe.label}): HTTP ${probe.status ?? '-'}, the emulator ${probe.expectedStatus}${probe.note ? `; ${probe.note}` : ''}`,
        );
    }
  }
  // The worst first; within a level, in the report's order.
  const ordered = DRIFT_LEVELS.flatMap((level) => changesOf(report).filter((c) => c.level === level));
  for (const change of ordered) lines.push(changeLine(change, colour));
  const { breaking, dangerous, safe } = report.summary;
  const failing = changesOf(report).filter((c) => fails(c.level, report.failOn)).length;
  const verdict = {
    'no-drift': 'no drift',
    drift: `drift, none at or over --fail-on ${report.failOn}`,
    failed: `${failing} change(s) at or over --fail-on ${report.failOn}`,
    error: 'could not compare everything (see ERROR above)',
  }[report.status];
  lines.push(`${breaking} breaking, ${dangerous} dangerous, ${safe} safe: ${verdict}`);
  return lines;
}
