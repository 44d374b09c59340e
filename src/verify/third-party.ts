import type { CheckDefinition } from './checks.js';
import type { CheckStatus, Evidence } from './report.js';

/**
 * The third-party messaging suite: the reactive scenario run against the integration, its verdict's
 * expectations reported as checks. The scenario engine is another adapter, so the composition root
 * passes this runner in.
 */
export interface ThirdPartyRunner {
  /** The checks this suite reports (one per verdict expectation). */
  checks: CheckDefinition[];
  run(options: {
    tenantId: string;
    target: string;
    seed: number;
    timeoutMs: number;
    signal: AbortSignal;
    settle(id: string, status: Exclude<CheckStatus, 'pending'>, evidence: string, details?: Evidence[]): void;
  }): Promise<void>;
}
