import type { Clock } from '../clock.js';
import { VirtualClock } from '../clock.js';
import type { DomainContext } from '../domain/context.js';
import { DomainError, invalidArgument } from '../domain/errors.js';
import type { DomainEventName } from '../domain/events.js';
import { findTenant } from '../domain/tenants.js';
import type { Logger } from '../logger.js';
import { Random } from '../random.js';
import type { Dispatcher } from '../webhooks/dispatcher.js';
import { loadScenarios, type LoadedScenarios } from './loader.js';
import type { RunRecord } from './run-types.js';
import { RunCancelled, ScenarioRun, StepFailed, type RunHost } from './runner.js';
import type { Scenario } from './schema.js';

export interface StartRunOptions {
  target?: string;
  speed?: number;
  seed?: number;
  params?: Record<string, unknown>;
  tenant?: string;
}

export interface EngineDeps {
  domain: DomainContext;
  dispatcher: Dispatcher;
  logger: Logger;
  /** Extra folders of scenario files (--scenarios). */
  dirs?: string[];
  /** Default seed of runs. */
  seed: number;
}

const CHAT_EVENTS: DomainEventName[] = ['chat.assigned', 'chat.accepted', 'chat.closed', 'chat.reopened', 'chat.handed-over', 'chat.rated', 'chat.missed', 'chat.persona-transferred'];
const ACTION_OF: Partial<Record<DomainEventName, string>> = {
  'chat.accepted': 'acceptChat',
  'chat.closed': 'closeChat',
  'chat.reopened': 'openChat',
  'chat.persona-transferred': 'transferToPersona',
  'message.created': 'sendChatMessage',
};

/** Runs kept per scenario for GET (finished ones beyond this are forgotten, oldest first). */
const KEPT_RUNS = 200;

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
  private readonly offs: (() => void)[] = [];

  constructor(private readonly deps: EngineDeps) {
    const { events } = deps.domain;
    for (const name of [...CHAT_EVENTS, 'message.created' as const]) {
      this.offs.push(
        events.on(
          name as 'chat.accepted',
          (payload) => {
            const chatId = 'chat' in payload ? payload.chat.id : undefined;
            const run = chatId === undefined ? undefined : this.byChat.get(`${payload.tenantId}/${chatId}`);
            // The integrator's own actions (through the Admin API) join the run's timeline.
            if (run && payload.actor.kind === 'api' && !run.current && ACTION_OF[name]) {
              const at = deps.domain.clock.now();
              const entry = { at, iso: new Date(at).toISOString(), step: '-', action: ACTION_OF[name] as string, by: 'integrator' as const, chatId, webhooks: [] };
              run.record.timeline.push(entry);
              run.current = entry;
              queueMicrotask(() => {
                if (run.current === entry) run.current = undefined;
              });
            }
            this.wake();
          },
          { first: true },
        ),
      );
    }
    const onEnqueued = (delivery: { id: string; event: string; tenantId: string; chatId?: string }) => {
      const run = delivery.chatId === undefined ? undefined : this.byChat.get(`${delivery.tenantId}/${delivery.chatId}`);
      run?.current?.webhooks.push({ deliveryId: delivery.id, event: delivery.event });
    };
    deps.dispatcher.on('enqueued', onEnqueued);
    this.offs.push(() => deps.dispatcher.off('enqueued', onEnqueued));
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
    const params = this.params(scenario, options.params ?? {});
    const tenantId = options.tenant ?? (typeof params.tenant === 'string' && params.tenant !== '' ? params.tenant : undefined) ?? this.deps.domain.store.tenants()[0]?.id;
    if (tenantId === undefined) throw new DomainError('NOT_FOUND', 'There is no tenant to run the scenario in.');
    const tenant = findTenant(this.deps.domain.store, tenantId);
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
    };
    // The run's own random source: the same seed and params give the same ids, texts and payloads.
    const { store, events, clock, content } = this.deps.domain;
    const run = new ScenarioRun(record, scenario, tenant, { store, events, clock, content, random: new Random(seed) }, this);
    this.runs.set(record.id, run);
    this.active.add(run);
    this.trim();
    void run.execute().then(
      () => this.finish(run, 'completed'),
      (error: unknown) => {
        if (error instanceof RunCancelled || run.cancelled) this.finish(run, 'cancelled');
        else if (error instanceof StepFailed || error instanceof DomainError) this.finish(run, 'failed', error.message);
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
  routeOf = (tenantId: string, chatId: string): string | undefined => this.byChat.get(`${tenantId}/${chatId}`)?.record.target;

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
    this.byChat.set(`${run.tenant.id}/${id}`, run);
  }

  sleep(run: ScenarioRun, ms: number): Promise<void> {
    const clock = this.deps.domain.clock;
    if (run.cancelled) return Promise.reject(new RunCancelled());
    // A virtual clock moves by the whole delay (the driver advances it); the system clock waits delay / speed.
    const wait = clock.kind === 'virtual' ? ms : run.record.speed === 0 ? 0 : ms / run.record.speed;
    return new Promise((resolve, reject) => {
      const abort = () => {
        handle.cancel();
        reject(new RunCancelled());
      };
      const handle = clock.schedule(wait, () => {
        run.sleeps.delete(abort);
        resolve();
      });
      // Cancelling the run aborts its sleeps directly: domain events never need to look at them.
      run.sleeps.add(abort);
    });
  }

  waitFor(run: ScenarioRun, check: () => boolean, timeoutMs: number): Promise<boolean> {
    if (check()) return Promise.resolve(true);
    run.externalWaits += 1;
    return new Promise((resolve, reject) => {
      const done = (result: boolean | Error) => {
        clearTimeout(timer);
        this.waiters.delete(poll);
        run.externalWaits -= 1;
        if (result instanceof Error) reject(result);
        else resolve(result);
      };
      // Wall-clock: the integrator is a real process, whatever the emulator clock does.
      const timer = setTimeout(() => done(check()), timeoutMs);
      timer.unref?.();
      const poll = () => {
        if (run.cancelled) done(new RunCancelled());
        else if (check()) done(true);
      };
      this.waiters.add(poll);
    });
  }

  // --- internals ---------------------------------------------------------------------------

  private abort(run: ScenarioRun): void {
    run.cancelled = true;
    this.finish(run, 'cancelled');
    for (const abortSleep of [...run.sleeps]) abortSleep();
    run.sleeps.clear();
    this.wake();
  }

  private wake(): void {
    for (const waiter of [...this.waiters]) waiter();
  }

  private finish(run: ScenarioRun, status: RunRecord['status'], error?: string): void {
    if (run.record.status !== 'running') return;
    run.record.status = status;
    run.record.finishedAt = this.deps.domain.clock.now();
    if (error) run.record.error = error;
    this.active.delete(run);
    this.wake();
  }

  private trim(): void {
    if (this.runs.size <= KEPT_RUNS) return;
    for (const [id, run] of this.runs) {
      if (this.runs.size <= KEPT_RUNS) break;
      if (run.record.status === 'running') continue;
      this.runs.delete(id);
      // A forgotten run stops routing its chats' webhooks to its target.
      for (const chatOrThread of [...run.record.chats, ...run.record.threads]) {
        const key = `${run.tenant.id}/${chatOrThread}`;
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

  /** On a virtual clock, moves time to the next timer whenever every run only waits for time. */
  private drive(): void {
    const clock: Clock = this.deps.domain.clock;
    if (!(clock instanceof VirtualClock) || this.driving) return;
    this.driving = true;
    const step = async (): Promise<void> => {
      while (this.active.size > 0) {
        // Let the runs' continuations (microtasks) and pending I/O run first.
        await new Promise((resolve) => setImmediate(resolve));
        if ([...this.active].some((r) => r.externalWaits > 0)) {
          await new Promise((resolve) => setTimeout(resolve, 5));
          continue;
        }
        const next = clock.nextDueAt();
        if (next === undefined) {
          await new Promise((resolve) => setTimeout(resolve, 5));
          continue;
        }
        // One clock for all runs: the fastest pace wins (speed 0 means no waiting at all).
        const speeds = [...this.active].map((r) => r.record.speed);
        const real = speeds.includes(0) ? 0 : (next - clock.now()) / Math.max(...speeds);
        if (real > 0) await new Promise((resolve) => setTimeout(resolve, Math.min(real, 2_147_483_647)));
        if (this.active.size === 0) break;
        if (next > clock.now()) clock.setTime(next);
        else clock.advance(0);
      }
    };
    void step().finally(() => {
      this.driving = false;
    });
  }
}
