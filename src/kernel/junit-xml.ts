/**
 * JUnit XML (the testsuites/testsuite/testcase shape every CI reads), written from plain data. The
 * reports of `verify` and `drift` each say what their testcases are; this says how they are written.
 */

// XML 1.0 forbids most control characters even when escaped.
const INVALID_XML = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/g;

export const escapeXml = (text: string): string =>
  text
    .replace(INVALID_XML, '')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;');

const attrs = (values: Record<string, string | number>): string =>
  Object.entries(values)
    .map(([k, v]) => `${k}="${escapeXml(String(v))}"`)
    .join(' ');

const seconds = (ms: number | undefined): string => ((ms ?? 0) / 1000).toFixed(3);

/** One testcase: passed (with `out`), or failed, in error, or skipped. */
export interface JUnitCase {
  classname: string;
  name: string;
  failure?: { message: string; type: string; text: string };
  error?: { message: string; type: string };
  skipped?: { message: string };
  /** What a passed case prints (its evidence). */
  out?: string;
}

export interface JUnitSuite {
  name: string;
  durationMs?: number;
  /** ISO 8601 start, written without its fraction (as the schema wants). */
  startedAt: string;
  properties?: [string, string][];
  cases: JUnitCase[];
}

function testcase(c: JUnitCase): string {
  const head = `    <testcase ${attrs({ classname: c.classname, name: c.name, time: '0.000' })}>`;
  let inner: string;
  if (c.failure)
    inner = `      <failure ${attrs({ message: c.failure.message, type: c.failure.type })}>${escapeXml(c.failure.text)}</failure>`;
  else if (c.error) inner = `      <error ${attrs({ message: c.error.message, type: c.error.type })}/>`;
  else if (c.skipped) inner = `      <skipped ${attrs({ message: c.skipped.message })}/>`;
  else inner = `      <system-out>${escapeXml(c.out ?? '')}</system-out>`;
  return `${head}\n${inner}\n    </testcase>`;
}

const count = (cases: JUnitCase[]) => ({
  tests: cases.length,
  failures: cases.filter((c) => c.failure).length,
  errors: cases.filter((c) => c.error).length,
  skipped: cases.filter((c) => c.skipped).length,
});

/** The whole document: one testsuite each, totals over them all. */
export function junitXml(name: string, durationMs: number | undefined, suites: JUnitSuite[]): string {
  const body = suites.map((suite) => {
    const properties = suite.properties?.length
      ? [
          `    <properties>\n${suite.properties.map(([key, value]) => `      <property ${attrs({ name: key, value })}/>`).join('\n')}\n    </properties>`,
        ]
      : [];
    return [
      `  <testsuite ${attrs({ name: suite.name, ...count(suite.cases), time: seconds(suite.durationMs), timestamp: suite.startedAt.replace(/\.\d+Z$/, '') })}>`,
      ...properties,
      ...suite.cases.map(testcase),
      '  </testsuite>',
    ].join('\n');
  });
  const totals = { name, ...count(suites.flatMap((s) => s.cases)), time: seconds(durationMs) };
  return `<?xml version="1.0" encoding="UTF-8"?>\n<testsuites ${attrs(totals)}>\n${body.join('\n')}\n</testsuites>\n`;
}
