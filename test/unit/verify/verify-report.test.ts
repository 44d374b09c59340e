import { XMLParser } from 'fast-xml-parser';
import { describe, expect, it } from 'vitest';
import { RECEIVER_CHECKS } from '../../../src/verify/checks.js';
import { checkLine, summaryLines } from '../../../src/verify/checklist.js';
import { toJUnit } from '../../../src/verify/junit.js';
import {
  REPORT_KIND,
  exitCodeOf,
  pendingCheck,
  summarize,
  type CheckResult,
  type VerificationReport,
} from '../../../src/verify/report.js';
import { junitSchemaErrors } from '../../helpers/junit-schema.js';

const definition = (id: string) => RECEIVER_CHECKS.find((c) => c.id === id) ?? RECEIVER_CHECKS[0];

function report(
  checks: CheckResult[],
  status: VerificationReport['status'] = 'failed',
  error?: string,
): VerificationReport {
  return {
    kind: REPORT_KIND,
    version: 1,
    id: 'ver-3',
    status,
    target: 'http://127.0.0.1:8000/hooks?a=1&b=<2>',
    tenant: 'guuru-qa',
    suites: ['receiver'],
    seed: 1,
    timeoutMs: 10_000,
    ...(error ? { error } : {}),
    summary: summarize(checks),
    checks,
    deliveries: [],
    timings: { startedAt: '2026-11-22T10:00:00.000Z', finishedAt: '2026-11-22T10:00:02.000Z', durationMs: 2_345 },
  };
}

const checks: CheckResult[] = [
  {
    ...pendingCheck(definition('receiver.signed-accepted')),
    status: 'passed',
    evidence: 'chat-assigned (chat A) correctly signed → 200; then acceptChat ×1',
  },
  {
    ...pendingCheck(definition('receiver.idempotent')),
    status: 'failed',
    evidence: 'sent twice → 200, 200; then acceptChat ×2 <"second" & \'copy\'>\u0007 acted on',
  },
  {
    ...pendingCheck(definition('receiver.retry-after-timeout')),
    status: 'skipped',
    evidence: 'not examined: a plain duplicate is already acted on twice',
  },
  { ...pendingCheck(definition('receiver.ack-under-2s')), status: 'failed', evidence: 'p99 2100 ms' },
];

describe('verification reports', () => {
  it('count, and map to exit codes 0 / 1 / 2', () => {
    expect(summarize(checks)).toEqual({
      total: 4,
      passed: 1,
      failed: 2,
      skipped: 1,
      pending: 0,
      requiredFailed: 1,
      recommendedFailed: 1,
    });
    expect(exitCodeOf({ status: 'passed' })).toBe(0);
    expect(exitCodeOf({ status: 'failed' })).toBe(1);
    expect(exitCodeOf({ status: 'error' })).toBe(2);
    expect(exitCodeOf({ status: 'cancelled' })).toBe(2);
  });

  it('render as JUnit XML that validates against the JUnit schema and reads back with the evidence as failure message', async () => {
    const xml = toJUnit(report(checks));
    expect(await junitSchemaErrors(xml)).toEqual([]);
    const parsed = new XMLParser({
      ignoreAttributes: false,
      isArray: (name) => name === 'testcase' || name === 'testsuite',
    }).parse(xml);
    expect(parsed.testsuites).toMatchObject({
      '@_tests': '4',
      '@_failures': '2',
      '@_skipped': '1',
      '@_errors': '0',
      '@_time': '2.345',
    });
    const suite = parsed.testsuites.testsuite[0];
    expect(suite).toMatchObject({
      '@_name': 'receiver',
      '@_tests': '4',
      '@_failures': '2',
      '@_skipped': '1',
      '@_timestamp': '2026-11-22T10:00:00',
    });
    const cases = suite.testcase;
    expect(cases.map((c: any) => c['@_name'])).toEqual([
      'receiver.signed-accepted: Accepts a correctly signed delivery',
      'receiver.idempotent: Acts once on a delivery received twice',
      'receiver.retry-after-timeout: Acts once on a delivery retried after a timeout',
      'receiver.ack-under-2s: Acknowledges within 2 s',
    ]);
    // Escaped, control characters dropped, read back as written.
    expect(cases[1].failure['@_message']).toBe(
      'sent twice → 200, 200; then acceptChat ×2 <"second" & \'copy\'> acted on',
    );
    expect(cases[1].failure['@_type']).toBe('required');
    expect(cases[1].failure['#text']).toMatch(
      /Doc: GUURU webhooks: Getting started .*<https:\/\/developers.guuru.com\/docs\/webhooks\/start>/,
    );
    expect(cases[2].skipped['@_message']).toBe('not examined: a plain duplicate is already acted on twice');
    expect(cases[3].failure['@_message']).toBe('[recommended] p99 2100 ms');
    expect(cases[0]['system-out']).toMatch(/Evidence: chat-assigned \(chat A\) correctly signed/);
    const properties = Object.fromEntries(suite.properties.property.map((p: any) => [p['@_name'], p['@_value']]));
    expect(properties).toMatchObject({
      target: 'http://127.0.0.1:8000/hooks?a=1&b=<2>',
      verification: 'ver-3',
      seed: '1',
    });
  });

  it('adds an <error> testcase when the verification could not run', async () => {
    const skipped = checks.map((c) => ({
      ...c,
      status: 'skipped' as const,
      evidence: 'not examined: cannot reach the target',
    }));
    const xml = toJUnit(report(skipped, 'error', 'cannot reach the target http://127.0.0.1:9: connection refused'));
    expect(await junitSchemaErrors(xml)).toEqual([]);
    const parsed = new XMLParser({ ignoreAttributes: false, isArray: (name) => name === 'testsuite' }).parse(xml);
    expect(parsed.testsuites['@_errors']).toBe('1');
    expect(parsed.testsuites.testsuite[1].testcase.error['@_message']).toMatch(/connection refused/);
  });

  it('the schema check itself refuses a malformed JUnit file', async () => {
    const broken = toJUnit(report(checks))
      .replace(/ classname="[^"]*"/, '')
      .replace('<skipped', '<failure message="x"/><skipped');
    const errors = await junitSchemaErrors(broken);
    expect(errors.join('\n')).toMatch(/attribute 'classname' is required/);
    expect(errors.join('\n')).toMatch(/Element 'skipped': This element is not expected/);
  });

  it('print one line per check, coloured only when asked', () => {
    const plain = checkLine(checks[1] as CheckResult, false);
    expect(plain).toBe(
      `FAIL  receiver.idempotent  Acts once on a delivery received twice: ${checks[1]?.evidence.replace(/\s+/g, ' ')}`,
    );
    expect(plain).not.toMatch(/\u001b\[/);
    expect(checkLine(checks[1] as CheckResult, true)).toMatch(/\u001b\[31mFAIL\u001b\[39m/);
    expect(checkLine(checks[3] as CheckResult, false)).toMatch(
      /^WARN  receiver.ack-under-2s  Acknowledges within 2 s \(recommended\): p99 2100 ms$/,
    );
    expect(checkLine(checks[2] as CheckResult, false)).toMatch(/^SKIP  /);
    const summary = summaryLines(report(checks), false);
    expect(summary[0]).toBe('FAILED  4 checks: 1 passed, 2 failed (1 required), 1 skipped');
    expect(summary.join('\n')).toMatch(
      /receiver.idempotent: The same delivery .* \(https:\/\/developers.guuru.com\/docs\/webhooks\/start\)/,
    );
  });
});
