import type { DomainEventName, DomainEvents } from '../domain/events.js';
import { threadHash } from '../domain/threads.js';
import type { ReactiveCustomer } from './customer.js';
import type { EventOrigin, Flow } from './flow.js';
import type { RunRecord, RunStatus, TimelineEntry, TimelineWebhook } from './run-types.js';
import type { Scenario } from './schema.js';
import { computeVerdict, type ChatFacts, type DeliveryFact, type IntegratorCall, type WaitFact } from './verdict.js';

/** Integrator calls and undelivered webhooks kept per run (a 300-chat run makes ~2,000 calls). */
const KEPT_CALLS = 10_000;
const KEPT_UNDELIVERED = 50;

/** What a run reads of one webhook on its way (the dispatcher's log entry has these fields and more). */
export interface DeliveryNotice {
  id: string;
  tenantId: string;
  /** The chat (or Gurusup thread hash) it is about. */
  chatId?: string;
  event: string;
  url: string;
  createdAt: number;
  status: string;
  attempts: readonly { statusCode?: number; error?: string }[];
  redeliveryOf?: string;
  duplicateOf?: string;
}

/** What the run started with (the engine resolved the tenant, params and seed). */
export interface RunStart {
  id: string;
  scenario: Scenario;
  tenant: string;
  params: Record<string, string | number | boolean>;
  seed: number;
  speed: number;
  target?: string;
  /** The emulator clock's time. */
  now: () => number;
  /** Whether an expert id is one of the tenant's personas (how the integrator accepted a chat). */
  isPersona: (expertId: string) => boolean;
}

/** A wait on the integrator the run keeps open: its time-line entry and, when it counts for the verdict, its fact. */
interface OpenWait {
  entry: TimelineEntry;
  fact?: WaitFact;
}

/** What the run keeps of one of its webhooks until it settles. */
interface InFlight {
  fact?: DeliveryFact;
  webhook?: TimelineWebhook;
}

/** The run was cancelled (or ended): what it was waiting for will not come. */
export class RunCancelled extends Error {}

/** A step could not do what it says: the run fails with this message. */
export class StepFailed extends Error {}

/**
 * The state of one scenario run: its record (what GET answers) and the facts its verdict is
 * computed from. Both are private and change only through the methods below, each named for what
 * happened (a step acted, a webhook was enqueued or settled, the integrator called the API, the run
 * was cancelled or finished); the engine routes those happenings here and the steps report through
 * them. Readers get copies (`snapshot`), so nothing outside this class writes the record.
 */
export class ScenarioRun {
  readonly id: string;
  readonly scenario: Scenario;
  readonly tenantId: string;
  readonly speed: number;
  readonly target: string | undefined;
  /** The scenario waits for an integration (a customer or a wait-until step): it gets a verdict. */
  readonly integratorFacing: boolean;
  private readonly record: RunRecord;
  private readonly now: () => number;
  private readonly isPersona: (expertId: string) => boolean;
  /** What the verdict is computed from, per chat (chats the integrator is expected to handle). */
  private readonly facts = new Map<string, ChatFacts>();
  private readonly customers = new Map<string, ReactiveCustomer>();
  private readonly waits = new Map<object, OpenWait>();
  private readonly inFlight = new Map<string, InFlight>();
  /** Aborts the waits in progress (cancelling or ending a run). */
  private readonly aborts = new Set<() => void>();
  /** The entry webhooks enqueued right now belong to (set while a step acts). */
  private acting: TimelineEntry | undefined;
  private cancelled = false;
  /**
   * The run has ended (a step failed, or it finished): its other flows stop at their next wait
   * instead of living on as timers that hold the run (a refused busy-day left 59 per run).
   */
  private halted = false;

  constructor(start: RunStart) {
    this.id = start.id;
    this.scenario = start.scenario;
    this.tenantId = start.tenant;
    this.speed = start.speed;
    this.target = start.target;
    this.now = start.now;
    this.isPersona = start.isPersona;
    this.integratorFacing = waitsForIntegrator(start.scenario.steps);
    this.record = {
      id: start.id,
      scenario: start.scenario.name,
      status: 'running',
      tenant: start.tenant,
      params: start.params,
      seed: start.seed,
      speed: start.speed,
      ...(start.target ? { target: start.target } : {}),
      startedAt: this.now(),
      chats: [],
      threads: [],
      timeline: [],
      integratorFacing: this.integratorFacing,
      deliveries: { sent: 0, delivered: 0, failed: 0, pending: 0, undelivered: [] },
      calls: [],
    };
  }

  // --- reading -----------------------------------------------------------------------------

  get status(): RunStatus {
    return this.record.status;
  }

  get running(): boolean {
    return this.record.status === 'running';
  }

  get wasCancelled(): boolean {
    return this.cancelled;
  }

  /** Cancelled or ended: nothing of the run may act or wait any more. */
  get stopped(): boolean {
    return this.cancelled || this.halted;
  }

  get params(): Readonly<Record<string, string | number | boolean>> {
    return this.record.params;
  }

  /** The run's own step is acting right now (its events are the customer's own). */
  get current(): TimelineEntry | undefined {
    return this.acting;
  }

  get pendingDeliveries(): number {
    return this.record.deliveries.pending;
  }

  /** The chats of the run. */
  get chats(): readonly string[] {
    return this.record.chats;
  }

  /** The chats and Gurusup threads of the run. */
  get owned(): string[] {
    return [...this.record.chats, ...this.record.threads];
  }

  /** The record as the control API answers it: a copy, so no reader can change the run. */
  snapshot(): RunRecord {
    return structuredClone(this.record);
  }

  /** The record without its time-line (run lists). */
  summary(): Omit<RunRecord, 'timeline'> {
    const { timeline: _t, ...rest } = this.record;
    return structuredClone(rest);
  }

  /** The most recent webhook of the chat (not a copy), what the integrator is expected to react to. */
  latestDelivery(chatId: string): Readonly<DeliveryFact> | undefined {
    const list = this.facts.get(chatId)?.deliveries ?? [];
    for (let i = list.length - 1; i >= 0; i--) if (!list[i]?.copy) return list[i];
    return undefined;
  }

  // --- what the steps do -------------------------------------------------------------------

  /** A chat or thread now belongs to the run; a chat of an integrator-facing run is evidence. */
  adopt(kind: 'chat' | 'thread', id: string): void {
    const list = kind === 'chat' ? this.record.chats : this.record.threads;
    if (!list.includes(id)) list.push(id);
    if (kind === 'chat' && this.integratorFacing) this.factsOf(id);
  }

  /** A time-line entry written by the scenario itself (a give-up, a customer's outcome). */
  note(flow: Flow, step: string, action: string, detail?: string): void {
    this.entry(step, action, flow, detail);
  }

  /**
   * A synchronous domain action of a step: its entry, with the webhooks it enqueues attached, and
   * the detail `perform` returns; an error leaves the entry without detail.
   */
  act(flow: Flow, step: string, action: string, perform: () => string | undefined): void {
    const entry = this.entry(step, action, flow);
    this.acting = entry;
    try {
      const detail = perform();
      if (detail !== undefined) entry.detail = detail;
      if (flow.chatId) entry.chatId = flow.chatId;
      if (flow.threadFid) entry.thread = threadHash(flow.threadFid);
    } finally {
      this.acting = undefined;
    }
  }

  /** A chat the integrator is expected to handle from now on (a customer plays in it). */
  customerStarted(chatId: string, customer: ReactiveCustomer): void {
    this.factsOf(chatId);
    this.customers.set(chatId, customer);
  }

  customerEnded(chatId: string): void {
    this.customers.delete(chatId);
  }

  /**
   * Opens a wait on the integrator: its time-line entry (open until `endWait`) and, when `fact` is
   * given, the wait as evidence for the verdict. The handle returned names it for `endWait`.
   */
  openWait(
    flow: Flow,
    step: string,
    action: string,
    fact: WaitFact | undefined,
    detail: string,
    expected: string,
  ): object {
    const entry = this.entry(step, action, flow, detail);
    entry.expected = expected;
    if (fact) this.factsOf(fact.chatId).waits.push(fact);
    const handle = fact ?? {};
    this.waits.set(handle, { entry, ...(fact ? { fact } : {}) });
    return handle;
  }

  /** Ends a wait: how, and after how long in real time. */
  endWait(handle: object, outcome: WaitFact['outcome'], waitedMs: number): void {
    const wait = this.waits.get(handle);
    if (!wait) return;
    this.waits.delete(handle);
    if (wait.fact) {
      wait.fact.outcome = outcome;
      wait.fact.waitedMs = waitedMs;
    }
    wait.entry.outcome = outcome === 'done' || outcome === 'ended' ? 'done' : 'timeout';
    if (outcome === 'undelivered') wait.entry.detail += ': the webhook never reached the integrator';
    if (outcome === 'no-webhook') wait.entry.detail += ': no webhook was sent (no target, no subscription)';
  }

  /** Registers the abort of a wait in progress; returns its removal. Stopping the run calls every one. */
  onStop(abort: () => void): () => void {
    this.aborts.add(abort);
    return () => this.aborts.delete(abort);
  }

  // --- what happened around it (routed by the engine) --------------------------------------

  /** A domain event of one of the run's chats, and who caused it. */
  chatEvent<K extends DomainEventName>(
    name: K,
    payload: DomainEvents[K],
    chatId: string,
    origin: EventOrigin,
    action: string | undefined,
  ): void {
    // The integrator's own actions (through the Admin API) join the run's timeline.
    if (origin === 'integrator' && action) {
      const entry = this.integratorEntry(action, chatId);
      this.acting = entry;
      queueMicrotask(() => {
        if (this.acting === entry) this.acting = undefined;
      });
    }
    if (name === 'chat.accepted' && origin === 'integrator') {
      const chat = (payload as DomainEvents['chat.accepted']).chat;
      this.factsOf(chatId).acceptedAs = this.isPersona(chat.expertId ?? '') ? 'persona' : 'service-account';
    }
    this.customers.get(chatId)?.onEvent(name, payload, origin);
  }

  /** A webhook of one of the run's chats was enqueued. */
  deliveryEnqueued(delivery: DeliveryNotice & { chatId: string }): void {
    const copy = delivery.redeliveryOf !== undefined || delivery.duplicateOf !== undefined;
    const webhook: TimelineWebhook | undefined =
      this.acting && !copy ? { deliveryId: delivery.id, event: delivery.event, status: 'pending' } : undefined;
    if (webhook) this.acting?.webhooks.push(webhook);
    const facts = this.facts.get(delivery.chatId);
    const fact: DeliveryFact | undefined = facts
      ? {
          deliveryId: delivery.id,
          chatId: delivery.chatId,
          event: delivery.event,
          at: delivery.createdAt,
          status: 'pending',
          attempts: 0,
          ...(copy ? { copy } : {}),
        }
      : undefined;
    if (fact) facts?.deliveries.push(fact);
    this.record.deliveries.sent += 1;
    this.record.deliveries.pending += 1;
    this.inFlight.set(delivery.id, { ...(fact ? { fact } : {}), ...(webhook ? { webhook } : {}) });
  }

  /**
   * A webhook of the run reached its receiver or was given up: undefined when the run did not track
   * it, else whether it was a chat's own webhook that failed for good (see `deliveryFailed`).
   */
  deliverySettled(delivery: DeliveryNotice): { failed: boolean } | undefined {
    const tracked = this.inFlight.get(delivery.id);
    if (!tracked) return undefined;
    this.inFlight.delete(delivery.id);
    const { fact, webhook } = tracked;
    const status = delivery.status === 'delivered' ? 'delivered' : 'failed';
    const last = delivery.attempts[delivery.attempts.length - 1];
    const summary = this.record.deliveries;
    summary.pending -= 1;
    summary[status] += 1;
    if (status === 'failed' && summary.undelivered.length < KEPT_UNDELIVERED) {
      summary.undelivered.push({
        deliveryId: delivery.id,
        event: delivery.event,
        ...(delivery.chatId !== undefined ? { chatId: delivery.chatId } : {}),
        url: delivery.url,
        attempts: delivery.attempts.length,
        ...(last?.statusCode !== undefined ? { statusCode: last.statusCode } : {}),
        ...(last?.error !== undefined
          ? { error: last.error }
          : delivery.attempts.length === 0
            ? { error: 'never sent (the emulator stopped)' }
            : {}),
      });
    }
    if (webhook) webhook.status = status;
    if (fact) {
      fact.status = status;
      fact.attempts = delivery.attempts.length;
      if (last?.statusCode !== undefined) fact.statusCode = last.statusCode;
      if (last?.error !== undefined) fact.error = last.error;
    }
    return { failed: status === 'failed' && fact !== undefined && !fact.copy };
  }

  /** A chat's own webhook failed for good: its customer stops waiting for a reaction to it. */
  deliveryFailed(chatId: string, deliveryId: string): void {
    this.customers.get(chatId)?.onDeliveryFailed(deliveryId);
  }

  /** The integrator called the Admin API on one of the run's chats (from the request journal). */
  callRecorded(call: IntegratorCall): void {
    if (this.record.calls.length < KEPT_CALLS) this.record.calls.push(call);
    this.facts.get(call.chatId)?.calls.push(call);
    // Refused calls change nothing, so no domain event told the timeline: the journal does.
    if (!call.ok)
      this.integratorEntry(
        call.operation,
        call.chatId,
        `refused: ${call.errorCode ?? call.status}: ${call.errorMessage ?? ''}`.trim(),
      );
  }

  // --- the end -----------------------------------------------------------------------------

  /** Cancelled from outside (DELETE, the emulator stopping): every wait stops at once. False when it had already ended. */
  cancel(now: number): boolean {
    this.cancelled = true;
    return this.finish('cancelled', now);
  }

  /** Stops every flow of the run at once: its pending waits are aborted (their clock timers too). */
  halt(): void {
    this.halted = true;
    for (const abort of [...this.aborts]) abort();
    this.aborts.clear();
  }

  /**
   * Ends the run (once): an integrator-facing run gets its verdict, and a required expectation that
   * failed fails it. The working state goes; the record stays. False when it had already ended.
   */
  finish(status: RunStatus, now: number, error?: string): boolean {
    if (this.record.status !== 'running') return false;
    if (this.integratorFacing && status !== 'cancelled') {
      const verdict = computeVerdict([...this.facts.values()]);
      this.record.verdict = verdict;
      const failed = verdict.expectations.filter((e) => e.required && e.status === 'failed');
      if (failed.length > 0) {
        const why = `verdict: ${failed.map((e) => `${e.id} failed (${e.reason})`).join('; ')}`;
        error = status === 'failed' && error ? `${error}; ${why}` : why;
        status = 'failed';
      }
    }
    this.record.status = status;
    this.record.finishedAt = now;
    if (error) this.record.error = error;
    this.halt();
    this.customers.clear();
    this.facts.clear();
    return true;
  }

  // --- internals ---------------------------------------------------------------------------

  /** The facts of a chat the integrator is expected to handle (created on first use). */
  private factsOf(chatId: string): ChatFacts {
    let facts = this.facts.get(chatId);
    if (!facts) {
      facts = { chatId, waits: [], deliveries: [], calls: [] };
      this.facts.set(chatId, facts);
    }
    return facts;
  }

  private entry(step: string, action: string, flow: Flow, detail?: string): TimelineEntry {
    const at = this.now();
    const entry: TimelineEntry = {
      at,
      iso: new Date(at).toISOString(),
      step,
      action,
      by: 'scenario',
      ...(flow.chatId ? { chatId: flow.chatId } : {}),
      ...(flow.threadFid ? { thread: threadHash(flow.threadFid) } : {}),
      ...(detail ? { detail } : {}),
      webhooks: [],
    };
    this.record.timeline.push(entry);
    return entry;
  }

  private integratorEntry(action: string, chatId: string, detail?: string): TimelineEntry {
    const at = this.now();
    const entry: TimelineEntry = {
      at,
      iso: new Date(at).toISOString(),
      step: '-',
      action,
      by: 'integrator',
      chatId,
      ...(detail ? { detail } : {}),
      webhooks: [],
    };
    this.record.timeline.push(entry);
    return entry;
  }
}

/** The scenario waits for an integration somewhere in its steps (a customer or a wait-until). */
function waitsForIntegrator(steps: Scenario['steps']): boolean {
  return steps.some(
    (s) =>
      s.kind === 'customer' ||
      s.kind === 'wait-until' ||
      waitsForIntegrator(s.steps ?? []) ||
      (s.branches ?? []).some((b) => waitsForIntegrator(b.steps)),
  );
}
