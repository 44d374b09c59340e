import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { validateXML } from 'xmllint-wasm';

const XSD = readFileSync(fileURLToPath(new URL('../fixtures/junit.xsd', import.meta.url)), 'utf8');

/** Validates a JUnit XML document against the common JUnit schema shape (libxml2, compiled to wasm); returns libxml2's errors. */
export async function junitSchemaErrors(xml: string): Promise<string[]> {
  const result = await validateXML({
    xml: [{ fileName: 'report.xml', contents: xml }],
    schema: [{ fileName: 'junit.xsd', contents: XSD }],
  });
  return result.errors.map((e) => e.message);
}
