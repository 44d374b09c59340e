import { nextWake } from '../kernel/wake.js';
import type { DomainContext } from '../domain/context.js';
import { chatKey } from '../domain/chat-key.js';
import { DomainError, invalidArgument } from '../domain/errors.js';
import { CHAT_CHANGE_EVENTS, type DomainEventName, type DomainEvents } from '../domain/events.js';
import { findTenant } from '../domain/tenants.js';
import { integratorCallsOf } from '../journal/chat-calls.js';
import type { RequestJournal, RequestRecord } from '../journal/request-journal.js';
import type { Logger } from '../kernel/logger.js';
import { Random } from '../kernel/random.js';
import { ChatActivity } from './chat-activity.js';
import { VirtualClockDriver } from './clock-driver.js';
import { Interrupt, Interrupted } from './interrupt.js';
import { ScenarioRegistry } from './registry.js';
import { resolveParams, type StartRunOptions } from './run-options.js';
import type { RunRecord } from './run-types.js';
import { RunCancelled, ScenarioRun, StepFailed, type DeliveryNotice } from './run.js';
import { StepRunner, type RunHost } from './runner.js';
import type { ScenarioFault } from './step-context.js';
import type { Scenario } from './schema.js';

export { MAX_SCENARIOS } from './registry.js';
export type { StartRunOptions } from './run-options.js';
export type { DeliveryNotice } from './run.js';

export interface EngineDeps {
  domain: DomainContext;
  /** Tells the engine of every webhook as it is enqueued and as it settles (the composition root wires the dispatcher); returns the unsubscribe. */
  watchDeliveries: (listeners: {
    enqueued(delivery: DeliveryNotice): void;
    settled(delivery: DeliveryNotice): void;
  }) => () => void;
  logger: Logger;
  /** Extra folders of scenario files (--scenarios). */
  dirs?: string[];
  /** Default seed of runs. */
  seed: number;
  /** The request journal: the integrator's API calls (refused ones too) for the runs' verdicts. */
  journal?: RequestJournal;
  /** Runs going on at once (--max-runs; default MAX_ACTIVE_RUNS). */
  maxActiveRuns?: number;
  /** Adds a delivery fault rule (the webhooks' fault rules; the composition root wires the dispatcher): `fault` steps. */
  addFault?: (rule: ScenarioFault & { tenantId: string }) => void;
}

/** The Admin API operation behind a domain event the integrator caused (its time-line entry). */
const ACTION_OF: Partial<Record<DomainEventName, string>> = {
  'chat.accepted': 'acceptChat',
  'chat.closed': 'closeChat',
  'chat.reopened': 'openChat',
  'chat.persona-transferred': 'transferToPersona',
  'message.created': 'sendChatMessage',
};

/** Runs kept per scenario for GET (finished ones beyond this are forgotten, oldest first). */
const KEPT_RUNS = 200;
/** Runs going on at once by default (--max-runs): each holds timers, chats and a timeline, so their number is bounded. */
export const MAX_ACTIVE_RUNS = 100;

/**
 * The scenario registry, router and driver of runs. It starts runs (a ScenarioRun for the state, a
 * StepRunner for the steps), routes what happens to a run's chats (domain events, webhooks, the
 * integrator's API calls) to the run that owns the chat and its webhooks to the run's target,
 * answers the runs' waits, and on a virtual clock moves time forward whenever every run is only
 * waiting for time. It never writes a run's record: the run does (run.ts).
 */
export class ScenarioEngine implements RunHost {
  private readonly registry: ScenarioRegistry;
  private readonly driver: VirtualClockDriver;
  private readonly runs = new Map<string, ScenarioRun>();
  private readonly active = new Set<ScenarioRun>();
  private readonly byChat = new Map<string, ScenarioRun>();
  private readonly waiters = new Set<() => void>();
  private seq = 0;
  private readonly offs: (() => void)[] = [];
  /** Webhooks of running runs' chats still under way, by delivery id. */
  private readonly tracked = new Map<string, ScenarioRun>();
  readonly activity = new ChatActivity();

  constructor(private readonly deps: EngineDeps) {
    this.registry = new ScenarioRegistry(deps.dirs ?? [], deps.logger);
    this.driver = new VirtualClockDriver(deps.domain.clock, () => [...this.active].map((run) => run.speed));
    const { events } = deps.domain;
    for (const name of [...CHAT_CHANGE_EVENTS, 'message.created' as const]) {
      this.offs.push(
        events.on(
          name,
          (payload) =>
            this.chatEvent(name, payload, 'chat' in payload ? payload.chat.id : undefined, payload.actor.kind),
          { first: true },
        ),
      );
    }
    this.offs.push(
      deps.watchDeliveries({
        enqueued: (delivery) => this.deliveryEnqueued(delivery),
        settled: (delivery) => this.deliverySettled(delivery),
      }),
    );
    if (deps.journal) this.offs.push(deps.journal.subscribe((record) => this.requestRecorded(record)));
  }

  // --- the registry ------------------------------------------------------------------------

  /** The scenario files, read when first needed. */
  get scenarios(): Map<string, Scenario> {
    return this.registry.scenarios;
  }

  get loadErrors(): string[] {
    return this.registry.errors;
  }

  addFiles(files: { file: string; yaml: string }[]): { scenarios: string[]; errors: string[] } {
    return this.registry.addFiles(files);
  }

  list(): Scenario[] {
    return this.registry.list();
  }

  find(name: string): Scenario {
    return this.registry.find(name);
  }

  // --- runs --------------------------------------------------------------------------------

  /** Starts a run and returns at once (the run goes on in the background). */
  start(name: string, options: StartRunOptions = {}): RunRecord {
    const scenario = this.find(name);
    const limit = this.deps.maxActiveRuns ?? MAX_ACTIVE_RUNS;
    if (this.active.size >= limit) {
      throw new DomainError(
        'LIMIT_REACHED',
        `${this.active.size} scenario runs are going on, the most the emulator runs at once (--max-runs ${limit}). Wait for some to end, cancel them (DELETE …/runs/:id), or raise --max-runs.`,
        { limit },
      );
    }
    const params = resolveParams(scenario, options.params ?? {});
    const { store, events, clock, content } = this.deps.domain;
    const tenant = findTenant(
      store,
      options.tenant ?? (typeof params.tenant === 'string' && params.tenant !== '' ? params.tenant : undefined),
    );
    const speed = options.speed ?? 1;
    if (!Number.isFinite(speed) || speed < 0)
      throw invalidArgument('speed', 'speed is a number ≥ 0 (0 runs without waiting).');
    const seed = options.seed ?? this.deps.seed;
    this.seq += 1;
    // The run holds the tenant's id, never its object: a reset replaces it, and kept runs must not pin the old one.
    const tenantId = tenant.id;
    const run = new ScenarioRun({
      id: `run-${this.seq}`,
      scenario,
      tenant: tenantId,
      params,
      seed,
      speed,
      ...(options.target ? { target: options.target } : {}),
      now: () => clock.now(),
      isPersona: (expertId) => store.tenant(tenantId)?.personasById.has(expertId) ?? false,
    });
    // The run's own random source: the same seed and params give the same ids, texts and payloads.
    const steps = new StepRunner(run, { store, events, clock, content, random: new Random(seed) }, this);
    this.runs.set(run.id, run);
    this.active.add(run);
    this.trim();
    void steps.execute().then(
      () => this.ended(run),
      (error: unknown) => this.ended(run, error),
    );
    this.driver.drive();
    return run.snapshot();
  }

  get(name: string, id: string): RunRecord {
    return this.runOf(name, id).snapshot();
  }

  /** The runs of a scenario, without their time-lines. */
  runsOf(name: string): Omit<RunRecord, 'timeline'>[] {
    return [...this.runs.values()].filter((run) => run.scenario.name === name).map((run) => run.summary());
  }

  cancel(name: string, id: string): RunRecord {
    const run = this.runOf(name, id);
    if (run.running) this.abort(run);
    return run.snapshot();
  }

  /** The URL a run with a target sends one chat's (or thread's) webhooks to. */
  routeOf = (tenantId: string, chatId: string): string | undefined =>
    this.byChat.get(chatKey(tenantId, chatId))?.target;

  /**
   * Resolves when the run is no longer running, or as soon as `signal` aborts (a long-polling
   * client that went away). Each wait removes its own waiter: nothing is left behind per wake.
   */
  async settled(id: string, signal?: AbortSignal): Promise<RunRecord | undefined> {
    const run = this.runs.get(id);
    if (!run) return undefined;
    while (run.running && !signal?.aborted) await this.nextWake(signal);
    return run.snapshot();
  }

  /** Callbacks currently waiting for the engine to wake (diagnostics: stays at the number of live waits). */
  get waiting(): number {
    return this.waiters.size;
  }

  stop(): void {
    for (const run of [...this.active]) this.abort(run);
    this.offs.forEach((off) => off());
    this.wake();
  }

  private runOf(name: string, id: string): ScenarioRun {
    const run = this.runs.get(id);
    if (!run || run.scenario.name !== name) throw new DomainError('NOT_FOUND', `No run ${id} of scenario ${name}.`);
    return run;
  }

  /**
   * The steps are over (or threw). A run ends once its webhooks have been delivered or given up:
   * their fate is part of its result.
   */
  private ended(run: ScenarioRun, error?: unknown): void {
    if (error === undefined) {
      void this.delivered(run).then(() => this.finish(run, 'completed'));
    } else if (error instanceof RunCancelled || run.wasCancelled) {
      this.finish(run, 'cancelled');
    } else if (error instanceof StepFailed || error instanceof DomainError) {
      // One failed step ends the run: its other flows stop now rather than run on (or sleep) after it.
      run.halt();
      void this.delivered(run).then(() => this.finish(run, 'failed', error.message));
    } else {
      this.deps.logger.error(`scenario ${run.scenario.name} (${run.id}) crashed`, error);
      this.finish(run, 'failed', `internal error: ${(error as Error).message}`);
    }
  }

  // --- the router: what happens to a run's chats goes to the run ------------------------------

  /** The running run that owns a chat (or thread) of a tenant. */
  private owner(tenantId: string, chatId: string | undefined): ScenarioRun | undefined {
    const run = chatId === undefined ? undefined : this.byChat.get(chatKey(tenantId, chatId));
    return run?.running ? run : undefined;
  }

  /** A chat change or message: `actorKind` is who acted (the domain's actor). */
  private chatEvent<K extends DomainEventName>(
    name: K,
    payload: DomainEvents[K] & { tenantId: string },
    chatId: string | undefined,
    actorKind: string,
  ): void {
    const run = this.owner(payload.tenantId, chatId);
    if (run && chatId !== undefined) {
      this.activity.touch(chatKey(payload.tenantId, chatId));
      // Who caused it: this run's own step, the integrator (the Admin API), or someone else (the control API).
      const origin = run.current ? 'scenario' : actorKind === 'api' ? 'integrator' : 'other';
      run.chatEvent(name, payload, chatId, origin, ACTION_OF[name]);
    }
    this.wake();
  }

  private deliveryEnqueued(delivery: DeliveryNotice): void {
    const { chatId } = delivery;
    const run = this.owner(delivery.tenantId, chatId);
    if (!run || chatId === undefined) return;
    run.deliveryEnqueued({ ...delivery, chatId });
    this.tracked.set(delivery.id, run);
    this.activity.enqueued(chatKey(delivery.tenantId, chatId), delivery.id);
    // Settled at once (the dispatcher was stopped): the event came before this listener ran.
    if (delivery.status === 'delivered' || delivery.status === 'failed') this.deliverySettled(delivery);
  }

  private deliverySettled(delivery: DeliveryNotice): void {
    const run = this.tracked.get(delivery.id);
    if (!run) return;
    this.tracked.delete(delivery.id);
    const settled = run.deliverySettled(delivery);
    this.wake();
    if (delivery.chatId !== undefined) {
      this.activity.settled(chatKey(delivery.tenantId, delivery.chatId), delivery.id);
      if (settled?.failed) run.deliveryFailed(delivery.chatId, delivery.id);
    }
  }

  /** The integrator's API calls touching a running run's chats (from the request journal). */
  private requestRecorded(record: RequestRecord): void {
    const { tenantId } = record;
    if (tenantId === undefined) return;
    for (const call of integratorCallsOf(record)) {
      const run = this.owner(tenantId, call.chatId);
      if (!run) continue;
      run.callRecorded(call);
      this.activity.touch(chatKey(tenantId, call.chatId));
    }
  }

  // --- RunHost: the runs' waits ---------------------------------------------------------------

  adopt(run: ScenarioRun, kind: 'chat' | 'thread', id: string): void {
    run.adopt(kind, id);
    this.byChat.set(chatKey(run.tenantId, id), run);
  }

  addFault(run: ScenarioRun, rule: ScenarioFault): void {
    if (!this.deps.addFault)
      throw new StepFailed('this emulator sends no webhooks, so a fault step has nothing to act on');
    this.deps.addFault({ ...rule, tenantId: run.tenantId });
  }

  sleep(run: ScenarioRun, ms: number, interrupt?: Interrupt): Promise<void> {
    const clock = this.deps.domain.clock;
    if (run.stopped) return Promise.reject(new RunCancelled());
    if (interrupt?.interrupted) return Promise.reject(new Interrupted());
    // A virtual clock moves by the whole delay (the driver advances it); the system clock waits delay / speed.
    const wait = clock.kind === 'virtual' ? ms : run.speed === 0 ? 0 : ms / run.speed;
    return new Promise((resolve, reject) => {
      const handle = clock.schedule(wait, () => {
        removeAbort();
        removeInterrupt?.();
        resolve();
      });
      // Cancelling the run aborts its sleeps directly: domain events never need to look at them.
      const removeAbort = run.onStop(() => {
        handle.cancel();
        removeInterrupt?.();
        reject(new RunCancelled());
      });
      // A customer's newer event stops the handler's wait (the chat closed while it was thinking).
      const removeInterrupt = interrupt?.add(() => {
        handle.cancel();
        removeAbort();
        reject(new Interrupted());
      });
    });
  }

  async quiet(run: ScenarioRun, chatId: string, graceMs: number, interrupt?: Interrupt): Promise<void> {
    if (run.stopped) throw new RunCancelled();
    // One stop for both: the handler's interrupt and cancelling the run.
    const stop = new Interrupt();
    const removeOuter = interrupt?.add(() => stop.fire());
    const removeAbort = run.onStop(() => stop.fire());
    try {
      await this.activity.quiet(chatKey(run.tenantId, chatId), graceMs, stop);
    } catch (error) {
      throw run.stopped ? new RunCancelled() : error;
    } finally {
      removeAbort();
      removeOuter?.();
    }
  }

  waitFor(run: ScenarioRun, check: () => boolean, timeoutMs: number): Promise<boolean> {
    if (check()) return Promise.resolve(true);
    return new Promise((resolve, reject) => {
      const done = (result: boolean | Error) => {
        clearTimeout(timer);
        this.waiters.delete(poll);
        if (result instanceof Error) reject(result);
        else resolve(result);
      };
      // Wall-clock: the integrator is a real process, whatever the emulator clock does.
      const timer = setTimeout(() => done(check()), timeoutMs);
      timer.unref?.();
      const poll = () => {
        if (run.stopped) done(new RunCancelled());
        else if (check()) done(true);
      };
      this.waiters.add(poll);
    });
  }

  // --- internals -------------------------------------------------------------------------------

  /** Resolves when none of the run's webhooks is still queued, on the wire or waiting for a retry (or the run was cancelled). */
  private async delivered(run: ScenarioRun): Promise<void> {
    while (run.pendingDeliveries > 0 && !run.wasCancelled) await this.nextWake();
  }

  /** Resolves at the engine's next wake (or when `signal` aborts). */
  private nextWake(signal?: AbortSignal): Promise<void> {
    return nextWake(this.waiters, signal);
  }

  private abort(run: ScenarioRun): void {
    if (run.cancel(this.deps.domain.clock.now())) this.forgetActive(run);
    this.wake();
  }

  private wake(): void {
    for (const waiter of [...this.waiters]) waiter();
  }

  private finish(run: ScenarioRun, status: RunRecord['status'], error?: string): void {
    if (run.finish(status, this.deps.domain.clock.now(), error)) this.forgetActive(run);
  }

  /** A run ended: it no longer drives time, and its chats' activity is forgotten. */
  private forgetActive(run: ScenarioRun): void {
    this.active.delete(run);
    for (const chatId of run.chats) this.activity.forget(chatKey(run.tenantId, chatId));
    this.wake();
    this.driver.wake();
  }

  private trim(): void {
    if (this.runs.size <= KEPT_RUNS) return;
    for (const [id, run] of this.runs) {
      if (this.runs.size <= KEPT_RUNS) break;
      if (run.running) continue;
      this.runs.delete(id);
      // A forgotten run stops routing its chats' webhooks to its target.
      for (const chatOrThread of run.owned) {
        const key = chatKey(run.tenantId, chatOrThread);
        if (this.byChat.get(key) === run) this.byChat.delete(key);
      }
    }
  }
}
