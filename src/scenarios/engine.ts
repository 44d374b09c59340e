import type { Clock } from '../kernel/clock.js';
import { VirtualClock } from '../kernel/clock.js';
import type { DomainContext } from '../domain/context.js';
import { chatKey } from '../domain/chat-key.js';
import { DomainError, invalidArgument } from '../domain/errors.js';
import { CHAT_CHANGE_EVENTS, type DomainEventName } from '../domain/events.js';
import { findTenant } from '../domain/tenants.js';
import type { Logger } from '../kernel/logger.js';
import { Random } from '../kernel/random.js';
import { integratorCallsOf } from '../journal/chat-calls.js';
import type { RequestJournal, RequestRecord } from '../journal/request-journal.js';
import { ChatActivity } from './chat-activity.js';
import { Interrupt, Interrupted } from './interrupt.js';
import { loadScenarios, parseScenarioText, type LoadedScenarios } from './loader.js';
import { ScenarioFileError } from './schema.js';
import type { RunRecord, TimelineEntry, TimelineWebhook } from './run-types.js';
import { RunCancelled, ScenarioRun, StepFailed, type RunHost } from './runner.js';
import type { Scenario } from './schema.js';
import { computeVerdict, type DeliveryFact } from './verdict.js';

/** Scenarios kept at most (built-in, --scenarios folders and uploads together). */
export const MAX_SCENARIOS = 500;

export interface StartRunOptions {
  target?: string;
  speed?: number;
  seed?: number;
  params?: Record<string, unknown>;
  tenant?: string;
}

export interface EngineDeps {
  domain: DomainContext;
  /** Tells the engine of every webhook as it is enqueued and as it settles (the composition root wires the dispatcher); returns the unsubscribe. */
  watchDeliveries: (listeners: { enqueued(delivery: DeliveryNotice): void; settled(delivery: DeliveryNotice): void }) => () => void;
  logger: Logger;
  /** Extra folders of scenario files (--scenarios). */
  dirs?: string[];
  /** Default seed of runs. */
  seed: number;
  /** The request journal: the integrator's API calls (refused ones too) for the runs' verdicts. */
  journal?: RequestJournal;
}

const ACTION_OF: Partial<Record<DomainEventName, string>> = {
  'chat.accepted': 'acceptChat',
  'chat.closed': 'closeChat',
  'chat.reopened': 'openChat',
  'chat.persona-transferred': 'transferToPersona',
  'message.created': 'sendChatMessage',
};

/** Runs kept per scenario for GET (finished ones beyond this are forgotten, oldest first). */
const KEPT_RUNS = 200;
/** Runs going on at once: each holds timers, chats and a timeline, so their number is bounded. */
export const MAX_ACTIVE_RUNS = 100;
/** Integrator calls and undelivered webhooks kept per run (a 300-chat run makes ~2,000 calls). */
const KEPT_CALLS = 10_000;
/** How long the virtual-clock driver moves time between two turns of the event loop (ms of real time). */
const DRIVER_SLICE_MS = 10;
const KEPT_UNDELIVERED = 50;

/** What the engine reads of one webhook on its way (the dispatcher's log entry has these fields and more). */
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

/** What a run knows about one of its webhooks. */
interface TrackedDelivery {
  run: ScenarioRun;
  fact?: DeliveryFact;
  webhook?: TimelineWebhook;
}

/**
 * The scenario registry and its runs. Runs drive the same domain commands as the APIs; the engine
 * keeps their timelines (with the webhooks each step caused and what the integrator did), routes a
 * run's webhooks to its target, and on a virtual clock moves time forward whenever every run is
 * only waiting for time.
 */
export class ScenarioEngine implements RunHost {
  private loaded: LoadedScenarios | undefined;
  private readonly runs = new Map<string, ScenarioRun>();
  private readonly active = new Set<ScenarioRun>();
  private readonly byChat = new Map<string, ScenarioRun>();
  private readonly waiters = new Set<() => void>();
  private seq = 0;
  private driving = false;
  /** Ends the driver's current real-time sleep early (a run started or ended: the pace may change). */
  private wakeDriver: (() => void) | undefined;
  private readonly offs: (() => void)[] = [];
  /** Webhooks of running runs' chats still under way or being summed up, by delivery id. */
  private readonly tracked = new Map<string, TrackedDelivery>();
  readonly activity = new ChatActivity();

  constructor(private readonly deps: EngineDeps) {
    const { events } = deps.domain;
    for (const name of [...CHAT_CHANGE_EVENTS, 'message.created' as const]) {
      this.offs.push(
        events.on(
          name,
          (payload) => {
            const chatId = 'chat' in payload ? payload.chat.id : undefined;
            const key = chatKey(payload.tenantId, chatId ?? '');
            const run = chatId === undefined ? undefined : this.byChat.get(key);
            if (run && chatId !== undefined && run.record.status === 'running') {
              this.activity.touch(key);
              // Who caused it: this run's own step, the integrator (the Admin API), or someone else (the control API).
              const origin = run.current ? 'scenario' : payload.actor.kind === 'api' ? 'integrator' : 'other';
              const byIntegrator = origin === 'integrator';
              // The integrator's own actions (through the Admin API) join the run's timeline.
              if (byIntegrator && ACTION_OF[name]) {
                const entry = this.integratorEntry(run, ACTION_OF[name] as string, chatId);
                run.current = entry;
                queueMicrotask(() => {
                  if (run.current === entry) run.current = undefined;
                });
              }
              run.onChatEvent(name, payload, chatId, origin);
            }
            this.wake();
          },
          { first: true },
        ),
      );
    }
    this.offs.push(deps.watchDeliveries({ enqueued: (delivery) => this.deliveryEnqueued(delivery), settled: (delivery) => this.deliverySettled(delivery) }));
    if (deps.journal) this.offs.push(deps.journal.subscribe((record) => this.requestRecorded(record)));
  }

  private integratorEntry(run: ScenarioRun, action: string, chatId: string, detail?: string): TimelineEntry {
    const at = this.deps.domain.clock.now();
    const entry: TimelineEntry = { at, iso: new Date(at).toISOString(), step: '-', action, by: 'integrator', chatId, ...(detail ? { detail } : {}), webhooks: [] };
    run.record.timeline.push(entry);
    return entry;
  }

  private deliveryEnqueued(delivery: DeliveryNotice): void {
    if (delivery.chatId === undefined) return;
    const key = chatKey(delivery.tenantId, delivery.chatId);
    const run = this.byChat.get(key);
    if (!run || run.record.status !== 'running') return;
    const copy = delivery.redeliveryOf !== undefined || delivery.duplicateOf !== undefined;
    const webhook: TimelineWebhook | undefined = run.current && !copy ? { deliveryId: delivery.id, event: delivery.event, status: 'pending' } : undefined;
    if (webhook) run.current?.webhooks.push(webhook);
    const fact: DeliveryFact | undefined = run.facts.has(delivery.chatId)
      ? { deliveryId: delivery.id, chatId: delivery.chatId, event: delivery.event, at: delivery.createdAt, status: 'pending', attempts: 0, ...(copy ? { copy } : {}) }
      : undefined;
    if (fact) run.facts.get(delivery.chatId)?.deliveries.push(fact);
    run.record.deliveries.sent += 1;
    run.record.deliveries.pending += 1;
    this.tracked.set(delivery.id, { run, ...(fact ? { fact } : {}), ...(webhook ? { webhook } : {}) });
    this.activity.enqueued(key, delivery.id);
    // Settled at once (the dispatcher was stopped): the event came before this listener ran.
    if (delivery.status === 'delivered' || delivery.status === 'failed') this.deliverySettled(delivery);
  }

  private deliverySettled(delivery: DeliveryNotice): void {
    const tracked = this.tracked.get(delivery.id);
    if (!tracked) return;
    this.tracked.delete(delivery.id);
    const { run, fact, webhook } = tracked;
    const status = delivery.status === 'delivered' ? 'delivered' : 'failed';
    const last = delivery.attempts[delivery.attempts.length - 1];
    const summary = run.record.deliveries;
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
        ...(last?.error !== undefined ? { error: last.error } : delivery.attempts.length === 0 ? { error: 'never sent (the emulator stopped)' } : {}),
      });
    }
    if (webhook) webhook.status = status;
    if (fact) {
      fact.status = status;
      fact.attempts = delivery.attempts.length;
      if (last?.statusCode !== undefined) fact.statusCode = last.statusCode;
      if (last?.error !== undefined) fact.error = last.error;
    }
    this.wake();
    if (delivery.chatId !== undefined) {
      this.activity.settled(chatKey(delivery.tenantId, delivery.chatId), delivery.id);
      if (status === 'failed' && fact && !fact.copy) run.customers.get(delivery.chatId)?.onDeliveryFailed(delivery.id);
    }
  }

  /** The integrator's API calls touching a running run's chats (from the request journal). */
  private requestRecorded(record: RequestRecord): void {
    const { tenantId } = record;
    if (tenantId === undefined) return;
    for (const call of integratorCallsOf(record)) {
      const key = chatKey(tenantId, call.chatId);
      const run = this.byChat.get(key);
      if (!run || run.record.status !== 'running') continue;
      if (run.record.calls.length < KEPT_CALLS) run.record.calls.push(call);
      if (run.facts.has(call.chatId)) run.addCall(call);
      // Refused calls change nothing, so no domain event told the timeline: the journal does.
      if (!call.ok) this.integratorEntry(run, call.operation, call.chatId, `refused: ${call.errorCode ?? record.status}: ${call.errorMessage ?? ''}`.trim());
      this.activity.touch(key);
    }
  }

  /** The scenario files, read when first needed: a test file that never runs one pays nothing at start. */
  get scenarios(): Map<string, Scenario> {
    return this.load().scenarios;
  }

  get loadErrors(): string[] {
    return this.load().errors;
  }

  private load(): LoadedScenarios {
    if (!this.loaded) {
      this.loaded = loadScenarios(this.deps.dirs ?? []);
      for (const error of this.loaded.errors) this.deps.logger.warn(`scenario skipped: ${error}`);
    }
    return this.loaded;
  }

  /**
   * Adds scenario files sent as text (`scenario run --scenarios DIR` against a running emulator): each
   * is validated like a file of a folder; a valid one replaces a scenario of the same name.
   */
  addFiles(files: { file: string; yaml: string }[]): { scenarios: string[]; errors: string[] } {
    const added: string[] = [];
    const errors: string[] = [];
    for (const { file, yaml } of files) {
      try {
        const scenario = parseScenarioText(yaml, file);
        // Replacing one is always fine; new names are bounded, so uploads cannot grow the process without end.
        if (!this.scenarios.has(scenario.name) && this.scenarios.size >= MAX_SCENARIOS) {
          errors.push(`${file}: ${this.scenarios.size} scenarios are loaded, the most the emulator keeps (${MAX_SCENARIOS}); replace one by sending a file with its name.`);
          continue;
        }
        this.scenarios.set(scenario.name, scenario);
        added.push(scenario.name);
      } catch (error) {
        errors.push(...(error instanceof ScenarioFileError ? error.problems : [`${file}: ${String(error)}`]));
      }
    }
    return { scenarios: added, errors };
  }

  list(): Scenario[] {
    return [...this.scenarios.values()].sort((a, b) => a.name.localeCompare(b.name));
  }

  find(name: string): Scenario {
    const scenario = this.scenarios.get(name);
    if (!scenario) throw new DomainError('NOT_FOUND', `No scenario "${name}". GET /_emulator/scenarios lists them: ${this.list().map((s) => s.name).join(', ')}.`);
    return scenario;
  }

  /** Starts a run and returns at once (the run goes on in the background). */
  start(name: string, options: StartRunOptions = {}): RunRecord {
    const scenario = this.find(name);
    if (this.active.size >= MAX_ACTIVE_RUNS) {
      throw new DomainError('LIMIT_REACHED', `${this.active.size} scenario runs are going on, the most the emulator runs at once (${MAX_ACTIVE_RUNS}). Wait for some to end, or cancel them (DELETE …/runs/:id).`, {
        limit: MAX_ACTIVE_RUNS,
      });
    }
    const params = this.params(scenario, options.params ?? {});
    const tenant = findTenant(this.deps.domain.store, options.tenant ?? (typeof params.tenant === 'string' && params.tenant !== '' ? params.tenant : undefined));
    const speed = options.speed ?? 1;
    if (!Number.isFinite(speed) || speed < 0) throw invalidArgument('speed', 'speed is a number ≥ 0 (0 runs without waiting).');
    const seed = options.seed ?? this.deps.seed;
    this.seq += 1;
    const record: RunRecord = {
      id: `run-${this.seq}`,
      scenario: name,
      status: 'running',
      tenant: tenant.id,
      params,
      seed,
      speed,
      ...(options.target ? { target: options.target } : {}),
      startedAt: this.deps.domain.clock.now(),
      chats: [],
      threads: [],
      timeline: [],
      integratorFacing: false,
      deliveries: { sent: 0, delivered: 0, failed: 0, pending: 0, undelivered: [] },
      calls: [],
    };
    // The run's own random source: the same seed and params give the same ids, texts and payloads.
    const { store, events, clock, content } = this.deps.domain;
    const run = new ScenarioRun(record, scenario, tenant, { store, events, clock, content, random: new Random(seed) }, this);
    record.integratorFacing = run.integratorFacing;
    this.runs.set(record.id, run);
    this.active.add(run);
    this.trim();
    // A run ends once its webhooks have been delivered or given up: their fate is part of its result.
    void run.execute().then(
      () => this.delivered(run).then(() => this.finish(run, 'completed')),
      (error: unknown) => {
        if (error instanceof RunCancelled || run.cancelled) this.finish(run, 'cancelled');
        else if (error instanceof StepFailed || error instanceof DomainError) {
          // One failed step ends the run: its other flows stop now rather than run on (or sleep) after it.
          this.halt(run);
          void this.delivered(run).then(() => this.finish(run, 'failed', error.message));
        }
        else {
          this.deps.logger.error(`scenario ${name} (${record.id}) crashed`, error);
          this.finish(run, 'failed', `internal error: ${(error as Error).message}`);
        }
      },
    );
    this.drive();
    return record;
  }

  get(name: string, id: string): RunRecord {
    const run = this.runs.get(id);
    if (!run || run.record.scenario !== name) throw new DomainError('NOT_FOUND', `No run ${id} of scenario ${name}.`);
    return run.record;
  }

  runsOf(name: string): RunRecord[] {
    return [...this.runs.values()].filter((r) => r.record.scenario === name).map((r) => r.record);
  }

  cancel(name: string, id: string): RunRecord {
    const record = this.get(name, id);
    const run = this.runs.get(id) as ScenarioRun;
    if (record.status === 'running') this.abort(run);
    return record;
  }

  /** The URL a run with a target sends one chat's (or thread's) webhooks to. */
  routeOf = (tenantId: string, chatId: string): string | undefined => this.byChat.get(chatKey(tenantId, chatId))?.record.target;

  /**
   * Resolves when the run is no longer running, or as soon as `signal` aborts (a long-polling
   * client that went away). Each wait removes its own waiter: nothing is left behind per wake.
   */
  async settled(id: string, signal?: AbortSignal): Promise<RunRecord | undefined> {
    const run = this.runs.get(id);
    if (!run) return undefined;
    while (run.record.status === 'running' && !signal?.aborted) {
      await new Promise<void>((resolve) => {
        const done = () => {
          this.waiters.delete(done);
          signal?.removeEventListener('abort', done);
          resolve();
        };
        this.waiters.add(done);
        signal?.addEventListener('abort', done);
      });
    }
    return run.record;
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

  // --- RunHost -----------------------------------------------------------------------------

  adopt(run: ScenarioRun, kind: 'chat' | 'thread', id: string): void {
    const list = kind === 'chat' ? run.record.chats : run.record.threads;
    if (!list.includes(id)) list.push(id);
    this.byChat.set(chatKey(run.tenant.id, id), run);
    // A chat the integrator is expected to handle: its webhooks and calls are evidence.
    if (kind === 'chat' && run.integratorFacing) run.factsOf(id);
  }

  sleep(run: ScenarioRun, ms: number, interrupt?: Interrupt): Promise<void> {
    const clock = this.deps.domain.clock;
    if (run.stopped) return Promise.reject(new RunCancelled());
    if (interrupt?.interrupted) return Promise.reject(new Interrupted());
    // A virtual clock moves by the whole delay (the driver advances it); the system clock waits delay / speed.
    const wait = clock.kind === 'virtual' ? ms : run.record.speed === 0 ? 0 : ms / run.record.speed;
    return new Promise((resolve, reject) => {
      const abort = () => {
        handle.cancel();
        removeInterrupt?.();
        reject(new RunCancelled());
      };
      const handle = clock.schedule(wait, () => {
        run.sleeps.delete(abort);
        removeInterrupt?.();
        resolve();
      });
      // Cancelling the run aborts its sleeps directly: domain events never need to look at them.
      run.sleeps.add(abort);
      // A customer's newer event stops the handler's wait (the chat closed while it was thinking).
      const removeInterrupt = interrupt?.add(() => {
        handle.cancel();
        run.sleeps.delete(abort);
        reject(new Interrupted());
      });
    });
  }

  async quiet(run: ScenarioRun, chatId: string, graceMs: number, interrupt?: Interrupt): Promise<void> {
    if (run.stopped) throw new RunCancelled();
    // One stop for both: the handler's interrupt and cancelling the run.
    const stop = new Interrupt();
    const removeOuter = interrupt?.add(() => stop.fire());
    const abort = () => stop.fire();
    run.sleeps.add(abort);
    try {
      await this.activity.quiet(chatKey(run.tenant.id, chatId), graceMs, stop);
    } catch (error) {
      throw run.stopped ? new RunCancelled() : error;
    } finally {
      run.sleeps.delete(abort);
      removeOuter?.();
    }
  }

  /** Resolves when none of the run's webhooks is still queued, on the wire or waiting for a retry (or the run was cancelled). */
  private async delivered(run: ScenarioRun): Promise<void> {
    while (run.record.deliveries.pending > 0 && !run.cancelled) {
      await new Promise<void>((resolve) => {
        const done = () => {
          this.waiters.delete(done);
          resolve();
        };
        this.waiters.add(done);
      });
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

  // --- internals ---------------------------------------------------------------------------

  private abort(run: ScenarioRun): void {
    run.cancelled = true;
    this.finish(run, 'cancelled');
    this.wake();
  }

  /** Stops every flow of the run at once: its pending sleeps are cancelled (their clock timers too). */
  private halt(run: ScenarioRun): void {
    run.halted = true;
    for (const abortSleep of [...run.sleeps]) abortSleep();
    run.sleeps.clear();
  }

  private wake(): void {
    for (const waiter of [...this.waiters]) waiter();
  }

  private finish(run: ScenarioRun, status: RunRecord['status'], error?: string): void {
    if (run.record.status !== 'running') return;
    if (run.integratorFacing && status !== 'cancelled') {
      const verdict = computeVerdict([...run.facts.values()]);
      run.record.verdict = verdict;
      const failed = verdict.expectations.filter((e) => e.required && e.status === 'failed');
      if (failed.length > 0) {
        // The verdict is the run's result: a required expectation that failed fails the run.
        const why = `verdict: ${failed.map((e) => `${e.id} failed (${e.reason})`).join('; ')}`;
        error = status === 'failed' && error ? `${error}; ${why}` : why;
        status = 'failed';
      }
    }
    run.record.status = status;
    run.record.finishedAt = this.deps.domain.clock.now();
    if (error) run.record.error = error;
    this.active.delete(run);
    this.halt(run);
    // A finished run keeps its record only: the verdict is computed, so its working state goes.
    run.customers.clear();
    run.facts.clear();
    for (const chatId of run.record.chats) this.activity.forget(chatKey(run.record.tenant, chatId));
    this.wake();
    this.wakeDriver?.();
  }

  private trim(): void {
    if (this.runs.size <= KEPT_RUNS) return;
    for (const [id, run] of this.runs) {
      if (this.runs.size <= KEPT_RUNS) break;
      if (run.record.status === 'running') continue;
      this.runs.delete(id);
      // A forgotten run stops routing its chats' webhooks to its target.
      for (const chatOrThread of [...run.record.chats, ...run.record.threads]) {
        const key = chatKey(run.record.tenant, chatOrThread);
        if (this.byChat.get(key) === run) this.byChat.delete(key);
      }
    }
  }

  private params(scenario: Scenario, given: Record<string, unknown>): Record<string, string | number | boolean> {
    const out: Record<string, string | number | boolean> = {};
    for (const key of Object.keys(given)) {
      if (!Object.hasOwn(scenario.params, key)) {
        throw invalidArgument(`params.${key}`, `Scenario ${scenario.name} has no parameter "${key}"; its parameters are ${Object.keys(scenario.params).join(', ') || '(none)'}.`);
      }
    }
    for (const [key, spec] of Object.entries(scenario.params)) {
      let value: unknown = Object.hasOwn(given, key) ? given[key] : spec.default;
      const type = typeof spec.default;
      if (type === 'number' && typeof value === 'string' && value.trim() !== '' && Number.isFinite(Number(value))) value = Number(value);
      if (type === 'boolean' && (value === 'true' || value === 'false')) value = value === 'true';
      if (typeof value !== type) throw invalidArgument(`params.${key}`, `Parameter "${key}" of ${scenario.name} is a ${type}, got ${JSON.stringify(value)}.`);
      if (spec.enum && !spec.enum.includes(value as string | number)) {
        throw invalidArgument(`params.${key}`, `Parameter "${key}" must be one of ${spec.enum.join(', ')}, got ${JSON.stringify(value)}.`);
      }
      out[key] = value as string | number | boolean;
    }
    return out;
  }

  /** Sleeps `ms` of real time; resolves early (with true) when a run starts or ends. */
  private driverSleep(ms: number): Promise<boolean> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.wakeDriver = undefined;
        resolve(false);
      }, Math.min(ms, 2_147_483_647));
      this.wakeDriver = () => {
        clearTimeout(timer);
        this.wakeDriver = undefined;
        resolve(true);
      };
    });
  }

  /**
   * On a virtual clock, moves time to the next timer at the pace of the fastest running run (speed
   * 0: at once). A run that starts or ends while the driver sleeps wakes it, so a faster run never
   * waits for a slower one's timers. Time is never held for an integration: a customer waits for
   * it in real time (patience, grace) and schedules nothing meanwhile, so its chat's clock stands
   * still by itself.
   */
  private drive(): void {
    const clock: Clock = this.deps.domain.clock;
    if (!(clock instanceof VirtualClock)) return;
    if (this.driving) {
      this.wakeDriver?.();
      return;
    }
    this.driving = true;
    let sliceStarted = performance.now();
    const loop = async (): Promise<void> => {
      while (this.active.size > 0) {
        if (performance.now() - sliceStarted < DRIVER_SLICE_MS) {
          // Let the runs' continuations finish: a tick runs once every queued promise job has.
          await new Promise((resolve) => process.nextTick(resolve));
        } else {
          // Then pending I/O (the API's clients): a busy driver must not starve them, nor they it.
          await new Promise((resolve) => setImmediate(resolve));
          sliceStarted = performance.now();
        }
        const next = clock.nextDueAt();
        if (next === undefined) {
          await this.driverSleep(10);
          continue;
        }
        const speeds = [...this.active].map((r) => r.record.speed);
        const fastest = speeds.includes(0) ? Infinity : Math.max(...speeds);
        const from = clock.now();
        const real = (next - from) / fastest;
        if (real > 0) {
          const started = performance.now();
          const woken = await this.driverSleep(real);
          if (woken) {
            // The pace changed: keep the time that passed at the old pace, then look again.
            const passed = Math.floor((performance.now() - started) * fastest);
            if (passed > 0 && clock.now() === from) clock.setTime(Math.min(next - 1, from + passed));
            continue;
          }
        }
        if (this.active.size === 0) break;
        if (next > clock.now()) clock.setTime(next);
        else clock.advance(0);
      }
    };
    void loop().finally(() => {
      this.driving = false;
    });
  }
}
