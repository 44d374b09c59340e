import type { ChatLabel, Flow } from './model.js';

/** What a played flow leaves behind: every delivery and call in order (read by the properties, written to the report and the flow file). */

export type Author = 'customer' | 'own' | 'agent';

/** One delivery of a flow, what came back, and the exact bytes (a replay sends them again). */
export interface PlayedDelivery {
  kind: 'delivery';
  /** When it was sent, ms since the flow started (a timing). */
  at: number;
  deliveryId: string;
  /** The flow step it belongs to (0-based); absent for GUURU's echo of the integration's own action. */
  step?: number;
  event: string;
  chat: ChatLabel;
  chatId: string;
  idempotencyKey: string;
  author?: Author;
  copy: number;
  copies: number;
  attempt: number;
  statusCode?: number;
  error?: string;
  durationMs?: number;
  headers: Record<string, string>;
  body: string;
}

export interface PlayedCall {
  kind: 'call';
  /** When its answer was sent, ms since the flow started (a timing). */
  at: number;
  requestId: string;
  operation: string;
  chat: ChatLabel;
  chatId: string;
  ok: boolean;
  errorCode?: string;
  errorMessage?: string;
}

export interface PlayedNote {
  kind: 'note';
  step: number;
  text: string;
}

export type TraceEntry = PlayedDelivery | PlayedCall | PlayedNote;

export interface ChatInfo {
  label: ChatLabel;
  id: string;
  /** Requested to api (false: to another expert). */
  api: boolean;
}

/** A flow as it was played: its chats, every delivery and call in order, the chats' final statuses. */
export interface Played {
  flow: Flow;
  /** The flow's own seed: chat ids, keys and message ids. */
  seed: number;
  chats: ChatInfo[];
  entries: TraceEntry[];
  statuses: Record<string, string>;
  /** The deliveries of the flow's steps in the order they were rendered (what a replay file records). */
  rendered: Recorded;
  timeoutMs: number;
  graceMs: number;
  durationMs: number;
}

/** What a replay sends instead of what it renders: the recorded deliveries of the flow's steps, in order (none: a flow edited by hand, rendered afresh). */
export type Recorded = Pick<PlayedDelivery, 'step' | 'event' | 'chatId' | 'idempotencyKey' | 'headers' | 'body'>[];
