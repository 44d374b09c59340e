import type { DomainContext } from '../../domain/context.js';
import type { ChatRecord, MessageRecord } from '../../store/model.js';
import type { Tenant } from '../../store/tenant.js';
import type { ReceiverCheckId } from '../checks.js';
import type { IntegratorCalls, Observed } from '../integrator-calls.js';
import type { QuietRule } from '../quiescence.js';
import type { CheckStatus, DeliveryEvidence, Evidence } from '../report.js';
import type { WebhookWire } from '../wire.js';

/** What one run of the receiver suite works with (given by the verification). */
export interface ReceiverExamContext {
  /** The verification id (prefix of the X-Emulator-Delivery-Id of its deliveries). */
  id: string;
  tenant: Tenant;
  /** Domain commands with the verification's own seeded random source (same seed, same chats, keys and bodies). */
  domain: DomainContext;
  wire: WebhookWire;
  calls: IntegratorCalls;
  target: string;
  timeoutMs: number;
  signal: AbortSignal;
  /** Makes a chat the verification's: its webhooks are crafted here, the integration's calls on it are watched. */
  adopt(chatId: string): void;
  /** Records a check's outcome (the report is live while the suite runs). */
  settle(id: ReceiverCheckId, status: Exclude<CheckStatus, 'pending'>, evidence: string, details?: Evidence[]): void;
  statusOf(id: ReceiverCheckId): CheckStatus;
  /** Records a delivery sent (the report lists them all). */
  sent(delivery: DeliveryEvidence): void;
  /** Holds the integration's Admin API calls naming the chat (at most `maxMs`); returns the release. */
  hold(chatId: string, maxMs: number): () => void;
}

export type Signature = DeliveryEvidence['signature'];

/** A delivery as the examiner means to send it: rendered as the emulator would, then altered. */
export interface Craft {
  check: ReceiverCheckId;
  label: string;
  event: string;
  subject: { chat: ChatRecord } | { message: MessageRecord };
  chatId: string;
  key?: string;
  /** X-Guuru-Event sent instead of `event` (an event name the integration cannot know). */
  headerEvent?: string;
  /** Re-laid-out body (indented), signed correctly. */
  indented?: boolean;
  /** An extra top-level field, signed correctly. */
  extraField?: boolean;
  signature?: Signature;
  attempt?: number;
  /** Its answer time says nothing about the receiver (the examiner held its work back). */
  unmeasured?: boolean;
}

/** A crafted delivery rendered and signed, ready to send (again, for a copy or a retry). */
export interface Prepared {
  craft: Craft;
  headers: Record<string, string>;
  body: string;
  key: string;
}

/** The top-level field `extraField` adds. */
export const EXTRA_FIELD = 'routing';

export const is2xx = (d: DeliveryEvidence): boolean =>
  d.statusCode !== undefined && d.statusCode >= 200 && d.statusCode < 300;

/** "→ 200", "→ 400 "Invalid request…"", "→ no answer (ECONNRESET: socket hang up)". */
export function answerOf(d: DeliveryEvidence): string {
  if (d.statusCode === undefined) return `→ no answer (${d.error ?? 'unknown error'})`;
  const text = d.response?.replace(/\s+/g, ' ').trim();
  return `→ ${d.statusCode}${!is2xx(d) && text ? ` "${text.length > 60 ? `${text.slice(0, 57)}...` : text}"` : ''}`;
}

/** How the integration answered one customer message in order (the calibration chat). */
export interface InOrder {
  chat: ChatRecord;
  seen: Promise<Observed>;
}

/**
 * What a probe works with: the verification's context, the suite's shared findings and the
 * examiner's tools (ReceiverExam in receiver-suite.ts). A probe sends its deliveries now and
 * registers its judgement with `later`, read once every probe is done.
 */
export interface ProbeKit {
  readonly x: ReceiverExamContext;
  /** The observation rule of every check that compares or counts reactions (quiescence.ts). */
  readonly rule: QuietRule;
  /** The integration accepted the first correctly signed chat-assigned requested to api (the signed probe finds out). */
  acceptsAssigned: boolean;
  /** The calibration chat, when the integration answered a message delivered in order. */
  inOrder: InOrder | undefined;
  /** The first delivery answered after the timeout (or never). */
  readonly late: DeliveryEvidence | undefined;
  /** The first chat (correctly signed chat-assigned). */
  readonly probeOneId: string;
  newChat(question: string, language?: string, experts?: string[] | null): ChatRecord;
  deliver(craft: Craft): Promise<DeliveryEvidence>;
  prepare(craft: Craft): Prepared;
  send(prepared: Prepared): Promise<DeliveryEvidence>;
  customerWrites(chat: ChatRecord, check: ReceiverCheckId, label: string, text: string): Promise<DeliveryEvidence>;
  /** The body a delivery carried. */
  bodyOf(delivery: DeliveryEvidence): string | undefined;
  /** Waits until the integration called acceptChat on the chat (accepted or refused). */
  waitForAccept(chat: ChatRecord): Promise<boolean>;
  /** How long an acceptChat was waited for (a "not accepted" is only as long as that). */
  waitedForAccept(): string;
  /** Waits until the chat is quiet (what came before a mark is not counted after it). */
  quietOn(chatId: string): Promise<void>;
  /** True once the chat got a first answer after `mark` (at most --timeout). */
  firstAnswer(chatId: string, mark: number): Promise<boolean>;
  /** The answers to a customer message on `chatId` after `mark`: a first answer awaited, then counted once the chat is quiet. */
  answered(chatId: string, mark: number): Promise<Observed>;
  /** An observation that runs on while the next probes go on (each chat is judged on its own activity). */
  track<T>(observation: Promise<T>): Promise<T>;
  /** How the compared chats were observed, in the evidence. */
  judged(seen: { label: string; observed: Observed }[]): string;
  /** A judgement read once every probe is done (an observation may still be running: it awaits it). */
  later(evaluation: () => void | Promise<void>): void;
}

/** One probe of the suite: sends its deliveries, settles its check now or `later`. */
export type Probe = (kit: ProbeKit) => Promise<void>;
