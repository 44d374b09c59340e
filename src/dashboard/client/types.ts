// The control API's JSON as the pages read it (the server's types where they exist).
import type { ActivityStep } from '../../control/chat-activity';
import type { ChatSummary, DeliverySummary } from '../../control/summaries';
import type { ChatRecord } from '../../store/model';
import type { TenantView } from '../../control/router';

export type { ActivityStep, ChatSummary, DeliverySummary, ChatRecord };

export type TenantSummary = TenantView;

export interface Attempt {
  attempt: number;
  at: number;
  durationMs: number;
  statusCode?: number;
  error?: string;
  response?: string;
  fault?: string;
}

export interface Delivery extends Omit<DeliverySummary, 'attempts'> {
  idempotencyKey?: string;
  headers: Record<string, string>;
  body: unknown;
  rawBody: string;
  attempts: Attempt[];
  nextAttemptAt?: number;
  faults: string[];
}

export interface DeliveryList {
  deliveries: Delivery[];
  total: number;
  log: { pending: number; finished: number; evicted: number; limit: number };
}

export interface ChatActivityView {
  tenant: string;
  chat: ChatRecord;
  authors: Record<string, { kind: 'expert' | 'persona'; name: string }>;
  bot: { name: string };
  steps: ActivityStep[];
}

export interface ClockView {
  kind: 'system' | 'virtual';
  now: number;
  iso: string;
}

/** GET /_emulator/deliveries?summary=true */
export interface SummaryList {
  deliveries: DeliverySummary[];
  total: number;
  log: DeliveryList['log'];
}
