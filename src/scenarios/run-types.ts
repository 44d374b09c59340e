import type { IntegratorCall, Verdict } from './verdict.js';

/** What a scenario run reports (the control API returns it as is). */
export type RunStatus = 'running' | 'completed' | 'failed' | 'cancelled';

export interface TimelineWebhook {
  deliveryId: string;
  event: string;
  /** Whether it reached the receiver (updated as attempts finish). */
  status: 'pending' | 'delivered' | 'failed';
}

/** The webhooks of a run: how many reached their receiver, and the ones that did not. */
export interface DeliverySummary {
  sent: number;
  delivered: number;
  failed: number;
  pending: number;
  /** The failed ones (the first 50), with the last attempt's answer or error. */
  undelivered: {
    deliveryId: string;
    event: string;
    chatId?: string;
    url: string;
    attempts: number;
    statusCode?: number;
    error?: string;
  }[];
}

export interface TimelineEntry {
  /** Emulator clock time of the step. */
  at: number;
  iso: string;
  /** Where in the file: steps[3], steps[2].repeat.steps[0]#2 (iteration 2)... */
  step: string;
  action: string;
  /** The scenario acted, or the integrator did (through the Admin API). */
  by: 'scenario' | 'integrator';
  chatId?: string;
  thread?: string;
  detail?: string;
  /** For waits on the integrator: what it was expected to do, and whether it did. */
  expected?: string;
  outcome?: 'done' | 'timeout';
  /** Webhooks this step caused (see GET /_emulator/deliveries/:id). */
  webhooks: TimelineWebhook[];
}

export interface RunRecord {
  id: string;
  scenario: string;
  status: RunStatus;
  tenant: string;
  params: Record<string, string | number | boolean>;
  seed: number;
  speed: number;
  target?: string;
  startedAt: number;
  finishedAt?: number;
  /** Why the run failed. */
  error?: string;
  chats: string[];
  threads: string[];
  timeline: TimelineEntry[];
  /** The scenario waits for an integration (a reactive customer or a wait-until): the run has a verdict. */
  integratorFacing: boolean;
  deliveries: DeliverySummary;
  /**
   * The integrator's Admin API calls that touched the run's chats (refused ones with the API's
   * error), in order; the request journal has each in full (GET /_emulator/requests/:requestId).
   */
  calls: IntegratorCall[];
  /** Set when an integrator-facing run ends: each protocol expectation with its evidence. */
  verdict?: Verdict;
}
