import { junitXml, type JUnitCase, type JUnitSuite } from '../kernel/junit-xml.js';
import type { CheckResult, VerificationReport } from './report.js';

function testcase(check: CheckResult): JUnitCase {
  const base = { classname: `guuru-emulator.verify.${check.suite}`, name: `${check.id}: ${check.title}` };
  const text = [
    `${check.rule}`,
    `Doc: ${check.doc.title} <${check.doc.url}>`,
    `Level: ${check.level}`,
    `Evidence: ${check.evidence}`,
  ].join('\n');
  if (check.status === 'failed')
    return {
      ...base,
      failure: {
        message: `${check.level === 'recommended' ? '[recommended] ' : ''}${check.evidence}`,
        type: check.level,
        text,
      },
    };
  if (check.status === 'skipped' || check.status === 'pending')
    return { ...base, skipped: { message: check.evidence || 'not examined' } };
  return { ...base, out: text };
}

/**
 * The report as JUnit XML: one testsuite per suite, one testcase per check, the evidence as the
 * failure message. A verification that could not run adds a testcase with an <error>.
 */
export function toJUnit(report: VerificationReport): string {
  const timing = { durationMs: report.timings.durationMs, startedAt: report.timings.startedAt };
  const suites: JUnitSuite[] = report.suites.map((suite) => ({
    name: suite,
    ...timing,
    properties: [
      ['target', report.target],
      ['tenant', report.tenant],
      ['seed', String(report.seed)],
      ['timeoutMs', String(report.timeoutMs)],
      ['verification', report.id],
    ],
    cases: report.checks.filter((c) => c.suite === suite).map(testcase),
  }));
  if (report.status === 'error' || report.status === 'cancelled') {
    suites.push({
      name: 'verification',
      ...timing,
      cases: [
        {
          classname: 'guuru-emulator.verify',
          name: 'the verification ran',
          error: { message: report.error ?? report.status, type: report.status },
        },
      ],
    });
  }
  return junitXml(`guuru-emulator verify ${report.target}`, report.timings.durationMs, suites);
}
