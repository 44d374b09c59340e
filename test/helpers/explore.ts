import { startReferenceIntegration, type ReferenceOptions } from './reference-integration.js';
import type { TestEmulator } from './emulator.js';

/** The reference integration as explored: closes a chat after 300 ms of customer silence (so flows reach reopen and rating). */
export const EXPLORED: Partial<ReferenceOptions> = { closeAfterSilenceMs: 300 };

export type ExploreReportJson = {
  id: string;
  status: string;
  error?: string;
  suites: string[];
  checks: { id: string; status: string; evidence: string; details: any[] }[];
  explore: {
    mode: string;
    flows: number;
    shrinkRuns: number;
    outOfTime: boolean;
    durationMs: number;
    failure?: { property: string; rule: string; steps: string[]; originalSteps: number; text: string; file: any };
  };
  timings: any;
};

/** Starts a verification through the control API and waits for its report. */
export async function verifyOn(t: TestEmulator, body: Record<string, unknown>): Promise<ExploreReportJson> {
  const started = await fetch(`${t.url}/_emulator/verifications`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  if (started.status !== 202)
    throw new Error(`POST /_emulator/verifications → ${started.status} ${await started.text()}`);
  const { id } = (await started.json()) as { id: string };
  return (await (await fetch(`${t.url}/_emulator/verifications/${id}?wait=1`)).json()) as ExploreReportJson;
}

/** Explore only (no fixed suite), with small figures fit for a test on a shared 2-core machine. */
export async function explore(
  t: TestEmulator,
  options: Partial<ReferenceOptions>,
  explore: Record<string, unknown>,
  timeoutMs = 1000,
): Promise<ExploreReportJson> {
  const integration = await startReferenceIntegration({ graphqlUrl: `${t.url}/graphql`, ...EXPLORED, ...options });
  try {
    return await verifyOn(t, {
      target: integration.url,
      suites: [],
      timeoutMs,
      explore: { graceMs: 100, maxSilenceMs: 600, timeMs: 50_000, ...explore },
    });
  } finally {
    await integration.close();
  }
}
