import type { CheckResult, VerificationReport } from './report.js';

// XML 1.0 forbids most control characters even when escaped.
const INVALID_XML = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/g;

const escape = (text: string): string =>
  text.replace(INVALID_XML, '').replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&apos;');

const attrs = (values: Record<string, string | number>): string =>
  Object.entries(values)
    .map(([k, v]) => `${k}="${escape(String(v))}"`)
    .join(' ');

const seconds = (ms: number | undefined): string => ((ms ?? 0) / 1000).toFixed(3);

function testcase(check: CheckResult): string {
  const head = `    <testcase ${attrs({ classname: `guuru-emulator.verify.${check.suite}`, name: `${check.id}: ${check.title}`, time: '0.000' })}>`;
  const body = [`${check.rule}`, `Doc: ${check.doc.title} <${check.doc.url}>`, `Level: ${check.level}`, `Evidence: ${check.evidence}`].join('\n');
  let inner: string;
  if (check.status === 'failed') {
    inner = `      <failure ${attrs({ message: `${check.level === 'recommended' ? '[recommended] ' : ''}${check.evidence}`, type: check.level })}>${escape(body)}</failure>`;
  } else if (check.status === 'skipped' || check.status === 'pending') {
    inner = `      <skipped ${attrs({ message: check.evidence || 'not examined' })}/>`;
  } else {
    inner = `      <system-out>${escape(body)}</system-out>`;
  }
  return `${head}\n${inner}\n    </testcase>`;
}

/**
 * The report as JUnit XML (the testsuites/testsuite/testcase shape every CI reads): one testsuite
 * per suite, one testcase per check, the evidence as the failure message. A verification that could
 * not run adds a testcase with an <error>.
 */
export function toJUnit(report: VerificationReport): string {
  const suites = report.suites.map((suite) => {
    const checks = report.checks.filter((c) => c.suite === suite);
    const failures = checks.filter((c) => c.status === 'failed').length;
    const skipped = checks.filter((c) => c.status === 'skipped' || c.status === 'pending').length;
    const properties = [
      ['target', report.target],
      ['tenant', report.tenant],
      ['seed', String(report.seed)],
      ['timeoutMs', String(report.timeoutMs)],
      ['verification', report.id],
    ]
      .map(([name, value]) => `      <property ${attrs({ name: name as string, value: value as string })}/>`)
      .join('\n');
    return [
      `  <testsuite ${attrs({ name: suite, tests: checks.length, failures, errors: 0, skipped, time: seconds(report.timings.durationMs), timestamp: report.timings.startedAt.replace(/\.\d+Z$/, '') })}>`,
      `    <properties>\n${properties}\n    </properties>`,
      ...checks.map(testcase),
      '  </testsuite>',
    ].join('\n');
  });
  if (report.status === 'error' || report.status === 'cancelled') {
    suites.push(
      [
        `  <testsuite ${attrs({ name: 'verification', tests: 1, failures: 0, errors: 1, skipped: 0, time: seconds(report.timings.durationMs), timestamp: report.timings.startedAt.replace(/\.\d+Z$/, '') })}>`,
        `    <testcase ${attrs({ classname: 'guuru-emulator.verify', name: 'the verification ran', time: '0.000' })}>`,
        `      <error ${attrs({ message: report.error ?? report.status, type: report.status })}/>`,
        '    </testcase>',
        '  </testsuite>',
      ].join('\n'),
    );
  }
  const all = report.checks;
  const totals = {
    name: `guuru-emulator verify ${report.target}`,
    tests: all.length + (report.status === 'error' || report.status === 'cancelled' ? 1 : 0),
    failures: all.filter((c) => c.status === 'failed').length,
    errors: report.status === 'error' || report.status === 'cancelled' ? 1 : 0,
    skipped: all.filter((c) => c.status === 'skipped' || c.status === 'pending').length,
    time: seconds(report.timings.durationMs),
  };
  return `<?xml version="1.0" encoding="UTF-8"?>\n<testsuites ${attrs(totals)}>\n${suites.join('\n')}\n</testsuites>\n`;
}
