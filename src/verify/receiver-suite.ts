import { SERVICE_ACCOUNT_ID, USER } from '../domain/actors.js';
import { assignChat, createChat, postMessage } from '../domain/chats.js';
import type { DomainContext } from '../domain/context.js';
import type { ChatRecord, MessageRecord } from '../store/model.js';
import type { Tenant } from '../store/tenant.js';
import type { ReceiverCheckId } from './checks.js';
import { answersOf, describeCalls, operationsOf, type IntegratorCalls, type Observed, type ObservedCall } from './integrator-calls.js';
import { QUIET_GRACE_MS, observationBound, type QuietRule } from './quiescence.js';
import type { AcknowledgementTimes, CheckStatus, DeliveryEvidence, Evidence } from './report.js';
import type { WebhookWire } from './wire.js';

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

type Signature = DeliveryEvidence['signature'];

interface Craft {
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

interface Prepared {
  craft: Craft;
  headers: Record<string, string>;
  body: string;
  key: string;
}

class TargetDown extends Error {}

const NAMES = ['Anna', 'Luca', 'Marie', 'Jonas', 'Sofia', 'Noah', 'Elena', 'Felix'];
const EXTRA_FIELD = 'routing';
const UNKNOWN_EVENT = 'chat-escalated';

const is2xx = (d: DeliveryEvidence): boolean => d.statusCode !== undefined && d.statusCode >= 200 && d.statusCode < 300;

/** "→ 200", "→ 400 "Invalid request…"", "→ no answer (ECONNRESET: socket hang up)". */
export function answerOf(d: DeliveryEvidence): string {
  if (d.statusCode === undefined) return `→ no answer (${d.error ?? 'unknown error'})`;
  const text = d.response?.replace(/\s+/g, ' ').trim();
  return `→ ${d.statusCode}${!is2xx(d) && text ? ` "${text.length > 60 ? `${text.slice(0, 57)}...` : text}"` : ''}`;
}

const percentile = (sorted: number[], q: number): number => sorted[Math.max(0, Math.ceil(q * sorted.length) - 1)] ?? 0;

/**
 * The receiver suite: the examiner plays GUURU against a running webhook receiver. Every probe is
 * a real chat of the tenant (requested to `api`, so the integration's acceptChat through the Admin
 * API succeeds), its deliveries are rendered and signed exactly as the emulator sends them, then
 * altered the way a real network or an attacker would; what the integration then did is read from
 * the request journal. Probes run one after another in a fixed order, so the same seed gives the
 * same deliveries; the ones that could crash a receiver come last.
 */
export class ReceiverExam {
  private n = 0;
  private readonly samples: { ms: number; label: string; chatId?: string }[] = [];
  private readonly sent: { check: ReceiverCheckId; evidence: DeliveryEvidence }[] = [];
  private readonly capMs: number;
  /** The observation rule of every check that compares or counts reactions (quiescence.ts). */
  private readonly rule: QuietRule;
  /** The integration accepted the first correctly signed chat-assigned requested to api. */
  private acceptsAssigned = false;
  /** How the integration answered one customer message in order (the calibration chat), observed under `rule`. */
  private inOrder: { chat: ChatRecord; seen: Promise<Observed> } | undefined;

  constructor(private readonly x: ReceiverExamContext) {
    // A late answer is still waited for (up to twice the timeout) so the report can say how late.
    this.capMs = x.timeoutMs * 2;
    this.rule = { graceMs: QUIET_GRACE_MS, boundMs: observationBound(x.timeoutMs) };
  }

  async run(): Promise<AcknowledgementTimes | undefined> {
    try {
      const c1 = await this.probeSigned();
      if (c1) {
        const probes = [
          () => this.probeRawBody(),
          () => this.probeDuplicates(),
          () => this.probeRetry(),
          () => this.probeOtherExperts(),
          () => this.probeOutOfOrder(),
          () => this.probeUnknownField(),
          () => this.probeUnknownEvent(),
          () => this.probeBadSignatures(),
        ];
        for (const probe of probes) {
          if (this.x.signal.aborted || this.late) break;
          await probe();
        }
        await this.x.calls.settle(this.rule, this.x.signal);
        await this.evaluate();
        if (this.late) {
          this.stoppedLate(this.late);
          this.stopped = 'the receiver answers after the delivery timeout (see receiver.ack-within-timeout)';
        }
      } else {
        const why = this.late?.statusCode === undefined && this.late ? 'does not answer' : 'refuses';
        for (const id of this.dependents()) this.x.settle(id, 'skipped', `not examined: the integration ${why} correctly signed deliveries (see receiver.signed-accepted)`);
        this.stopped = `the integration ${why} correctly signed deliveries (see receiver.signed-accepted)`;
      }
    } catch (error) {
      if (!(error instanceof TargetDown)) throw error;
      // What was examined before the target went away still counts.
      await this.evaluate();
      this.targetDown(error.message);
      this.stopped = `the target stopped accepting connections (${error.message})`;
    }
    return this.acknowledgement();
  }

  // --- probes ----------------------------------------------------------------------------------

  /** c1: a correctly signed chat-assigned; then, as calibration, how the integration accepts and answers one message in order. */
  private async probeSigned(): Promise<ChatRecord | undefined> {
    const chat = this.newChat('Which size should I take for the Trail Runner 3?');
    const d = await this.deliver({ check: 'receiver.signed-accepted', label: 'chat-assigned, correctly signed', event: 'chat-assigned', subject: { chat }, chatId: chat.id });
    if (!is2xx(d)) {
      const code = d.statusCode ?? 0;
      const hint =
        code === 404 || code === 405
          ? `nothing takes a POST at ${this.x.target}: check the path of --target`
          : code >= 500
            ? 'your code failed on a delivery GUURU would send: its answer above says where'
            : code >= 300 && code < 400
              ? 'GUURU does not follow redirects: give the final URL as --target'
              : "GUURU's own deliveries are refused; check the secret (GET /_emulator/webhooks shows it) and that the signature is the hex HMAC-SHA256 of the raw body";
      this.x.settle('receiver.signed-accepted', 'failed', `chat-assigned (chat ${chat.id}) signed with the tenant's secret ${answerOf(d)}: ${d.statusCode === undefined ? 'no answer' : hint}`, [d]);
      return undefined;
    }
    this.acceptsAssigned = await this.waitForAccept(chat);
    this.x.settle(
      'receiver.signed-accepted',
      'passed',
      `chat-assigned (chat ${chat.id}) correctly signed ${answerOf(d)}${this.late ? ` after ${Math.round(d.durationMs ?? 0)} ms (late: see receiver.ack-within-timeout)` : ''}; then ${describeCalls(this.x.calls.on(chat.id))}`,
      [d, ...this.x.calls.on(chat.id)],
    );
    if (this.acceptsAssigned && chat.status === 'open' && !this.late) {
      // Counted from chat-opened on, as on the out-of-order chat (where it comes after the message).
      await this.quietOn(chat.id);
      const mark = this.x.calls.mark();
      await this.deliver({ check: 'receiver.out-of-order', label: 'chat-opened', event: 'chat-opened', subject: { chat }, chatId: chat.id });
      await this.customerWrites(chat, 'receiver.out-of-order', 'message-created (the customer writes)', 'Do they run small? I usually wear 42.');
      if (await this.firstAnswer(chat.id, mark)) this.inOrder = { chat, seen: this.answered(chat.id, mark) };
    }
    return chat;
  }

  private async probeRawBody(): Promise<void> {
    const chat = this.newChat('Grüezi! Passt mir die Jacke «Bergwelt» in Grösse 42? Danke 🙏', 'de');
    const d = await this.deliver({ check: 'receiver.signature-raw-body', label: 'chat-assigned, indented JSON with non-ASCII text, correctly signed', event: 'chat-assigned', subject: { chat }, chatId: chat.id, indented: true });
    if (is2xx(d) && this.acceptsAssigned) await this.waitForAccept(chat);
    this.evaluations.push(() => {
      const calls = this.x.calls.on(chat.id);
      const sent = `chat-assigned (chat ${chat.id}) laid out with indentation and non-ASCII text, correctly signed over its ${Buffer.byteLength(this.bodies.get(d) ?? '')} bytes ${answerOf(d)}`;
      if (!is2xx(d)) {
        this.x.settle('receiver.signature-raw-body', 'failed', `${sent}, while the same event laid out compactly was accepted: the HMAC is computed over re-serialised or re-decoded JSON instead of the raw body bytes`, [d, ...calls]);
      } else if (this.acceptsAssigned && !calls.some((c) => c.operation === 'acceptChat')) {
        this.x.settle('receiver.signature-raw-body', 'failed', `${sent}, but the chat was not accepted ${this.waitedForAccept()}, while the compactly laid out one was: the delivery was dropped after acknowledging (signature checked over re-serialised JSON?)`, [d, ...calls]);
      } else {
        this.x.settle('receiver.signature-raw-body', 'passed', `${sent}; then ${describeCalls(calls)}`, [d, ...calls]);
      }
    });
  }

  /** The same chat-assigned twice, and (on an accepted chat) the same message-created twice. */
  private async probeDuplicates(): Promise<void> {
    const chat = this.newChat('Can I still change the delivery address of order 10472?');
    const first = this.prepare({ check: 'receiver.idempotent', label: 'chat-assigned (first copy)', event: 'chat-assigned', subject: { chat }, chatId: chat.id });
    const d1 = await this.send(first);
    const d2 = await this.send({ ...first, craft: { ...first.craft, label: 'chat-assigned (second copy: same Idempotency-Key, same body)' } });
    // Both copies counted over one quiet window, once the first acceptChat came (read while the next probes run).
    const assigned = this.track(this.x.calls.observe(chat.id, 0, this.rule, { ready: (calls) => !this.acceptsAssigned || calls.some((c) => c.operation === 'acceptChat'), signal: this.x.signal }));

    let message: { chat: ChatRecord; seen: Promise<Observed>; copies: DeliveryEvidence[] } | undefined;
    if (this.inOrder) {
      const other = this.newChat('Is the rain cover included with the backpack?');
      await this.deliver({ check: 'receiver.idempotent', label: 'chat-assigned', event: 'chat-assigned', subject: { chat: other }, chatId: other.id });
      if ((await this.waitForAccept(other)) && other.status === 'open') {
        await this.quietOn(other.id);
        const mark = this.x.calls.mark();
        await this.deliver({ check: 'receiver.idempotent', label: 'chat-opened', event: 'chat-opened', subject: { chat: other }, chatId: other.id });
        const posted = postMessage(this.x.domain, this.x.tenant, other.id, { type: 'text', text: 'And does it fit a 15-inch laptop?' }, USER);
        const prepared = this.prepare({ check: 'receiver.idempotent', label: 'message-created (first copy)', event: 'message-created', subject: { message: posted }, chatId: other.id });
        const copies = [await this.send(prepared), await this.send({ ...prepared, craft: { ...prepared.craft, label: 'message-created (second copy: same Idempotency-Key, same body)' } })];
        message = { chat: other, seen: this.answered(other.id, mark), copies };
      }
    }

    const inOrder = this.inOrder;
    this.evaluations.push(async () => {
      const problems: string[] = [];
      const findings: string[] = [];
      const details: Evidence[] = [d1, d2];
      const accepts = (await assigned).calls.filter((c) => c.operation === 'acceptChat');
      details.push(...accepts);
      if (!is2xx(d1) || !is2xx(d2)) {
        problems.push(`chat-assigned (chat ${chat.id}) sent twice with Idempotency-Key ${first.key} ${answerOf(d1)}, then ${answerOf(d2)}: both copies must be acknowledged with a 2xx (a non-2xx makes GUURU send it again)`);
      } else if (this.acceptsAssigned && accepts.length === 1) {
        findings.push(`chat-assigned (chat ${chat.id}) sent twice with Idempotency-Key ${first.key} → ${d1.statusCode}, ${d2.statusCode}; acceptChat ×1`);
      } else if (accepts.length > 1) {
        problems.push(`chat-assigned (chat ${chat.id}) sent twice with Idempotency-Key ${first.key} → ${d1.statusCode}, ${d2.statusCode}; then ${describeCalls(accepts)}: the second copy was acted on; de-duplicate on Idempotency-Key`);
      }
      if (message && inOrder) {
        const [m1, m2] = message.copies as [DeliveryEvidence, DeliveryEvidence];
        const [seen, single] = [await message.seen, await inOrder.seen];
        const twice = answersOf(seen.calls);
        const once = answersOf(single.calls);
        const judged = this.judged([{ label: `the duplicated message (chat ${message.chat.id})`, observed: seen }, { label: `the single message (chat ${inOrder.chat.id})`, observed: single }]);
        details.push(m1, m2, ...seen.calls);
        const sent = `message-created (chat ${message.chat.id}) sent twice with Idempotency-Key ${m1.idempotencyKey} → ${m1.statusCode}, ${m2.statusCode}`;
        if (!is2xx(m1) || !is2xx(m2)) {
          problems.push(`message-created (chat ${message.chat.id}) sent twice with Idempotency-Key ${m1.idempotencyKey} ${answerOf(m1)}, then ${answerOf(m2)}: both copies must be acknowledged with a 2xx`);
        } else if (operationsOf(twice) === operationsOf(once)) {
          findings.push(`message-created (chat ${message.chat.id}) sent twice → ${m1.statusCode}, ${m2.statusCode}; answered with ${describeCalls(twice)}, as a single one is (chat ${inOrder.chat.id}), ${judged}`);
        } else if (twice.length > once.length) {
          problems.push(
            `${sent}; answered with ${describeCalls(twice)}, where a single message-created (chat ${inOrder.chat.id}) was answered with ${describeCalls(once)}, ${judged}: the second copy was acted on`,
          );
        } else {
          problems.push(
            `${sent}; answered with ${describeCalls(twice)}, where a single message-created (chat ${inOrder.chat.id}) was answered with ${describeCalls(once)}, ${judged}: a duplicated message must be answered once, as a single one is`,
          );
        }
      }
      if (problems.length > 0) this.x.settle('receiver.idempotent', 'failed', problems.join('; '), details);
      else if (findings.length > 0) this.x.settle('receiver.idempotent', 'passed', findings.join('; '), details);
      else this.x.settle('receiver.idempotent', 'skipped', 'not observable: the integration did not act on these chat-assigned and message-created deliveries, so acting twice cannot be told from acting once', details);
    });
  }

  /** The first attempt is given up (as GUURU does when no answer comes in time) and retried at once. */
  private async probeRetry(): Promise<void> {
    const chat = this.newChat('My parcel shows "delivered" but it is not here. What now?');
    const attempt1 = this.prepare({ check: 'receiver.retry-after-timeout', label: 'chat-assigned, attempt 1 (given up as timed out)', event: 'chat-assigned', subject: { chat }, chatId: chat.id, attempt: 1, unmeasured: true });
    // A first attempt times out when the work behind it is slow: the integration's calls on this
    // chat are held (as a slow API would) until the retry has been answered, so it is still working
    // on the first attempt when the retry arrives, however fast it is.
    const release = this.x.hold(chat.id, Math.min(this.x.timeoutMs, 2_000));
    const first = this.send(attempt1);
    // GUURU does not wait for the answer it gave up on: the retry goes out at once.
    const d2 = await this.send({ ...attempt1, craft: { ...attempt1.craft, label: 'chat-assigned, attempt 2 (retry: same Idempotency-Key, same body)', attempt: 2 } });
    release();
    const d1 = await first;
    if (this.acceptsAssigned) await this.waitForAccept(chat);
    this.evaluations.push(() => {
      const accepts = this.x.calls.on(chat.id).filter((c) => c.operation === 'acceptChat');
      const details = [d1, d2, ...accepts];
      if (!this.acceptsAssigned) {
        this.x.settle('receiver.retry-after-timeout', 'skipped', 'not observable: the integration accepted no chat requested to api during the verification', details);
      } else if (this.x.statusOf('receiver.idempotent') === 'failed') {
        this.x.settle('receiver.retry-after-timeout', 'skipped', 'not examined: a plain duplicate is already acted on twice (see receiver.idempotent); fix that first', details);
      } else if (!is2xx(d2)) {
        this.x.settle('receiver.retry-after-timeout', 'failed', `chat-assigned (chat ${chat.id}) attempt 1 given up as timed out, attempt 2 with the same Idempotency-Key ${answerOf(d2)}: a retry must be acknowledged with a 2xx`, details);
      } else if (accepts.length === 0) {
        this.x.settle('receiver.retry-after-timeout', 'failed', `chat-assigned (chat ${chat.id}) attempt 1 given up as timed out, attempt 2 (same Idempotency-Key ${attempt1.key}) ${answerOf(d2)}; then no acceptChat ${this.waitedForAccept()}: neither attempt was acted on in that time`, details);
      } else if (accepts.length === 1) {
        this.x.settle('receiver.retry-after-timeout', 'passed', `chat-assigned (chat ${chat.id}) attempt 1 given up as timed out, attempt 2 (same Idempotency-Key ${attempt1.key}) sent at once ${answerOf(d2)}; acceptChat ×1`, details);
      } else {
        this.x.settle(
          'receiver.retry-after-timeout',
          'failed',
          `chat-assigned (chat ${chat.id}) attempt 1 given up as timed out, attempt 2 (same Idempotency-Key ${attempt1.key}) sent while the first was still being handled ${answerOf(d2)}; then ${describeCalls(accepts)}: record the Idempotency-Key when a delivery arrives, not when its work is done`,
          details,
        );
      }
    });
  }

  private async probeOtherExperts(): Promise<void> {
    const expert = this.x.tenant.data.experts.filter((e) => e.isMember).sort((a, b) => a.id.localeCompare(b.id))[0];
    if (!expert) {
      this.x.settle('receiver.ignores-other-experts', 'skipped', `not examined: tenant ${this.x.tenant.id} has no community expert to request instead of api`);
      return;
    }
    const chat = this.newChat('How do I reset the watch to factory settings?', 'en', [expert.id]);
    const d = await this.deliver({ check: 'receiver.ignores-other-experts', label: `chat-assigned, requestedExperts ["${expert.id}"] (no api)`, event: 'chat-assigned', subject: { chat }, chatId: chat.id });
    this.evaluations.push(() => {
      const calls = this.x.calls.on(chat.id);
      const sent = `chat-assigned (chat ${chat.id}) with requestedExperts ["${expert.id}"] (no "api") ${answerOf(d)}`;
      if (!is2xx(d)) this.x.settle('receiver.ignores-other-experts', 'failed', `${sent}: a chat for other experts must still be acknowledged with a 2xx`, [d]);
      else if (calls.length > 0) this.x.settle('receiver.ignores-other-experts', 'failed', `${sent}; then ${describeCalls(calls)}: handle only chats whose requestedExperts contain "api"`, [d, ...calls]);
      else this.x.settle('receiver.ignores-other-experts', 'passed', `${sent}; no Admin API call on it`, [d]);
    });
  }

  private async probeOutOfOrder(): Promise<void> {
    if (!this.inOrder) {
      this.x.settle(
        'receiver.out-of-order',
        'skipped',
        this.acceptsAssigned
          ? `not observable: the integration did not answer a customer message delivered in order (chat ${this.probeOneId}) within ${(this.rule.boundMs / 1000).toFixed(1)} s (--timeout ${this.x.timeoutMs} ms + ${QUIET_GRACE_MS / 1000} s)`
          : 'not observable: the integration accepted no chat requested to api during the verification',
      );
      return;
    }
    const chat = this.newChat('Can I return shoes I wore outside once?');
    await this.deliver({ check: 'receiver.out-of-order', label: 'chat-assigned', event: 'chat-assigned', subject: { chat }, chatId: chat.id });
    if (!(await this.waitForAccept(chat)) || chat.status !== 'open') {
      this.x.settle('receiver.out-of-order', 'skipped', `not observable: the integration did not accept chat ${chat.id} (requested to api) within ${this.x.timeoutMs} ms`, this.x.calls.on(chat.id));
      return;
    }
    await this.quietOn(chat.id);
    const mark = this.x.calls.mark();
    const message = await this.customerWrites(chat, 'receiver.out-of-order', 'message-created, before chat-opened', 'They are in the original box, is that enough?');
    const opened = await this.deliver({ check: 'receiver.out-of-order', label: 'chat-opened, after the message', event: 'chat-opened', subject: { chat }, chatId: chat.id });
    const observed = this.answered(chat.id, mark);
    const inOrder = this.inOrder;
    this.evaluations.push(async () => {
      const [seen, single] = [await observed, await inOrder.seen];
      const answers = answersOf(seen.calls);
      const once = answersOf(single.calls);
      const sent = `message-created delivered before chat-opened (chat ${chat.id}) ${answerOf(message)}, chat-opened ${answerOf(opened)}`;
      const details = [message, opened, ...seen.calls];
      const judged = this.judged([{ label: `the out-of-order chat (${chat.id})`, observed: seen }, { label: `the in-order chat (${inOrder.chat.id})`, observed: single }]);
      if (!is2xx(message) || !is2xx(opened)) this.x.settle('receiver.out-of-order', 'failed', `${sent}: both must be acknowledged with a 2xx, whatever their order`, details);
      else if (operationsOf(answers) === operationsOf(once)) this.x.settle('receiver.out-of-order', 'passed', `${sent}; answered with ${describeCalls(answers)}, as in order (chat ${inOrder.chat.id}), ${judged}`, details);
      else {
        this.x.settle(
          'receiver.out-of-order',
          'failed',
          `${sent}; message answered ×${once.length} in order (chat ${inOrder.chat.id}: ${describeCalls(once)}), ×${answers.length} out of order (${describeCalls(answers)}); ${judged}: a message delivered before its chat's chat-opened must be answered as one in order`,
          details,
        );
      }
    });
  }

  private async probeUnknownField(): Promise<void> {
    const chat = this.newChat('Do you ship to Liechtenstein?');
    const d = await this.deliver({ check: 'receiver.unknown-field', label: `chat-assigned with an extra field "${EXTRA_FIELD}"`, event: 'chat-assigned', subject: { chat }, chatId: chat.id, extraField: true });
    if (is2xx(d) && this.acceptsAssigned) await this.waitForAccept(chat);
    this.evaluations.push(() => {
      const calls = this.x.calls.on(chat.id);
      const sent = `chat-assigned (chat ${chat.id}) with an extra field "${EXTRA_FIELD}" ${answerOf(d)}`;
      if (!is2xx(d)) this.x.settle('receiver.unknown-field', 'failed', `${sent}: a field your code does not know must be ignored, not refused (GUURU may add fields)`, [d]);
      else if (this.acceptsAssigned && !calls.some((c) => c.operation === 'acceptChat')) {
        this.x.settle('receiver.unknown-field', 'failed', `${sent}, but the chat was not accepted ${this.waitedForAccept()}, while the same event without the field was: the unknown field broke its handling`, [d, ...calls]);
      } else this.x.settle('receiver.unknown-field', 'passed', `${sent}; then ${describeCalls(calls)}`, [d, ...calls]);
    });
  }

  private async probeUnknownEvent(): Promise<void> {
    const chat = this.newChat('Is there a student discount?', 'en', null);
    const d = await this.deliver({ check: 'receiver.unknown-event', label: `X-Guuru-Event: ${UNKNOWN_EVENT} (an event name the integration cannot know)`, event: 'chat-opened', headerEvent: UNKNOWN_EVENT, subject: { chat }, chatId: chat.id });
    const sent = `a delivery with X-Guuru-Event: ${UNKNOWN_EVENT} (chat ${chat.id}) ${answerOf(d)}`;
    if (is2xx(d)) this.x.settle('receiver.unknown-event', 'passed', sent, [d]);
    else this.x.settle('receiver.unknown-event', 'failed', `${sent}: answer 2xx to events you do not handle, or GUURU retries them`, [d]);
  }

  /** Last: a receiver written like the docs' example throws on a missing header. */
  private async probeBadSignatures(): Promise<void> {
    const kinds: { signature: Signature; label: string; question: string }[] = [
      { signature: 'body changed after signing', label: 'chat-assigned, body changed after signing', question: 'Where is my refund?' },
      { signature: 'other secret', label: 'chat-assigned, signed with another secret', question: 'Can I pay by invoice?' },
      { signature: 'absent', label: 'chat-assigned, no X-Guuru-Hmac-Sha256 header', question: 'Do you have this in blue?' },
    ];
    const probes: { chat: ChatRecord; d: DeliveryEvidence }[] = [];
    for (const kind of kinds) {
      const chat = this.newChat(kind.question);
      probes.push({ chat, d: await this.deliver({ check: 'receiver.bad-signature-refused', label: kind.label, event: 'chat-assigned', subject: { chat }, chatId: chat.id, signature: kind.signature }) });
    }
    // A last, correctly signed delivery: the integration still answers (it did not crash on the
    // missing header after answering), and once it has acted on this one it has had its chance
    // to act on the forged ones before.
    const sentinel = this.newChat('Thanks, that is all for today.');
    const last = await this.deliver({ check: 'receiver.bad-signature-refused', label: 'chat-assigned, correctly signed (after the forged ones)', event: 'chat-assigned', subject: { chat: sentinel }, chatId: sentinel.id });
    if (is2xx(last) && this.acceptsAssigned) await this.waitForAccept(sentinel);
    this.evaluations.push(() => {
      const problems: string[] = [];
      const details: Evidence[] = [];
      for (const { chat, d } of probes) {
        const calls = this.x.calls.on(chat.id);
        details.push(d, ...calls);
        if (d.statusCode === undefined) problems.push(`${d.label} (chat ${chat.id}) ${answerOf(d)}: the receiver must answer it (400), not fail; did it crash?`);
        else if (is2xx(d)) problems.push(`${d.label} (chat ${chat.id}) ${answerOf(d)}${calls.length > 0 ? `; then ${describeCalls(calls)}: it acted on a forged delivery` : ': it was accepted'}`);
        else if (calls.length > 0) problems.push(`${d.label} (chat ${chat.id}) ${answerOf(d)}, but then ${describeCalls(calls)}: it acted on a forged delivery`);
      }
      if (problems.length > 0) this.x.settle('receiver.bad-signature-refused', 'failed', problems.join('; '), details);
      else this.x.settle('receiver.bad-signature-refused', 'passed', probes.map(({ d }) => `${d.signature === 'absent' ? 'no signature header' : d.signature} ${answerOf(d)}`).join(', ') + '; none acted on', details);
    });
  }

  // --- helpers ---------------------------------------------------------------------------------

  /** Verdicts read once every probe is done (an observation may still be running: they await it). */
  private readonly evaluations: (() => void | Promise<void>)[] = [];
  private readonly observations: Promise<unknown>[] = [];
  /** Why nothing more can be examined at this target (a later suite is skipped for the same reason). */
  stopped: string | undefined;
  /** The first delivery answered after the timeout (or never). */
  private late: DeliveryEvidence | undefined;
  private readonly bodies = new WeakMap<DeliveryEvidence, string>();
  /** The first chat (correctly signed chat-assigned). */
  private probeOneId = '';

  private isPending(id: ReceiverCheckId): boolean {
    return this.x.statusOf(id) === 'pending';
  }

  private newChat(question: string, language = 'en', experts: string[] | null = [SERVICE_ACCOUNT_ID]): ChatRecord {
    const { domain, tenant } = this.x;
    const chat = createChat(domain, tenant, { question, language, user: { name: domain.random.pick(NAMES) } });
    // Adopted before it is assigned: the publisher must not send its webhooks, the examiner does.
    this.x.adopt(chat.id);
    if (experts) assignChat(domain, tenant, chat.id, experts);
    if (this.probeOneId === '') this.probeOneId = chat.id;
    return chat;
  }

  private async customerWrites(chat: ChatRecord, check: ReceiverCheckId, label: string, text: string): Promise<DeliveryEvidence> {
    const message = postMessage(this.x.domain, this.x.tenant, chat.id, { type: 'text', text }, USER);
    return this.deliver({ check, label, event: 'message-created', subject: { message }, chatId: chat.id });
  }

  /** Waits until the integration called acceptChat on the chat (accepted or refused). */
  private waitForAccept(chat: ChatRecord): Promise<boolean> {
    return this.x.calls.waitFor(() => this.x.calls.count(chat.id, 'acceptChat') > 0, this.x.timeoutMs, this.x.signal);
  }

  private async evaluate(): Promise<void> {
    await Promise.all(this.observations);
    for (const evaluate of this.evaluations) await evaluate();
  }

  /** An observation that runs on while the next probes go on (each chat is judged on its own activity). */
  private track<T>(observation: Promise<T>): Promise<T> {
    this.observations.push(observation);
    return observation;
  }

  /** Waits until the chat is quiet (what came before a mark is not counted after it). */
  private async quietOn(chatId: string): Promise<void> {
    await this.x.calls.observe(chatId, 0, this.rule, { signal: this.x.signal });
  }

  /** How long an acceptChat was waited for (a "not accepted" is only as long as that). */
  private waitedForAccept(): string {
    return `within ${this.x.timeoutMs} ms and the suite's end (--timeout; every chat then quiet for ${QUIET_GRACE_MS / 1000} s)`;
  }

  /** True once the chat got a first answer after `mark` (at most --timeout). */
  private firstAnswer(chatId: string, mark: number): Promise<boolean> {
    return this.x.calls.waitFor(() => answersOf(this.x.calls.on(chatId, mark)).length > 0, this.x.timeoutMs, this.x.signal);
  }

  /** The answers to a customer message on `chatId` after `mark`: a first answer awaited, then counted once the chat is quiet. */
  private answered(chatId: string, mark: number): Promise<Observed> {
    return this.track(this.x.calls.observe(chatId, mark, this.rule, { ready: (calls: ObservedCall[]) => answersOf(calls).length > 0, signal: this.x.signal }));
  }

  /**
   * How the compared chats were observed, in the evidence: "each counted after 1 s without a call
   * or delivery on its chat", or which one the upper bound ended, and the flag that moves it.
   */
  private judged(seen: { label: string; observed: Observed }[]): string {
    const grace = `${QUIET_GRACE_MS / 1000} s`;
    const cut = seen.filter((s) => !s.observed.outcome.quiet);
    if (cut.length === 0) return `each counted after ${grace} without a call or delivery on its chat`;
    const bound = `${(this.rule.boundMs / 1000).toFixed(1)} s (--timeout ${this.x.timeoutMs} ms + ${grace} of quiet)`;
    const why = cut.map((s) => (answersOf(s.observed.calls).length === 0 ? `${s.label} got no answer within ${bound}` : `${s.label} was still active when ${bound} had passed`));
    return `${why.join('; ')}: that limit decided; raise --timeout if your integration answers later`;
  }

  private deliver(craft: Craft): Promise<DeliveryEvidence> {
    return this.send(this.prepare(craft));
  }

  private prepare(craft: Craft): Prepared {
    const key = craft.key ?? this.x.domain.random.uuid();
    const rendered = this.x.wire.render(this.x.tenant.id, craft.event, craft.subject, key);
    const headers = { ...rendered.headers };
    let body = rendered.body;
    const secret = this.x.wire.secretOf(this.x.tenant.id);
    if (craft.indented) body = JSON.stringify(JSON.parse(body), null, 2);
    if (craft.extraField) body = JSON.stringify({ ...(JSON.parse(body) as Record<string, unknown>), [EXTRA_FIELD]: { queue: 'priority', score: 0.87 } });
    if (craft.headerEvent) headers['X-Guuru-Event'] = craft.headerEvent;
    headers['X-Guuru-Hmac-Sha256'] = this.x.wire.sign(secret, body);
    switch (craft.signature ?? 'valid') {
      case 'body changed after signing': {
        const parsed = JSON.parse(body) as Record<string, unknown>;
        body = JSON.stringify({ ...parsed, question: `${String(parsed.question)} (changed in transit)` });
        break;
      }
      case 'other secret':
        headers['X-Guuru-Hmac-Sha256'] = this.x.wire.sign(`${secret}-of-another-partner`, body);
        break;
      case 'absent':
        delete headers['X-Guuru-Hmac-Sha256'];
        break;
      case 'valid':
        break;
    }
    return { craft: { ...craft, key }, headers, body, key };
  }

  private async send(prepared: Prepared): Promise<DeliveryEvidence> {
    const { craft, body, key } = prepared;
    this.n += 1;
    const attempt = craft.attempt ?? 1;
    // Numbered when sent, so concurrent attempts keep their order in the report.
    const headers: Record<string, string> = { ...prepared.headers, 'X-Emulator-Delivery-Id': `${this.x.id}.${this.n}`, 'X-Emulator-Delivery-Attempt': String(attempt) };
    // In flight until answered: a chat with a delivery under way is not quiet.
    const delivered = this.x.calls.delivering(craft.chatId);
    const result = await this.x.wire.send({ url: this.x.target, headers, body: Buffer.from(body, 'utf8'), timeoutMs: this.capMs }).finally(delivered);
    const evidence: DeliveryEvidence = {
      kind: 'delivery',
      deliveryId: headers['X-Emulator-Delivery-Id'] as string,
      label: craft.label,
      event: headers['X-Guuru-Event'] ?? craft.event,
      chatId: craft.chatId,
      idempotencyKey: key,
      signature: craft.signature ?? 'valid',
      attempt,
      ...(result.statusCode !== undefined ? { statusCode: result.statusCode } : {}),
      ...(result.error !== undefined ? { error: result.error } : {}),
      ...(result.response ? { response: result.response.slice(0, 200) } : {}),
      durationMs: result.durationMs,
    };
    this.bodies.set(evidence, body);
    this.sent.push({ check: craft.check, evidence });
    this.x.sent(evidence);
    // An unmeasured delivery's answer time is of the examiner's making, not the receiver's.
    const timedOut = /timeout/.test(result.error ?? '');
    if (!craft.unmeasured && (result.statusCode !== undefined || timedOut)) this.samples.push({ ms: timedOut ? this.capMs : result.durationMs, label: craft.label, chatId: craft.chatId });
    // A late answer stops the suite after this probe: every other delivery would wait as long.
    if (!craft.unmeasured && ((result.statusCode !== undefined && result.durationMs >= this.x.timeoutMs) || timedOut)) this.late ??= evidence;
    if (result.statusCode === undefined && /ECONNREFUSED|ENOTFOUND|EHOSTUNREACH/.test(result.error ?? '')) {
      throw new TargetDown(result.error);
    }
    return evidence;
  }

  /** The receiver answered after the delivery timeout: what was examined stands, the rest would only repeat the wait. */
  private stoppedLate(late: DeliveryEvidence): void {
    const answer = late.statusCode === undefined ? answerOf(late) : `was answered after ${Math.round(late.durationMs ?? 0)} ms`;
    const why = `not examined: ${late.label} (chat ${late.chatId}) ${answer}, over the delivery timeout of ${this.x.timeoutMs} ms, and every delivery would wait as long; fix receiver.ack-within-timeout first`;
    for (const id of this.allChecks()) if (this.isPending(id)) this.x.settle(id, 'skipped', why);
  }

  /** The target stopped accepting connections: the delivery before is the likely cause; nothing after can be examined. */
  private targetDown(error: string): void {
    const failing = this.sent[this.sent.length - 1];
    const previous = this.sent[this.sent.length - 2];
    if (previous) {
      const why = `the target stopped accepting connections (${error}) after ${previous.evidence.label} (chat ${previous.evidence.chatId}) ${answerOf(previous.evidence)}`;
      this.x.settle(previous.check, 'failed', `${why}: it probably crashed handling that delivery`, [previous.evidence, ...(failing ? [failing.evidence] : [])]);
      for (const id of this.allChecks()) if (this.isPending(id)) this.x.settle(id, 'skipped', `not examined: ${why} (see ${previous.check})`);
    } else if (failing) {
      this.x.settle(failing.check, 'failed', `${failing.evidence.label} ${answerOf(failing.evidence)}: nothing answers at ${this.x.target}`, [failing.evidence]);
      for (const id of this.allChecks()) if (this.isPending(id)) this.x.settle(id, 'skipped', `not examined: nothing answers at ${this.x.target}`);
    }
  }

  private acknowledgement(): AcknowledgementTimes | undefined {
    const ms = this.samples.map((s) => s.ms).sort((a, b) => a - b);
    const slowest = [...this.samples].sort((a, b) => b.ms - a.ms)[0];
    if (ms.length === 0 || !slowest) {
      for (const id of ['receiver.ack-within-timeout', 'receiver.ack-under-2s'] as const) {
        if (this.isPending(id)) this.x.settle(id, 'failed', 'no delivery was answered');
      }
      return undefined;
    }
    const times: AcknowledgementTimes = { samples: ms.length, p50Ms: Math.round(percentile(ms, 0.5)), p99Ms: Math.round(percentile(ms, 0.99)), maxMs: Math.round(ms[ms.length - 1] ?? 0) };
    const figures = `p50 ${times.p50Ms} ms, p99 ${times.p99Ms} ms over ${times.samples} answers`;
    const slow = `slowest: ${slowest.label} (chat ${slowest.chatId}) ${Math.round(slowest.ms)} ms`;
    const late = (limit: number) => ms.filter((v) => v >= limit).length;
    if (this.isPending('receiver.ack-within-timeout')) {
      if (times.p99Ms < this.x.timeoutMs) this.x.settle('receiver.ack-within-timeout', 'passed', `${figures}, under the delivery timeout of ${this.x.timeoutMs} ms`);
      else {
        this.x.settle(
          'receiver.ack-within-timeout',
          'failed',
          `${figures}: ${late(this.x.timeoutMs)} answered after the delivery timeout of ${this.x.timeoutMs} ms (GUURU counts those as failed and retries); ${slow}. Acknowledge first, do the work after`,
        );
      }
    }
    if (this.isPending('receiver.ack-under-2s')) {
      if (times.p99Ms < 2000) this.x.settle('receiver.ack-under-2s', 'passed', `${figures}, under 2 s`);
      else this.x.settle('receiver.ack-under-2s', 'failed', `${figures}: ${late(2000)} took 2 s or more; ${slow}. Acknowledge first, do the work after`);
    }
    return times;
  }

  private allChecks(): ReceiverCheckId[] {
    return [
      'receiver.signed-accepted',
      'receiver.signature-raw-body',
      'receiver.bad-signature-refused',
      'receiver.idempotent',
      'receiver.retry-after-timeout',
      'receiver.ignores-other-experts',
      'receiver.unknown-field',
      'receiver.unknown-event',
      'receiver.out-of-order',
    ];
  }

  private dependents(): ReceiverCheckId[] {
    return this.allChecks().filter((id) => id !== 'receiver.signed-accepted');
  }
}
