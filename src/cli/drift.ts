/**
 * `guuru-emulator drift`: compares a live GUURU Admin API (and Gurusup API) with this emulator, by
 * introspection and read-only requests, and says what moved. It needs no emulator running: the
 * emulator side is the schema and Gurusup document this package ships.
 */
import { readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { openApiDocument as gurusupDocument } from '../gurusup/openapi.js';
import { packagePath } from '../kernel/paths.js';
import { VERSION } from '../kernel/version.js';
import { driftToJUnit } from '../drift/junit.js';
import { reportLines } from '../drift/lines.js';
import { DRIFT_LEVELS, driftExitCode, type DriftLevel } from '../drift/report.js';
import { runDrift as compare } from '../drift/run.js';

export interface DriftFlags {
  /** The live Admin API's GraphQL endpoint. */
  url?: string;
  token?: string;
  gurusupUrl?: string;
  apiKey?: string;
  failOn?: string;
  json?: string;
  junit?: string;
  timeout?: number;
}

/** A usage error: exit 2 with this message. */
export class DriftUsageError extends Error {}

function httpUrl(flag: string, value: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new DriftUsageError(
      `${flag}: "${value}" is not a URL; use an http(s) URL such as https://api.guuru.com/graphql.`,
    );
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    throw new DriftUsageError(`${flag}: "${value}" is not an http(s) URL.`);
  return url.href;
}

export async function runDrift(
  flags: DriftFlags,
  out: Pick<Console, 'log'> = console,
  env: NodeJS.ProcessEnv = process.env,
): Promise<number> {
  const token = flags.token ?? env.GUURU_API_TOKEN;
  const apiKey = flags.apiKey ?? env.GURUSUP_API_KEY;
  if (flags.url === undefined && flags.gurusupUrl === undefined)
    throw new DriftUsageError(
      'nothing to compare: pass --url (the live Admin API, with --token) and/or --gurusup-url (with --api-key).',
    );
  if (flags.gurusupUrl !== undefined && !apiKey)
    throw new DriftUsageError(
      '--gurusup-url needs --api-key (or GURUSUP_API_KEY): the organisation key its read-only requests use.',
    );
  const failOn = (flags.failOn ?? 'breaking') as DriftLevel;
  if (!DRIFT_LEVELS.includes(failOn))
    throw new DriftUsageError(`--fail-on: "${flags.failOn}" is not one of ${DRIFT_LEVELS.join(', ')}.`);
  const report = await compare({
    ...(flags.url !== undefined ? { graphql: { url: httpUrl('--url', flags.url), ...(token ? { token } : {}) } } : {}),
    ...(flags.gurusupUrl !== undefined
      ? { gurusup: { url: httpUrl('--gurusup-url', flags.gurusupUrl), apiKey: apiKey! } }
      : {}),
    emulator: {
      version: VERSION,
      sdl: readFileSync(packagePath('schema.graphql'), 'utf8'),
      gurusupDocument: gurusupDocument(''),
    },
    failOn,
    timeoutMs: flags.timeout ?? 30_000,
  });
  const colour = Boolean(process.stdout.isTTY) && env.NO_COLOR === undefined;
  for (const line of reportLines(report, colour)) out.log(line);
  if (flags.json) await writeFile(flags.json, `${JSON.stringify(report, null, 2)}\n`);
  if (flags.junit) await writeFile(flags.junit, driftToJUnit(report));
  if (flags.json || flags.junit)
    out.log(`report written to ${[flags.json, flags.junit].filter(Boolean).join(' and ')}`);
  return driftExitCode(report);
}
