// The control API's JSON as the pages read it (the server's types where they exist).
import type { ActivityStep } from '../../control/chat-steps';
import type { ChatSummary, DeliverySummary } from '../../control/summaries';
import type { ChatRecord } from '../../store/model';
import type { TenantView } from '../../control/router';
import type { DeliveryView } from '../../control/webhook-routes';
import type { Attempt } from '../../webhooks/delivery-log';

export type { ActivityStep, Attempt, ChatSummary, DeliverySummary, ChatRecord };

export type TenantSummary = TenantView;

/** GET /_emulator/deliveries/:id: `body` parsed back, `rawBody` as sent. */
export type Delivery = DeliveryView;

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
