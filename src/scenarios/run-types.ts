/** What a scenario run reports (the control API returns it as is). */
export type RunStatus = 'running' | 'completed' | 'failed' | 'cancelled';

export interface TimelineWebhook {
  deliveryId: string;
  event: string;
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
}
