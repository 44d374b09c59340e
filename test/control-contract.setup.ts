import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { controlOpenApiDocument } from '../src/control/openapi.js';
import { contractViolations, readAnswers } from './helpers/control-contract.js';

/**
 * Global setup: every emulator the suite starts (in process or as a spawned CLI, which inherit the
 * environment) records its control-API answers; once every file has run, each is checked against
 * the control API's OpenAPI document, and any answer it does not allow fails the run.
 */
export default function setup(): () => void {
  const dir = mkdtempSync(join(tmpdir(), 'guuru-control-answers-'));
  process.env.GUURU_EMULATOR_RECORD_CONTROL = dir;
  return () => {
    const answers = readAnswers(dir);
    rmSync(dir, { recursive: true, force: true });
    const violations = contractViolations(controlOpenApiDocument('http://localhost/_emulator'), answers);
    if (violations.length > 0) {
      // vitest reports an error thrown here but still exits 0: the exit code is set instead.
      console.error(
        `\n${violations.length} control-API answer(s) of the test run do not match /_emulator/openapi.json (src/control/openapi.ts):\n${violations.slice(0, 50).join('\n')}`,
      );
      process.exitCode = 1;
      return;
    }
    console.log(`control API contract: ${answers.length} answers checked against /_emulator/openapi.json`);
  };
}
