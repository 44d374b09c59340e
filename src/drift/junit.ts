import { junitXml, type JUnitCase, type JUnitSuite } from '../kernel/junit-xml.js';
import { fails, type DriftChange, type DriftReport } from './report.js';

function changeCase(change: DriftChange, failOn: DriftReport['failOn']): JUnitCase {
  const base = { classname: `guuru-emulator.drift.${change.api}`, name: `${change.level}: ${change.message}` };
  const text = [
    `Level: ${change.level}`,
    `Type: ${change.type}`,
    ...(change.path ? [`Path: ${change.path}`] : []),
  ].join('\n');
  return fails(change.level, failOn)
    ? { ...base, failure: { message: change.message, type: change.level, text } }
    : { ...base, out: text };
}

const ranCase = (api: string, url: string, error: string | undefined): JUnitCase =>
  error === undefined
    ? { classname: `guuru-emulator.drift.${api}`, name: `compared ${url}`, out: 'read only' }
    : { classname: `guuru-emulator.drift.${api}`, name: `compared ${url}`, error: { message: error, type: 'error' } };

/**
 * The report as JUnit XML: a testsuite per API; a testcase that says whether the comparison ran,
 * then one per change (a failure at or over --fail-on), and for Gurusup one per request.
 */
export function driftToJUnit(report: DriftReport): string {
  const timing = { durationMs: report.timings.durationMs, startedAt: report.timings.startedAt };
  const properties: [string, string][] = [
    ['emulatorVersion', report.emulatorVersion],
    ['failOn', report.failOn],
  ];
  const suites: JUnitSuite[] = [];
  if (report.graphql) {
    const { url, error, changes } = report.graphql;
    suites.push({
      name: 'graphql',
      ...timing,
      properties: [['url', url], ...properties],
      cases: [ranCase('graphql', url, error), ...changes.map((c) => changeCase(c, report.failOn))],
    });
  }
  if (report.gurusup) {
    const { url, error, probes } = report.gurusup;
    const cases = probes.flatMap((probe): JUnitCase[] => {
      const head: JUnitCase = {
        classname: 'guuru-emulator.drift.gurusup',
        name: `GET ${probe.path}: ${probe.label}`,
        out: `HTTP ${probe.status ?? '-'} (the emulator: ${probe.expectedStatus})${probe.note ? `\n${probe.note}` : ''}`,
      };
      return [head, ...probe.changes.map((c) => changeCase(c, report.failOn))];
    });
    suites.push({
      name: 'gurusup',
      ...timing,
      properties: [['url', url], ...properties],
      cases: [ranCase('gurusup', url, error), ...cases],
    });
  }
  return junitXml(`guuru-emulator drift`, report.timings.durationMs, suites);
}
