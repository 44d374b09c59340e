import { styleText } from 'node:util';
import type { CheckResult, VerificationReport } from './report.js';

type Style = Parameters<typeof styleText>[0];

// The caller decides (colours on a TTY only, NO_COLOR honoured); styleText must not second-guess it.

const MARKS: Record<CheckResult['status'], { text: string; style: Style }> = {
  passed: { text: 'PASS', style: 'green' },
  failed: { text: 'FAIL', style: 'red' },
  skipped: { text: 'SKIP', style: 'yellow' },
  pending: { text: '....', style: 'gray' },
};

/** One terminal line per check: status, id, title, level when recommended, the evidence. Colours only when asked (a TTY). */
export function checkLine(check: CheckResult, colour: boolean): string {
  const paint = (style: Style, text: string) => (colour ? styleText(style, text, { validateStream: false }) : text);
  const mark = MARKS[check.status];
  const failedRecommended = check.status === 'failed' && check.level === 'recommended';
  const status = paint(failedRecommended ? 'yellow' : mark.style, failedRecommended ? 'WARN' : mark.text);
  const level = check.level === 'recommended' ? paint('gray', ' (recommended)') : '';
  return `${status}  ${paint('bold', check.id)}  ${check.title}${level}: ${check.evidence.replace(/\s+/g, ' ')}`;
}

/** The closing lines: the outcome, the counts, the acknowledgement times, what to do next. */
export function summaryLines(report: VerificationReport, colour: boolean): string[] {
  const paint = (style: Style, text: string) => (colour ? styleText(style, text, { validateStream: false }) : text);
  const s = report.summary;
  const outcome =
    report.status === 'passed'
      ? paint('green', 'PASSED')
      : report.status === 'failed'
        ? paint('red', 'FAILED')
        : paint('red', report.status.toUpperCase());
  const ack = report.timings.acknowledgement;
  const lines = [
    `${outcome}  ${s.total} checks: ${s.passed} passed, ${s.failed} failed (${s.requiredFailed} required), ${s.skipped} skipped` +
      (ack ? `; acknowledgement p50 ${ack.p50Ms} ms, p99 ${ack.p99Ms} ms` : ''),
  ];
  if (report.error) lines.push(`${report.status === 'error' ? 'could not run' : 'stopped'}: ${report.error}`);
  const failed = report.checks.filter((c) => c.status === 'failed');
  if (failed.length > 0) {
    lines.push('What the failures mean (the rule, and where it is documented):');
    for (const check of failed) lines.push(`  ${check.id}: ${check.rule} (${check.doc.url})`);
  }
  return lines;
}
