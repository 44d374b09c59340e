import { actorOf, isParty, PARTIES, type Actor } from '../domain/actors.js';
import { findChatOrThrow } from '../domain/chats.js';
import type { DomainContext } from '../domain/context.js';
import { DomainError } from '../domain/errors.js';
import type { Random } from '../kernel/random.js';
import type { ChatRecord, ExpertRecord } from '../store/model.js';
import type { Tenant } from '../store/tenant.js';
import { ACTIONS, type ActionKind } from './actions.js';
import type { CustomerHost } from './customer.js';
import type { Flow } from './flow.js';
import { FLOW_STEPS, type FlowKind } from './flow-steps.js';
import { Interrupted, type Interrupt } from './interrupt.js';
import type { TimelineEntry } from './run-types.js';
import { RunCancelled, StepFailed, type ScenarioRun } from './run.js';
import type { Step } from './schema.js';
import type { ScenarioFault, StepContext, StepHandler } from './step-context.js';
import { Templates } from './templates.js';
import type { DeliveryFact, WaitFact } from './verdict.js';

export { MAX_PARALLEL } from './flow-steps.js';

/** What the steps need from the engine: time, waiting for the integrator, routing a chat's webhooks. */
export interface RunHost {
  /** Waits `ms` of scenario time (scaled by speed; on a virtual clock the engine moves time); `interrupt` stops it. */
  sleep(run: ScenarioRun, ms: number, interrupt?: Interrupt): Promise<void>;
  /** Resolves true when `check` holds (re-checked on every domain event), false after `timeoutMs` of real time. */
  waitFor(run: ScenarioRun, check: () => boolean, timeoutMs: number): Promise<boolean>;
  /** Resolves once the integrator is quiet on the chat (no webhook on its way, `graceMs` of real time without activity). */
  quiet(run: ScenarioRun, chatId: string, graceMs: number, interrupt?: Interrupt): Promise<void>;
  /** A chat or thread now belongs to this run (webhook routing, timeline). */
  adopt(run: ScenarioRun, kind: 'chat' | 'thread', id: string): void;
  /** Adds a delivery fault rule for one of the run's chats (the webhooks' fault rules, passed in by the composition root). */
  addFault(run: ScenarioRun, rule: ScenarioFault): void;
}

const isAction = (kind: Step['kind']): kind is ActionKind => Object.hasOwn(ACTIONS, kind);

/**
 * Plays a run's steps: each step goes to its handler by kind (flow-steps.ts: waits, repeats,
 * branches, customers; actions.ts: one domain command each). What the steps do is reported to the
 * run (run.ts), which alone writes its record.
 */
export class StepRunner implements StepContext, CustomerHost {
  readonly templates: Templates;
  readonly customerHost: CustomerHost = this;

  constructor(
    readonly run: ScenarioRun,
    readonly ctx: DomainContext,
    private readonly host: RunHost,
  ) {
    this.templates = new Templates(run.params, run.scenario.name, ctx.content, ctx.random);
  }

  /**
   * The tenant the run plays in, as the store has it now. Looked up, not held: a reset replaces the
   * tenant's object, and the finished runs the engine keeps would otherwise each hold an old copy
   * of its whole data (1.2 MB for the built-in one).
   */
  get tenant(): Tenant {
    const tenant = this.ctx.store.tenant(this.run.tenantId);
    if (!tenant)
      throw new DomainError('NOT_FOUND', `Tenant ${this.run.tenantId} of run ${this.run.id} no longer exists.`);
    return tenant;
  }

  get random(): Random {
    return this.ctx.random;
  }

  async execute(): Promise<void> {
    const language = String(this.run.params.language ?? 'en');
    await this.steps(this.run.scenario.steps, { language, suffix: '' });
  }

  async steps(steps: Step[], flow: Flow): Promise<boolean> {
    for (const step of steps) {
      if (this.run.stopped) throw new RunCancelled();
      if (flow.interrupt?.interrupted) throw new Interrupted();
      const name = `${step.path}${flow.suffix}`;
      if (isAction(step.kind)) this.act(step, flow, name);
      else if (
        !(await (FLOW_STEPS[step.kind as FlowKind] as StepHandler<FlowKind>)(
          this,
          step as Extract<Step, { kind: FlowKind }>,
          flow,
          name,
        ))
      )
        return false;
    }
    return true;
  }

  /** A synchronous domain action; the webhooks it enqueues are attached to its entry. */
  act(step: Step, flow: Flow, name: string): void {
    const perform = ACTIONS[step.kind as ActionKind] as (
      s: StepContext,
      step: Step,
      flow: Flow,
      name: string,
    ) => string | undefined;
    try {
      this.run.act(flow, name, step.kind, () => perform(this, step, flow, name));
    } catch (error) {
      if (error instanceof DomainError) throw new StepFailed(`${name} (${step.kind}): ${error.message}`);
      throw error;
    }
  }

  sleep(ms: number, interrupt?: Interrupt): Promise<void> {
    return this.host.sleep(this.run, ms, interrupt);
  }

  waitFor(check: () => boolean, timeoutMs: number): Promise<boolean> {
    return this.host.waitFor(this.run, check, timeoutMs);
  }

  quiet(chatId: string, graceMs: number, interrupt?: Interrupt): Promise<void> {
    return this.host.quiet(this.run, chatId, graceMs, interrupt);
  }

  adopt(kind: 'chat' | 'thread', id: string): void {
    this.host.adopt(this.run, kind, id);
  }

  addFault(rule: ScenarioFault): void {
    this.host.addFault(this.run, rule);
  }

  // --- helpers of the steps ----------------------------------------------------------------

  chat(flow: Flow, name: string): ChatRecord {
    if (!flow.chatId) throw new StepFailed(`${name}: no chat yet; a flow starts with an "open" step.`);
    return findChatOrThrow(this.tenant, flow.chatId, 'chatId');
  }

  members(kind: ExpertRecord['kind']): ExpertRecord[] {
    return this.tenant.data.experts.filter((e) => e.kind === kind && e.isMember);
  }

  pickExpert(kind: ExpertRecord['kind'], name: string): ExpertRecord {
    const list = this.members(kind);
    if (list.length === 0) throw new StepFailed(`${name}: this tenant has no ${kind} in its community.`);
    return this.random.pick(list);
  }

  persona(ref: string | undefined, name: string): string {
    const personas = this.tenant.data.personas;
    if (ref !== undefined) {
      const resolved = this.templates.text(ref);
      const found = this.tenant.personasById.get(resolved) ?? this.tenant.personasByProviderId.get(resolved);
      if (!found) throw new StepFailed(`${name}: no persona with id or providerId "${resolved}".`);
      return found.id;
    }
    const first = personas[0];
    if (!first) throw new StepFailed(`${name}: this tenant has no persona; create one with createPersona.`);
    return first.id;
  }

  actor(word: string, chat: ChatRecord, name: string): Actor {
    if (!isParty(word)) throw new StepFailed(`${name}: "${word}" is not one of ${PARTIES.join(', ')}.`);
    return actorOf(word, this.tenant, chat);
  }

  // --- CustomerHost: what the run's customers use -----------------------------------------

  get current(): TimelineEntry | undefined {
    return this.run.current;
  }

  now(): number {
    return this.ctx.clock.now();
  }

  chatRecord(chatId: string): ChatRecord {
    return findChatOrThrow(this.tenant, chatId, 'chatId');
  }

  runSteps(steps: Step[], flow: Flow): Promise<boolean> {
    return this.steps(steps, flow);
  }

  openWait(flow: Flow, name: string, fact: WaitFact, detail: string, expected: string): object {
    return this.run.openWait(flow, `${name}${flow.suffix}`, 'waits', fact, detail, expected);
  }

  endWait(wait: object, outcome: WaitFact['outcome'], waitedMs: number): void {
    this.run.endWait(wait, outcome, waitedMs);
  }

  latestDelivery(chatId: string): Readonly<DeliveryFact> | undefined {
    return this.run.latestDelivery(chatId);
  }
}
