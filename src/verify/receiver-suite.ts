import { SERVICE_ACCOUNT_ID, USER } from '../domain/actors.js';
import { assignChat, createChat, postMessage } from '../domain/chats.js';
import type { ChatRecord } from '../store/model.js';
import type { ReceiverCheckId } from './checks.js';
import { answersOf, type Observed, type ObservedCall } from './integrator-calls.js';
import { probeBadSignatures } from './probes/bad-signatures.js';
import { probeDuplicates } from './probes/duplicates.js';
import {
  EXTRA_FIELD,
  answerOf,
  type Craft,
  type InOrder,
  type Prepared,
  type Probe,
  type ProbeKit,
  type ReceiverExamContext,
} from './probes/kit.js';
import { probeOtherExperts } from './probes/other-experts.js';
import { probeOutOfOrder } from './probes/out-of-order.js';
import { probeRawBody } from './probes/raw-body.js';
import { probeRetry } from './probes/retry.js';
import { probeSigned } from './probes/signed.js';
import { probeUnknownEvent } from './probes/unknown-event.js';
import { probeUnknownField } from './probes/unknown-field.js';
import { QUIET_GRACE_MS, observationBound, type QuietRule } from './quiescence.js';
import type { AcknowledgementTimes, DeliveryEvidence } from './report.js';

export { answerOf, type ReceiverExamContext } from './probes/kit.js';

/**
 * The probes after the first (probes/signed.ts, which every other one builds on), in the order they
 * run: the same seed gives the same deliveries; the ones that could crash a receiver come last.
 */
export const PROBES: readonly Probe[] = [
  probeRawBody,
  probeDuplicates,
  probeRetry,
  probeOtherExperts,
  probeOutOfOrder,
  probeUnknownField,
  probeUnknownEvent,
  probeBadSignatures,
];

class TargetDown extends Error {}

const NAMES = ['Anna', 'Luca', 'Marie', 'Jonas', 'Sofia', 'Noah', 'Elena', 'Felix'];

const percentile = (sorted: number[], q: number): number => sorted[Math.max(0, Math.ceil(q * sorted.length) - 1)] ?? 0;

/**
 * The receiver suite: the examiner plays GUURU against a running webhook receiver. Every probe is
 * a real chat of the tenant (requested to `api`, so the integration's acceptChat through the Admin
 * API succeeds), its deliveries are rendered and signed exactly as the emulator sends them, then
 * altered the way a real network or an attacker would; what the integration then did is read from
 * the request journal. Probes run one after another in a fixed order, so the same seed gives the
 * same deliveries; the ones that could crash a receiver come last.
 */
export class ReceiverExam implements ProbeKit {
  private n = 0;
  private readonly samples: { ms: number; label: string; chatId?: string }[] = [];
  private readonly sent: { check: ReceiverCheckId; evidence: DeliveryEvidence }[] = [];
  private readonly capMs: number;
  /** The observation rule of every check that compares or counts reactions (quiescence.ts). */
  readonly rule: QuietRule;
  /** The integration accepted the first correctly signed chat-assigned requested to api. */
  acceptsAssigned = false;
  /** How the integration answered one customer message in order (the calibration chat), observed under `rule`. */
  inOrder: InOrder | undefined;

  constructor(readonly x: ReceiverExamContext) {
    // A late answer is still waited for (up to twice the timeout) so the report can say how late.
    this.capMs = x.timeoutMs * 2;
    this.rule = { graceMs: QUIET_GRACE_MS, boundMs: observationBound(x.timeoutMs) };
  }

  async run(): Promise<AcknowledgementTimes | undefined> {
    try {
      const c1 = await probeSigned(this);
      if (c1) {
        for (const probe of PROBES) {
          if (this.x.signal.aborted || this.late) break;
          await probe(this);
        }
        await this.x.calls.settle(this.rule, this.x.signal);
        await this.evaluate();
        if (this.late) {
          this.stoppedLate(this.late);
          this.stopped = 'the receiver answers after the delivery timeout (see receiver.ack-within-timeout)';
        }
      } else {
        const why = this.late?.statusCode === undefined && this.late ? 'does not answer' : 'refuses';
        for (const id of this.dependents())
          this.x.settle(
            id,
            'skipped',
            `not examined: the integration ${why} correctly signed deliveries (see receiver.signed-accepted)`,
          );
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

  // --- helpers ---------------------------------------------------------------------------------

  /** Verdicts read once every probe is done (an observation may still be running: they await it). */
  private readonly evaluations: (() => void | Promise<void>)[] = [];
  private readonly observations: Promise<unknown>[] = [];
  /** Why nothing more can be examined at this target (a later suite is skipped for the same reason). */
  stopped: string | undefined;
  /** The first delivery answered after the timeout (or never). */
  late: DeliveryEvidence | undefined;
  private readonly bodies = new WeakMap<DeliveryEvidence, string>();
  /** The first chat (correctly signed chat-assigned). */
  probeOneId = '';

  private isPending(id: ReceiverCheckId): boolean {
    return this.x.statusOf(id) === 'pending';
  }

  newChat(question: string, language = 'en', experts: string[] | null = [SERVICE_ACCOUNT_ID]): ChatRecord {
    const { domain, tenant } = this.x;
    const chat = createChat(domain, tenant, { question, language, user: { name: domain.random.pick(NAMES) } });
    // Adopted before it is assigned: the publisher must not send its webhooks, the examiner does.
    this.x.adopt(chat.id);
    if (experts) assignChat(domain, tenant, chat.id, experts);
    if (this.probeOneId === '') this.probeOneId = chat.id;
    return chat;
  }

  async customerWrites(
    chat: ChatRecord,
    check: ReceiverCheckId,
    label: string,
    text: string,
  ): Promise<DeliveryEvidence> {
    const message = postMessage(this.x.domain, this.x.tenant, chat.id, { type: 'text', text }, USER);
    return this.deliver({ check, label, event: 'message-created', subject: { message }, chatId: chat.id });
  }

  /** Waits until the integration called acceptChat on the chat (accepted or refused). */
  waitForAccept(chat: ChatRecord): Promise<boolean> {
    return this.x.calls.waitFor(() => this.x.calls.count(chat.id, 'acceptChat') > 0, this.x.timeoutMs, this.x.signal);
  }

  later(evaluation: () => void | Promise<void>): void {
    this.evaluations.push(evaluation);
  }

  bodyOf(delivery: DeliveryEvidence): string | undefined {
    return this.bodies.get(delivery);
  }

  private async evaluate(): Promise<void> {
    await Promise.all(this.observations);
    for (const evaluate of this.evaluations) await evaluate();
  }

  /** An observation that runs on while the next probes go on (each chat is judged on its own activity). */
  track<T>(observation: Promise<T>): Promise<T> {
    this.observations.push(observation);
    return observation;
  }

  /** Waits until the chat is quiet (what came before a mark is not counted after it). */
  async quietOn(chatId: string): Promise<void> {
    await this.x.calls.observe(chatId, 0, this.rule, { signal: this.x.signal });
  }

  /** How long an acceptChat was waited for (a "not accepted" is only as long as that). */
  waitedForAccept(): string {
    return `within ${this.x.timeoutMs} ms and the suite's end (--timeout; every chat then quiet for ${QUIET_GRACE_MS / 1000} s)`;
  }

  /** True once the chat got a first answer after `mark` (at most --timeout). */
  firstAnswer(chatId: string, mark: number): Promise<boolean> {
    return this.x.calls.waitFor(
      () => answersOf(this.x.calls.on(chatId, mark)).length > 0,
      this.x.timeoutMs,
      this.x.signal,
    );
  }

  /** The answers to a customer message on `chatId` after `mark`: a first answer awaited, then counted once the chat is quiet. */
  answered(chatId: string, mark: number): Promise<Observed> {
    return this.track(
      this.x.calls.observe(chatId, mark, this.rule, {
        ready: (calls: ObservedCall[]) => answersOf(calls).length > 0,
        signal: this.x.signal,
      }),
    );
  }

  /**
   * How the compared chats were observed, in the evidence: "each counted after 1 s without a call
   * or delivery on its chat", or which one the upper bound ended, and the flag that moves it.
   */
  judged(seen: { label: string; observed: Observed }[]): string {
    const grace = `${QUIET_GRACE_MS / 1000} s`;
    const cut = seen.filter((s) => !s.observed.outcome.quiet);
    if (cut.length === 0) return `each counted after ${grace} without a call or delivery on its chat`;
    const bound = `${(this.rule.boundMs / 1000).toFixed(1)} s (--timeout ${this.x.timeoutMs} ms + ${grace} of quiet)`;
    const why = cut.map((s) =>
      answersOf(s.observed.calls).length === 0
        ? `${s.label} got no answer within ${bound}`
        : `${s.label} was still active when ${bound} had passed`,
    );
    return `${why.join('; ')}: that limit decided; raise --timeout if your integration answers later`;
  }

  deliver(craft: Craft): Promise<DeliveryEvidence> {
    return this.send(this.prepare(craft));
  }

  prepare(craft: Craft): Prepared {
    const key = craft.key ?? this.x.domain.random.uuid();
    const rendered = this.x.wire.render(this.x.tenant.id, craft.event, craft.subject, key);
    const headers = { ...rendered.headers };
    let body = rendered.body;
    const secret = this.x.wire.secretOf(this.x.tenant.id);
    if (craft.indented) body = JSON.stringify(JSON.parse(body), null, 2);
    if (craft.extraField)
      body = JSON.stringify({
        ...(JSON.parse(body) as Record<string, unknown>),
        [EXTRA_FIELD]: { queue: 'priority', score: 0.87 },
      });
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

  async send(prepared: Prepared): Promise<DeliveryEvidence> {
    const { craft, body, key } = prepared;
    this.n += 1;
    const attempt = craft.attempt ?? 1;
    // Numbered when sent, so concurrent attempts keep their order in the report.
    const headers: Record<string, string> = {
      ...prepared.headers,
      'X-Emulator-Delivery-Id': `${this.x.id}.${this.n}`,
      'X-Emulator-Delivery-Attempt': String(attempt),
    };
    // In flight until answered: a chat with a delivery under way is not quiet.
    const delivered = this.x.calls.delivering(craft.chatId);
    const result = await this.x.wire
      .send({ url: this.x.target, headers, body: Buffer.from(body, 'utf8'), timeoutMs: this.capMs })
      .finally(delivered);
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
    if (!craft.unmeasured && (result.statusCode !== undefined || timedOut))
      this.samples.push({ ms: timedOut ? this.capMs : result.durationMs, label: craft.label, chatId: craft.chatId });
    // A late answer stops the suite after this probe: every other delivery would wait as long.
    if (!craft.unmeasured && ((result.statusCode !== undefined && result.durationMs >= this.x.timeoutMs) || timedOut))
      this.late ??= evidence;
    if (result.statusCode === undefined && /ECONNREFUSED|ENOTFOUND|EHOSTUNREACH/.test(result.error ?? '')) {
      throw new TargetDown(result.error);
    }
    return evidence;
  }

  /** The receiver answered after the delivery timeout: what was examined stands, the rest would only repeat the wait. */
  private stoppedLate(late: DeliveryEvidence): void {
    const answer =
      late.statusCode === undefined ? answerOf(late) : `was answered after ${Math.round(late.durationMs ?? 0)} ms`;
    const why = `not examined: ${late.label} (chat ${late.chatId}) ${answer}, over the delivery timeout of ${this.x.timeoutMs} ms, and every delivery would wait as long; fix receiver.ack-within-timeout first`;
    for (const id of this.allChecks()) if (this.isPending(id)) this.x.settle(id, 'skipped', why);
  }

  /** The target stopped accepting connections: the delivery before is the likely cause; nothing after can be examined. */
  private targetDown(error: string): void {
    const failing = this.sent[this.sent.length - 1];
    const previous = this.sent[this.sent.length - 2];
    if (previous) {
      const why = `the target stopped accepting connections (${error}) after ${previous.evidence.label} (chat ${previous.evidence.chatId}) ${answerOf(previous.evidence)}`;
      this.x.settle(previous.check, 'failed', `${why}: it probably crashed handling that delivery`, [
        previous.evidence,
        ...(failing ? [failing.evidence] : []),
      ]);
      for (const id of this.allChecks())
        if (this.isPending(id)) this.x.settle(id, 'skipped', `not examined: ${why} (see ${previous.check})`);
    } else if (failing) {
      this.x.settle(
        failing.check,
        'failed',
        `${failing.evidence.label} ${answerOf(failing.evidence)}: nothing answers at ${this.x.target}`,
        [failing.evidence],
      );
      for (const id of this.allChecks())
        if (this.isPending(id)) this.x.settle(id, 'skipped', `not examined: nothing answers at ${this.x.target}`);
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
    const times: AcknowledgementTimes = {
      samples: ms.length,
      p50Ms: Math.round(percentile(ms, 0.5)),
      p99Ms: Math.round(percentile(ms, 0.99)),
      maxMs: Math.round(ms[ms.length - 1] ?? 0),
    };
    const figures = `p50 ${times.p50Ms} ms, p99 ${times.p99Ms} ms over ${times.samples} answers`;
    const slow = `slowest: ${slowest.label} (chat ${slowest.chatId}) ${Math.round(slowest.ms)} ms`;
    const late = (limit: number) => ms.filter((v) => v >= limit).length;
    if (this.isPending('receiver.ack-within-timeout')) {
      if (times.p99Ms < this.x.timeoutMs)
        this.x.settle(
          'receiver.ack-within-timeout',
          'passed',
          `${figures}, under the delivery timeout of ${this.x.timeoutMs} ms`,
        );
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
      else
        this.x.settle(
          'receiver.ack-under-2s',
          'failed',
          `${figures}: ${late(2000)} took 2 s or more; ${slow}. Acknowledge first, do the work after`,
        );
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
