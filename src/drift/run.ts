import type { GurusupDocument } from './gurusup.js';
import { probeGurusup } from './gurusup.js';
import { compareSchemas, introspect } from './graphql.js';
import { LiveApiError } from './http.js';
import { DRIFT_REPORT_KIND, DRIFT_REPORT_VERSION, summarize, type DriftLevel, type DriftReport } from './report.js';

export interface DriftOptions {
  /** The live Admin API (GraphQL endpoint) and a tenant's API token. */
  graphql?: { url: string; token?: string };
  /** The live Gurusup API (its base URL) and an organisation's key. */
  gurusup?: { url: string; apiKey: string };
  /** What the live APIs are compared with: the emulator's schema and Gurusup document. */
  emulator: { version: string; sdl: string; gurusupDocument: GurusupDocument };
  failOn: DriftLevel;
  timeoutMs: number;
}

const reason = (error: unknown): string => {
  if (error instanceof LiveApiError) return error.message;
  return `unexpected: ${(error as Error).message}`;
};

/** Compares the live APIs with the emulator, reading only. */
export async function runDrift(options: DriftOptions): Promise<DriftReport> {
  const started = Date.now();
  const parts: Pick<DriftReport, 'graphql' | 'gurusup'> = {};
  if (options.graphql) {
    const { url, token } = options.graphql;
    try {
      parts.graphql = {
        url,
        changes: await compareSchemas(options.emulator.sdl, await introspect(url, token, options.timeoutMs)),
      };
    } catch (error) {
      parts.graphql = { url, error: reason(error), changes: [] };
    }
  }
  if (options.gurusup) {
    const { url, apiKey } = options.gurusup;
    try {
      parts.gurusup = {
        url,
        probes: await probeGurusup(url, apiKey, options.emulator.gurusupDocument, options.timeoutMs),
      };
    } catch (error) {
      parts.gurusup = { url, error: reason(error), probes: [] };
    }
  }
  const finished = Date.now();
  return {
    kind: DRIFT_REPORT_KIND,
    version: DRIFT_REPORT_VERSION,
    ...summarize(parts, options.failOn),
    emulatorVersion: options.emulator.version,
    failOn: options.failOn,
    ...parts,
    timings: {
      startedAt: new Date(started).toISOString(),
      finishedAt: new Date(finished).toISOString(),
      durationMs: finished - started,
    },
  };
}
