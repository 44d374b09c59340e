import type { Actor } from '../domain/actors.js';
import type { DomainContext } from '../domain/context.js';
import type { Random } from '../kernel/random.js';
import type { ChatRecord, ExpertRecord } from '../store/model.js';
import type { Tenant } from '../store/tenant.js';
import type { CustomerHost } from './customer.js';
import type { Flow } from './flow.js';
import type { Interrupt } from './interrupt.js';
import type { ScenarioRun } from './run.js';
import type { ScenarioFaultKind, Step, StepKind } from './schema.js';
import type { Templates } from './templates.js';

/** What a step handler works with: the run's state, the domain, the engine's waits, and the shared helpers of steps. */
export interface StepContext {
  readonly run: ScenarioRun;
  readonly ctx: DomainContext;
  readonly random: Random;
  readonly templates: Templates;
  /** What a reactive customer of the run acts through. */
  readonly customerHost: CustomerHost;
  /** The tenant the run plays in, as the store has it now. */
  readonly tenant: Tenant;
  /** Runs steps in a flow; false ends the flow (the chat was missed). */
  steps(steps: Step[], flow: Flow): Promise<boolean>;
  /** Runs one action step (its time-line entry, the webhooks it causes). */
  act(step: Step, flow: Flow, name: string): void;
  /** Waits `ms` of scenario time (scaled by speed; on a virtual clock the engine moves time); `interrupt` stops it. */
  sleep(ms: number, interrupt?: Interrupt): Promise<void>;
  /** Resolves true when `check` holds (re-checked on every domain event), false after `timeoutMs` of real time. */
  waitFor(check: () => boolean, timeoutMs: number): Promise<boolean>;
  /** Resolves once the integrator is quiet on the chat (no webhook on its way, `graceMs` of real time without activity). */
  quiet(chatId: string, graceMs: number, interrupt?: Interrupt): Promise<void>;
  /** A chat or thread now belongs to this run (webhook routing, timeline). */
  adopt(kind: 'chat' | 'thread', id: string): void;
  /** Switches a delivery fault on for the next webhooks of one of the run's chats (a `fault` step). */
  addFault(rule: ScenarioFault): void;
  /** The flow's chat; a step that needs one fails without it. */
  chat(flow: Flow, name: string): ChatRecord;
  /** The community members of a kind. */
  members(kind: ExpertRecord['kind']): ExpertRecord[];
  pickExpert(kind: ExpertRecord['kind'], name: string): ExpertRecord;
  /** A persona by id or providerId, else the tenant's first. */
  persona(ref: string | undefined, name: string): string;
  /** The actor a step's `by`/`from` word means in its chat (the words of the control API, domain/actors.ts). */
  actor(word: string, chat: ChatRecord, name: string): Actor;
}

/** A fault rule of a `fault` step: the webhooks' fault rules (docs/webhooks.md), for one chat. */
export interface ScenarioFault {
  kind: ScenarioFaultKind;
  chatId: string;
  event?: string;
  times: number;
  delayMs?: number;
}

/** One kind of step: true goes on with the flow, false ends it (the chat was missed). */
export type StepHandler<K extends StepKind> = (
  s: StepContext,
  step: Extract<Step, { kind: K }>,
  flow: Flow,
  name: string,
) => Promise<boolean> | boolean;

/** One kind of domain action: does it and says what it did (the time-line entry's detail). */
export type ActionHandler<K extends StepKind> = (
  s: StepContext,
  step: Extract<Step, { kind: K }>,
  flow: Flow,
  name: string,
) => string | undefined;
