import { actorOf, API, isParty, PARTIES, SERVICE_ACCOUNT_ID, USER, type Actor } from '../domain/actors.js';
import {
  acceptChat,
  assignChat,
  closeChat,
  createChat,
  findChatOrThrow,
  handoverChat,
  missChat,
  postMessage,
  rateChat,
  reopenChat,
  transferChatToPersona,
} from '../domain/chats.js';
import type { DomainContext } from '../domain/context.js';
import { DomainError } from '../domain/errors.js';
import { postThreadMessage, sendSystemMessage, threadHash } from '../domain/threads.js';
import type { Random } from '../kernel/random.js';
import type { ChatRecord, ExpertRecord } from '../store/model.js';
import type { Tenant } from '../store/tenant.js';
import type { DomainEventName, DomainEvents } from '../domain/events.js';
import { Conversation } from '../store/conversation.js';
import { CUSTOMER_DEFAULTS, GiveUp, ReactiveCustomer, type CustomerHost, type CustomerSettings } from './customer.js';
import type { EventOrigin, Flow } from './flow.js';
import { Interrupted, type Interrupt } from './interrupt.js';
import type { RunRecord, TimelineEntry } from './run-types.js';
import { parseDuration, type Scenario, type Step } from './schema.js';
import type { ChatFacts, DeliveryFact, IntegratorCall, WaitFact } from './verdict.js';


/** What the runner needs from the engine: time, waiting for the integrator, bookkeeping. */

/** Branches one `parallel` step may start (each a chat flow with its own timers). */
export const MAX_PARALLEL = 10_000;

export interface RunHost {
  /** Waits `ms` of scenario time (scaled by speed; on a virtual clock the engine moves time); `interrupt` stops it. */
  sleep(run: ScenarioRun, ms: number, interrupt?: Interrupt): Promise<void>;
  /** Resolves true when `check` holds (re-checked on every domain event), false after `timeoutMs` of real time. */
  waitFor(run: ScenarioRun, check: () => boolean, timeoutMs: number): Promise<boolean>;
  /** Resolves once the integrator is quiet on the chat (no webhook on its way, `graceMs` of real time without activity). */
  quiet(run: ScenarioRun, chatId: string, graceMs: number, interrupt?: Interrupt): Promise<void>;
  /** A chat or thread now belongs to this run (webhook routing, timeline). */
  adopt(run: ScenarioRun, kind: 'chat' | 'thread', id: string): void;
}

export class RunCancelled extends Error {}

class StepFailed extends Error {}


type ParamValue = string | number | boolean;

/** One execution of a scenario: walks the steps, drives the domain, writes the timeline. */
export class ScenarioRun implements CustomerHost {
  cancelled = false;
  /**
   * The run has ended (a step failed, or it finished): its other flows stop at their next wait
   * instead of living on as timers that hold the run (a refused busy-day left 59 per run).
   */
  halted = false;
  /** Aborts the sleeps in progress (cancelling a run). */
  readonly sleeps = new Set<() => void>();
  /** The entry webhooks enqueued right now belong to (set while a step runs). */
  current: TimelineEntry | undefined;
  /** Reactive customers by chat id. */
  readonly customers = new Map<string, ReactiveCustomer>();
  /** What the verdict is computed from, per chat (chats the integrator is expected to handle). */
  readonly facts = new Map<string, ChatFacts>();
  /** The scenario waits for an integration (a customer or a wait-until step): it gets a verdict. */
  readonly integratorFacing: boolean;

  /** Cancelled or ended: nothing of the run may act or wait any more. */
  get stopped(): boolean {
    return this.cancelled || this.halted;
  }

  /** The tenant's id: the run looks the tenant up in the store, never holds it (see `tenant`). */
  private readonly tenantId: string;

  constructor(
    readonly record: RunRecord,
    readonly scenario: Scenario,
    tenant: Tenant,
    readonly ctx: DomainContext,
    private readonly host: RunHost,
  ) {
    this.tenantId = tenant.id;
    const waits = (steps: Step[]): boolean => steps.some((s) => s.kind === 'customer' || s.kind === 'wait-until' || waits(s.steps ?? []) || (s.branches ?? []).some((b) => waits(b.steps)));
    this.integratorFacing = waits(scenario.steps);
  }

  /**
   * The tenant the run plays in, as the store has it now. Looked up, not held: a reset replaces the
   * tenant's object, and the finished runs the engine keeps would otherwise each hold an old copy
   * of its whole data (1.2 MB for the built-in one).
   */
  get tenant(): Tenant {
    const tenant = this.ctx.store.tenant(this.tenantId);
    if (!tenant) throw new DomainError('NOT_FOUND', `Tenant ${this.tenantId} of run ${this.record.id} no longer exists.`);
    return tenant;
  }

  now(): number {
    return this.ctx.clock.now();
  }

  chatRecord(chatId: string): ChatRecord {
    return findChatOrThrow(this.tenant, chatId, 'chatId');
  }

  /** The facts of a chat the integrator is expected to handle (created on first use). */
  factsOf(chatId: string): ChatFacts {
    let facts = this.facts.get(chatId);
    if (!facts) {
      facts = { chatId, waits: [], deliveries: [], calls: [] };
      this.facts.set(chatId, facts);
    }
    return facts;
  }

  addWait(fact: WaitFact): void {
    this.factsOf(fact.chatId).waits.push(fact);
  }

  /** The most recent webhook of the chat (not a copy), what the integrator is expected to react to. */
  latestDelivery(chatId: string): DeliveryFact | undefined {
    const list = this.facts.get(chatId)?.deliveries ?? [];
    for (let i = list.length - 1; i >= 0; i--) if (!list[i]?.copy) return list[i];
    return undefined;
  }

  addCall(call: IntegratorCall): void {
    this.factsOf(call.chatId).calls.push(call);
  }

  quiet(chatId: string, graceMs: number, interrupt?: Interrupt): Promise<void> {
    return this.host.quiet(this, chatId, graceMs, interrupt);
  }

  /** A domain event of one of the run's chats, for its customer. */
  onChatEvent<K extends DomainEventName>(name: K, payload: DomainEvents[K], chatId: string, origin: EventOrigin): void {
    if (name === 'chat.accepted' && origin === 'integrator') {
      const chat = (payload as DomainEvents['chat.accepted']).chat;
      this.factsOf(chatId).acceptedAs = this.tenant.personasById.has(chat.expertId ?? '') ? 'persona' : 'service-account';
    }
    this.customers.get(chatId)?.onEvent(name, payload, origin);
  }

  /** A timeline entry written by the scenario itself (a customer's wait, say). */
  note(flow: Flow, name: string, action: string, detail?: string): TimelineEntry {
    return this.entry(`${name}${flow.suffix}`, action, flow, detail);
  }

  /** Runs steps in a flow (a customer's handler); stops with Interrupted when the flow's interrupt fires. */
  runSteps(steps: Step[], flow: Flow): Promise<boolean> {
    return this.steps(steps, flow);
  }

  private get random(): Random {
    return this.ctx.random;
  }

  async execute(): Promise<void> {
    const language = String(this.record.params.language ?? 'en');
    await this.steps(this.scenario.steps, { language, suffix: '' });
  }

  private async steps(steps: Step[], flow: Flow): Promise<boolean> {
    for (const step of steps) {
      if (this.stopped) throw new RunCancelled();
      if (flow.interrupt?.interrupted) throw new Interrupted();
      const goOn = await this.step(step, flow);
      if (!goOn) return false;
    }
    return true;
  }

  /** Runs one step; false ends the flow (the chat was missed). */
  private async step(step: Step, flow: Flow): Promise<boolean> {
    const name = `${step.path}${flow.suffix}`;
    switch (step.kind) {
      case 'wait': {
        const ms = this.duration(step.args, name);
        await this.host.sleep(this, ms, flow.interrupt);
        return true;
      }
      case 'customer':
        return this.customer(step, flow, name);
      case 'give-up':
        this.entry(name, 'give-up', flow, step.args.reason ? this.text(step.args.reason, flow) : 'the customer leaves');
        throw new GiveUp(step.args.reason ? this.text(step.args.reason, flow) : 'the customer left');
      case 'repeat': {
        const times = this.int(step.args.times, name);
        for (let i = 0; i < times; i++) {
          const goOn = await this.steps(step.steps ?? [], { ...flow, suffix: `${flow.suffix}#${i + 1}` });
          if (!goOn) return false;
        }
        return true;
      }
      case 'choose': {
        const branch = this.random.weighted((step.branches ?? []).map((b) => ({ value: b, weight: b.weight })));
        return this.steps(branch.steps, flow);
      }
      case 'parallel': {
        const count = this.int(step.args.count, name);
        // Every branch is set up at once: a huge count would hold the process (and its memory) for good.
        if (count > MAX_PARALLEL) throw new StepFailed(`${name}: parallel count ${count} is more than the ${MAX_PARALLEL} branches a run may have at once`);
        let offset = 0;
        const branches: Promise<boolean>[] = [];
        for (let i = 0; i < count; i++) {
          if (i > 0 && step.args.stagger !== undefined) offset += this.duration(step.args.stagger, name);
          const start = offset;
          const branch: Flow = { language: flow.language, suffix: `${flow.suffix}/${i + 1}`, ...(flow.interrupt ? { interrupt: flow.interrupt } : {}) };
          branches.push(
            (async () => {
              if (start > 0) await this.host.sleep(this, start, flow.interrupt);
              return this.steps(step.steps ?? [], branch);
            })(),
          );
        }
        await Promise.all(branches);
        return true;
      }
      case 'wait-until':
        return this.waitUntil(step, flow, name);
      default:
        this.act(step, flow, name);
        return true;
    }
  }

  private entry(name: string, action: string, flow: Flow, detail?: string): TimelineEntry {
    const at = this.ctx.clock.now();
    const entry: TimelineEntry = {
      at,
      iso: new Date(at).toISOString(),
      step: name,
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

  /** A synchronous domain action; the webhooks it enqueues are attached to its entry. */
  private act(step: Step, flow: Flow, name: string): void {
    const entry = this.entry(name, step.kind, flow);
    this.current = entry;
    try {
      entry.detail = this.perform(step, flow, name);
      if (flow.chatId) entry.chatId = flow.chatId;
      if (flow.threadFid) entry.thread = threadHash(flow.threadFid);
    } catch (error) {
      if (error instanceof DomainError) throw new StepFailed(`${name} (${step.kind}): ${error.message}`);
      throw error;
    } finally {
      this.current = undefined;
    }
  }

  private chat(flow: Flow, name: string): ChatRecord {
    if (!flow.chatId) throw new StepFailed(`${name}: no chat yet; a flow starts with an "open" step.`);
    return findChatOrThrow(this.tenant, flow.chatId, 'chatId');
  }

  private members(kind: ExpertRecord['kind']): ExpertRecord[] {
    return this.tenant.data.experts.filter((e) => e.kind === kind && e.isMember);
  }

  private pickExpert(kind: ExpertRecord['kind'], name: string): ExpertRecord {
    const list = this.members(kind);
    if (list.length === 0) throw new StepFailed(`${name}: this tenant has no ${kind} in its community.`);
    return this.random.pick(list);
  }

  private persona(ref: string | undefined, name: string): string {
    const personas = this.tenant.data.personas;
    if (ref !== undefined) {
      const resolved = this.text(ref);
      const found = this.tenant.personasById.get(resolved) ?? this.tenant.personasByProviderId.get(resolved);
      if (!found) throw new StepFailed(`${name}: no persona with id or providerId "${resolved}".`);
      return found.id;
    }
    const first = personas[0];
    if (!first) throw new StepFailed(`${name}: this tenant has no persona; create one with createPersona.`);
    return first.id;
  }

  /** The actor a step's `by`/`from` word means in its chat (the words of the control API, domain/actors.ts). */
  private actor(word: string, chat: ChatRecord, name: string): Actor {
    if (!isParty(word)) throw new StepFailed(`${name}: "${word}" is not one of ${PARTIES.join(', ')}.`);
    return actorOf(word, this.tenant, chat);
  }

  private perform(step: Step, flow: Flow, name: string): string | undefined {
    const { ctx, tenant } = this;
    switch (step.kind) {
      case 'open': {
        const asked = step.args.language ? this.text(step.args.language) : flow.language;
        // "any": one of the chat window's languages, at random (busy-day).
        const language = asked === 'any' ? this.random.pick(['en', 'en', 'de', 'fr', 'it']) : asked;
        flow.language = language;
        flow.talk = new Conversation(ctx.content, this.random, language);
        const people = this.random.people(language === 'de' || language === 'fr' || language === 'it' ? language : 'en');
        const first = people.person.firstName();
        const last = people.person.lastName();
        // The category of the chat's topic when the tenant has one by that name.
        const category = step.args.category
          ? this.text(step.args.category)
          : (tenant.data.categories.find((c) => c.name === flow.talk?.topic.category) ?? this.random.pick(tenant.data.categories)).id;
        const chat = createChat(ctx, tenant, {
          question: this.text(step.args.question ?? '{{question}}', flow),
          language,
          categoryId: category,
          user: {
            name: step.args.user?.name ? this.text(step.args.user.name) : `${first} ${last}`,
            email: step.args.user?.email ? this.text(step.args.user.email) : people.internet.email({ firstName: first, lastName: last }).toLowerCase(),
          },
        });
        flow.chatId = chat.id;
        this.host.adopt(this, 'chat', chat.id);
        return `customer opened chat ${chat.id}: "${chat.question}"`;
      }
      case 'assign': {
        const experts = (step.args.experts ?? [SERVICE_ACCOUNT_ID]).map((e) => {
          const ref = this.text(e);
          return ref === 'guuru' ? this.pickExpert('guuru', name).id : ref;
        });
        assignChat(ctx, tenant, this.chat(flow, name).id, experts);
        return `assigned to ${experts.join(', ')}`;
      }
      case 'accept': {
        const chat = this.chat(flow, name);
        const by = step.args.by ? this.text(step.args.by) : chat.requestedExperts.includes(SERVICE_ACCOUNT_ID) ? 'persona' : 'guuru';
        if (by === 'persona') {
          const personaId = this.persona(step.args.persona, name);
          acceptChat(ctx, tenant, chat.id, { personaId }, API);
          return `accepted by persona ${personaId}`;
        }
        if (by === 'api') {
          acceptChat(ctx, tenant, chat.id, {}, API);
          return 'accepted by the Public API service account';
        }
        const requested = chat.requestedExperts.filter((id) => tenant.expertsById.get(id)?.kind === by);
        const expertId = requested.length > 0 ? this.random.pick(requested) : this.pickExpert(by === 'agent' ? 'agent' : 'guuru', name).id;
        acceptChat(ctx, tenant, chat.id, { expertId }, { kind: 'expert', id: expertId });
        return `accepted by ${by} ${expertId}`;
      }
      case 'message': {
        const chat = this.chat(flow, name);
        const from = this.text(step.args.from);
        const actor = this.actor(from, chat, name);
        const fallback = from === 'customer' ? '{{followUp}}' : from === 'bot' ? '{{botNote}}' : '{{answer}}';
        const posting = step.args.attachment
          ? { type: 'attachment', address: this.text(step.args.attachment.url), mimetype: step.args.attachment.mimetype, filename: step.args.attachment.filename }
          : { type: 'text', text: this.text(step.args.text ?? fallback, flow) };
        const message = postMessage(ctx, tenant, chat.id, posting, actor, { hideForUser: step.args.hideForUser, hideForExpert: step.args.hideForExpert });
        return `${from}: ${message.type === 'text' ? `"${message.text}"` : `attachment ${message.attachment?.filename ?? message.attachment?.url}`}`;
      }
      case 'close': {
        const chat = this.chat(flow, name);
        const by = step.args.by ? this.text(step.args.by) : 'expert';
        closeChat(ctx, tenant, chat.id, this.actor(by, chat, name));
        return `closed by the ${by}`;
      }
      case 'reopen': {
        const chat = this.chat(flow, name);
        const by = step.args.by ? this.text(step.args.by) : 'customer';
        reopenChat(ctx, tenant, chat.id, this.actor(by, chat, name));
        return `reopened by the ${by}`;
      }
      case 'handover': {
        const receiver = step.args.receiver ? this.text(step.args.receiver) : this.random.pick(this.members('agent').map((a) => a.email).concat(['support@example.com']));
        handoverChat(ctx, tenant, this.chat(flow, name).id, { reason: this.text(step.args.reason ?? '{{transferReason}}', flow), receiver });
        return `handed over to ${receiver}`;
      }
      case 'rate': {
        const rating = this.text(step.args.rating);
        rateChat(ctx, tenant, this.chat(flow, name).id, rating, USER);
        return `rated ${rating}`;
      }
      case 'miss':
        missChat(ctx, tenant, this.chat(flow, name).id);
        return 'nobody accepted: missed';
      case 'transfer-to-persona': {
        const personaId = this.persona(step.args.persona, name);
        transferChatToPersona(ctx, tenant, this.chat(flow, name).id, personaId, API);
        return `transferred to persona ${personaId}`;
      }
      case 'gurusup-message': {
        flow.threadFid ??= step.args.thread ? this.text(step.args.thread) : `scenario-${this.record.id}-${this.random.slug(6)}`;
        const from = this.text(step.args.from);
        const lang = step.args.lang ? this.text(step.args.lang) : flow.language;
        this.host.adopt(this, 'thread', threadHash(flow.threadFid));
        if (from === 'system') {
          const sent = sendSystemMessage(ctx, tenant, { thread_fid: flow.threadFid, body: this.text(step.args.body ?? '{{gurusupReply}}', { ...flow, language: lang }), lang });
          return `system: "${sent.body}"`;
        }
        const result = postThreadMessage(ctx, tenant, {
          thread_fid: flow.threadFid,
          body: this.text(step.args.body ?? (from === 'agent' ? '{{gurusupAgentReply}}' : '{{customerMessage}}'), { ...flow, language: lang }),
          user_fid: from === 'agent' ? 'agent-scenario' : `customer-${this.record.id}`,
          lang,
          ...(step.args.subject ? { subject: this.text(step.args.subject) } : {}),
          is_customer_support_agent: from === 'agent',
        });
        return `${from}: "${result.posted.body}"${result.reply ? ` → automatic reply "${result.reply.body}"` : ''}`;
      }
      default:
        throw new StepFailed(`${name}: ${step.kind} is not an action`);
    }
  }

  /** Hands the chat to a reactive customer until it rates, is missed or gives up; false when the chat was missed. */
  private async customer(step: Extract<Step, { kind: 'customer' }>, flow: Flow, name: string): Promise<boolean> {
    const chat = this.chat(flow, name);
    const args = step.args;
    const ms = (value: unknown, fallback: number) => (value === undefined ? fallback : this.duration(value, name));
    const settings: CustomerSettings = {
      exchanges: args.exchanges === undefined ? CUSTOMER_DEFAULTS.exchanges : this.int(args.exchanges, name),
      patience: {
        accept: ms(args.patience?.accept, CUSTOMER_DEFAULTS.patience.accept),
        reply: ms(args.patience?.reply, CUSTOMER_DEFAULTS.patience.reply),
        close: ms(args.patience?.close, CUSTOMER_DEFAULTS.patience.close),
      },
      grace: ms(args.grace, CUSTOMER_DEFAULTS.grace),
      handlers: step.handlers ?? {},
    };
    const own: Flow & { chatId: string } = { ...flow, chatId: chat.id };
    const customer = new ReactiveCustomer(this, own, settings, step.path);
    own.customer = customer;
    this.factsOf(chat.id);
    this.customers.set(chat.id, customer);
    const cancel = () => customer.cancel(new RunCancelled());
    this.sleeps.add(cancel);
    try {
      const outcome = await customer.play();
      this.entry(name, 'customer', flow, outcome === 'rated' ? 'the customer rated the chat' : outcome === 'missed' ? 'nobody accepted: the chat was missed' : `the customer ${outcome}`);
      // The integrator's last reactions (a message after the close, say) still belong to the run.
      await this.host.quiet(this, chat.id, settings.grace);
      return outcome !== 'missed';
    } finally {
      this.sleeps.delete(cancel);
      this.customers.delete(chat.id);
    }
  }

  /** Waits for the integrator (or the chat) to reach a state, with a real-time timeout. */
  private async waitUntil(step: Extract<Step, { kind: 'wait-until' }>, flow: Flow, name: string): Promise<boolean> {
    const chat = this.chat(flow, name);
    const { event, onTimeout } = step.args;
    const timeout = this.duration(step.args.timeout, name);
    const since = chat.messages.length;
    const check = (): boolean => {
      switch (event) {
        case 'accepted':
          return chat.acceptedAt !== undefined && chat.status !== 'assigned';
        case 'closed':
          return chat.status === 'closed' || chat.status === 'rated';
        case 'rated':
          return chat.status === 'rated';
        case 'integrator-message':
          return chat.messages.slice(since).some((m) => m.author.kind === 'persona' || (m.author.kind === 'expert' && m.author.id === SERVICE_ACCOUNT_ID));
      }
    };
    const expected = step.args.expect ?? `chat ${event}`;
    const entry = this.entry(name, 'wait-until', flow, `waiting up to ${timeout} ms for: ${expected}`);
    entry.expected = expected;
    const awaiting = ({ accepted: 'accept', 'integrator-message': 'reply', closed: 'close' } as const)[event as 'accepted'];
    const fact: WaitFact | undefined = awaiting ? { chatId: chat.id, awaiting, since: entry.at, iso: entry.iso, outcome: 'done', waitedMs: 0 } : undefined;
    if (fact) this.addWait(fact);
    const started = performance.now();
    const done = await this.host.waitFor(this, check, timeout);
    entry.outcome = done ? 'done' : 'timeout';
    if (fact) {
      fact.outcome = done ? 'done' : 'timeout';
      fact.waitedMs = Math.round(performance.now() - started);
    }
    if (done) return true;
    if (onTimeout === 'continue') return true;
    if (onTimeout === 'miss') {
      if (chat.status === 'assigned') this.act({ kind: 'miss', args: {}, path: step.path } as Step, flow, name);
      if (step.args.expect) throw new StepFailed(`${name}: the integrator did not ${step.args.expect} within ${timeout} ms; the chat was missed.`);
      return false;
    }
    throw new StepFailed(`${name}: timed out after ${timeout} ms waiting for: ${expected}.`);
  }

  // --- templates -------------------------------------------------------------------------

  private value(name: string, flow?: Flow): ParamValue {
    if (Object.hasOwn(this.record.params, name)) return this.record.params[name] as ParamValue;
    const lang = flow?.language ?? String(this.record.params.language ?? 'en');
    const c = this.ctx.content;
    const from = (list: Record<string, string[]> | undefined): string => this.random.pick(list?.[lang] ?? list?.en ?? ['…']);
    const talk = flow?.talk;
    switch (name) {
      case 'question':
        return talk ? talk.question() : from(c.questions);
      case 'answer':
        return talk ? talk.answer() : from(c.answers);
      case 'followUp':
        // A reactive customer's last answer is its thanks.
        return talk ? (flow?.customer?.lastExchange ? talk.thanks() : talk.followUp()) : from(c.followUps);
      case 'closing':
        return talk ? talk.closing() : from(c.closings);
      case 'details':
        return talk ? talk.details() : from(c.followUps);
      case 'thanks':
        return talk ? talk.thanks() : from(c.followUps);
      case 'nudge':
        return talk ? talk.nudge() : 'Hello? Is anyone there?';
      case 'comeBack':
        return talk ? talk.comeBack() : from(c.followUps);
      case 'welcomeBack':
        return talk ? talk.welcomeBack() : from(c.followUps);
      case 'notHelpful':
        return talk ? talk.notHelpful() : 'That does not answer my question.';
      case 'botNote':
        return c.bot.searching[lang] ?? c.bot.searching.en;
      case 'botMissed':
        return c.bot.missed[lang] ?? c.bot.missed.en;
      case 'transferReason':
        return this.random.pick(c.transferReasons);
      case 'customerMessage':
        return from(c.gurusup?.customer ?? c.questions);
      case 'gurusupReply':
        return from(c.gurusup?.replies ?? c.answers);
      case 'gurusupAgentReply':
        return from(c.gurusup?.agentReplies ?? c.answers);
      default:
        throw new StepFailed(`unknown template {{${name}}}: not a parameter of ${this.scenario.name} nor a generated text`);
    }
  }

  private resolve(raw: unknown, flow?: Flow): unknown {
    if (typeof raw !== 'string') return raw;
    const whole = /^\{\{\s*([A-Za-z][\w-]*)\s*\}\}$/.exec(raw);
    if (whole) return this.value(whole[1] as string, flow);
    return raw.replace(/\{\{\s*([A-Za-z][\w-]*)\s*\}\}/g, (_m, key: string) => String(this.value(key, flow)));
  }

  private text(raw: string, flow?: Flow): string {
    return String(this.resolve(raw, flow));
  }

  private int(raw: unknown, name: string): number {
    const value = Number(this.resolve(raw));
    if (!Number.isInteger(value) || value < 0) throw new StepFailed(`${name}: expected a whole number, got ${String(this.resolve(raw))}`);
    return value;
  }

  private duration(raw: unknown, name: string): number {
    if (typeof raw === 'object' && raw !== null && 'min' in raw) {
      const range = raw as { min: unknown; max: unknown };
      const min = this.duration(range.min, name);
      const max = this.duration(range.max, name);
      return this.random.int(Math.min(min, max), Math.max(min, max));
    }
    const ms = parseDuration(this.resolve(raw));
    if (ms === undefined) throw new StepFailed(`${name}: "${String(this.resolve(raw))}" is not a duration such as 30s or 2m`);
    return ms;
  }
}

export { StepFailed };
