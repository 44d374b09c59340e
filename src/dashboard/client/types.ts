// The control API's JSON as the pages read it (the server's types where they exist).
import type { ActivityStep } from '../../control/chat-steps';
import type { ChatSummary, DeliverySummary } from '../../control/summaries';
import type { ChatRecord } from '../../store/model';
import type { TenantView } from '../../control/router';
import type { DeliveryView } from '../../control/webhook-routes';
import type { Attempt } from '../../webhooks/delivery-log';
import type { RequestRecord } from '../../journal/request-journal';
import type { PersonaRecord } from '../../store/model';

export type { ActivityStep, Attempt, ChatSummary, DeliverySummary, ChatRecord, PersonaRecord };

/** One request of the journal (GET /_emulator/requests). */
export type JournalRequest = RequestRecord;

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
  authors: Record<string, { kind: 'expert' | 'persona'; name: string; photoUrl?: string }>;
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

/** An exported session (GET …/chats/:chatId/session), and one imported (GET /_emulator/sessions/:id). */
export interface SessionFile extends ChatActivityView {
  format: 'guuru-emulator-session';
  version: 1;
  exportedAt?: string;
  deliveries: Delivery[];
  requests: JournalRequest[];
  id?: string;
  importedAt?: number;
}
