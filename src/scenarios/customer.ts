import type { DomainEventName, DomainEvents } from '../domain/events.js';
import type { ChatRecord, MessageRecord } from '../store/model.js';
import { Interrupt, Interrupted } from './interrupt.js';
import type { EventOrigin, Flow } from './flow.js';
import type { TimelineEntry } from './run-types.js';
import type { CustomerEvent, Handler, Step } from './schema.js';
import type { DeliveryFact, WaitFact } from './verdict.js';

/** What a customer needs from its run (the run's steps, runner.ts). */
export interface CustomerHost {
  /** The run's own step is acting right now (its events are the customer's own). */
  readonly current: TimelineEntry | undefined;
  now(): number;
  chatRecord(chatId: string): ChatRecord;
  quiet(chatId: string, graceMs: number, interrupt?: Interrupt): Promise<void>;
  runSteps(steps: Step[], flow: Flow): Promise<boolean>;
  /** The wait begins: the run records it (its fact and a time-line entry) and returns its handle. */
  openWait(flow: Flow, name: string, fact: WaitFact, detail: string, expected: string): object;
  /** The wait ended: how, after how long in real time. */
  endWait(wait: object, outcome: WaitFact['outcome'], waitedMs: number): void;
  latestDelivery(chatId: string): Readonly<DeliveryFact> | undefined;
}

/** A customer's parameters, resolved (durations in ms). */
export interface CustomerSettings {
  /** How many of the integrator's replies it answers before it has nothing more to ask. */
  exchanges: number;
  /** Real time it waits to be accepted, answered, or let go after its last message. */
  patience: Record<WaitFact['awaiting'], number>;
  /** Real time the integration gets to finish reacting (a burst, a close after a reply) before the customer acts. */
  grace: number;
  handlers: Partial<Record<CustomerEvent, Handler>>;
}

export const CUSTOMER_DEFAULTS = {
  exchanges: 2,
  patience: { accept: 30_000, reply: 60_000, close: 120_000 },
  grace: 300,
} as const;

const step = (path: string, kind: Step['kind'], args: unknown): Step => ({ kind, args, path }) as Step;
const both = (steps: Step[]): Handler => ({ first: steps, then: steps });

/** What a customer does when its file says nothing about an event. */
export const DEFAULT_HANDLERS: Partial<Record<CustomerEvent, Handler>> = {
  accepted: both([
    step('customer.on.accepted[0]', 'wait', { min: '3s', max: '8s' }),
    step('customer.on.accepted[1]', 'message', { from: 'customer', text: '{{details}}' }),
  ]),
  replied: both([
    step('customer.on.replied[0]', 'wait', { min: '8s', max: '25s' }),
    step('customer.on.replied[1]', 'message', { from: 'customer', text: '{{followUp}}' }),
  ]),
  closed: both([
    step('customer.on.closed[0]', 'wait', { min: '20s', max: '1m' }),
    step('customer.on.closed[1]', 'rate', { rating: 'good' }),
  ]),
  'no-accept': both([step('customer.on.no-accept[0]', 'miss', {})]),
};

/** Thrown by a `give-up` step: the customer leaves the chat. */
export class GiveUp extends Error {}

const EXPECTING: Record<WaitFact['awaiting'], string> = {
  accept: 'acceptChat (the chat was assigned to "api")',
  reply: 'sendChatMessage answering the customer',
  close: 'closeChat (the customer has nothing more to ask)',
};

const isIntegratorMessage = (m: MessageRecord) =>
  m.author.kind === 'persona' || (m.author.kind === 'expert' && m.author.id === 'api');

interface Waiting {
  awaiting: WaitFact['awaiting'];
  /** The run's handle of the wait. */
  handle: object;
  startedReal: number;
  timer: NodeJS.Timeout;
}

/**
 * The simulated customer of one chat, driven by what happens in it (domain events) rather than
 * by a timeline: it writes once accepted, answers the integrator's replies (a burst of messages
 * gets one answer) while it has something to ask, rates whenever the chat is closed, answers
 * again after a reopen, and loses patience when nothing comes. What it does at each event is the
 * scenario's `on:` handlers (steps); when it acts and what it waits for is decided here. It never
 * writes into a closed chat: a close interrupts whatever it was about to say.
 */
export class ReactiveCustomer {
  /** The next `{{followUp}}` is its last message (thanks) rather than another question. */
  lastExchange = false;
  private remaining: number;
  private readonly counts = new Map<CustomerEvent, number>();
  private busy: { event: CustomerEvent; interrupt: Interrupt } | undefined;
  private waiting: Waiting | undefined;
  /** no-reply / no-close handlers run since the integrator last did something. */
  private silences = 0;
  private acceptExpired = false;
  private ended = false;
  private resolveEnd!: (outcome: string) => void;
  private rejectEnd!: (error: unknown) => void;
  readonly finished: Promise<string>;

  constructor(
    private readonly run: CustomerHost,
    private readonly flow: Flow & { chatId: string },
    private readonly settings: CustomerSettings,
    private readonly name: string,
  ) {
    this.remaining = settings.exchanges;
    this.finished = new Promise((resolve, reject) => {
      this.resolveEnd = resolve;
      this.rejectEnd = reject;
    });
  }

  get chatId(): string {
    return this.flow.chatId;
  }

  private chat(): ChatRecord {
    return this.run.chatRecord(this.chatId);
  }

  /** Starts reacting; resolves with how it ended (rated, missed, gave up…). */
  play(): Promise<string> {
    this.next();
    return this.finished;
  }

  /** A domain event of this chat, and who caused it. */
  onEvent<K extends DomainEventName>(name: K, payload: DomainEvents[K], origin: EventOrigin): void {
    if (this.ended) return;
    const byIntegrator = origin === 'integrator';
    const own = origin === 'scenario';
    switch (name) {
      case 'chat.accepted':
        this.acceptExpired = false;
        this.doneWaiting('accept');
        if (!own) this.react('accepted');
        return;
      case 'message.created': {
        const { message } = payload as DomainEvents['message.created'];
        if (!byIntegrator || !isIntegratorMessage(message)) return;
        this.silences = 0;
        // Busy (typing an answer, rating): the message joins what it is answering; next() looks again after.
        if (this.busy) return;
        if (this.waiting?.awaiting === 'close') return;
        this.doneWaiting('reply');
        if (this.chat().status === 'open' && this.remaining > 0) this.react('replied');
        else this.next();
        return;
      }
      case 'chat.closed':
      case 'chat.handed-over':
        if (!own) this.restart('closed');
        return;
      case 'chat.reopened':
        // After a reopen there is always one more answer to give (thanks, at least).
        this.remaining = Math.max(this.remaining, 1);
        if (!own) this.restart('reopened');
        return;
      case 'chat.persona-transferred':
        // The conversation goes on with the new persona; a handler may say something about it.
        if (byIntegrator && !this.busy && this.settings.handlers.transferred) this.react('transferred');
        return;
      case 'chat.assigned':
        if (own) return;
        this.busy?.interrupt.fire();
        this.busy = undefined;
        this.endWait('done');
        this.next();
        return;
      case 'chat.rated':
      case 'chat.missed':
        this.end(name === 'chat.rated' ? 'rated' : 'missed');
        return;
      default:
    }
  }

  /** A webhook of this chat failed for good: if it is the one the integrator needed, waiting is pointless. */
  onDeliveryFailed(deliveryId: string): void {
    if (this.ended || !this.waiting) return;
    const latest = this.run.latestDelivery(this.chatId);
    if (latest?.deliveryId === deliveryId) this.expire('undelivered');
  }

  // --- reactions ---------------------------------------------------------------------------

  /** The integrator closed, handed over or reopened the chat: what was awaited is moot, the customer reacts afresh. */
  private restart(event: 'closed' | 'reopened'): void {
    this.silences = 0;
    this.endWait('done');
    this.react(event);
  }

  /** Runs the handler of `event` (after the chat is quiet), interrupting the one in progress. */
  private react(event: CustomerEvent): void {
    const handler = this.settings.handlers[event] ?? DEFAULT_HANDLERS[event];
    this.busy?.interrupt.fire();
    this.busy = undefined;
    if (!handler) {
      this.next();
      return;
    }
    const n = this.counts.get(event) ?? 0;
    this.counts.set(event, n + 1);
    if (event === 'replied') {
      this.lastExchange = this.remaining <= 1 || !this.flow.talk?.hasFollowUp();
      this.remaining = this.lastExchange ? 0 : this.remaining - 1;
    }
    const interrupt = new Interrupt();
    const busy = { event, interrupt };
    this.busy = busy;
    const flow: Flow = { ...this.flow, interrupt, suffix: `${this.flow.suffix}#${n + 1}` };
    const steps = n === 0 ? handler.first : handler.then;
    void (async () => {
      await this.run.quiet(this.chatId, this.settings.grace, interrupt);
      await this.run.runSteps(steps, flow);
    })().then(
      () => {
        if (this.busy !== busy || this.ended) return;
        this.busy = undefined;
        this.next();
      },
      (error: unknown) => {
        if (error instanceof Interrupted || this.ended) return;
        if (error instanceof GiveUp) this.end(`gave up: ${error.message}`);
        else this.fail(error);
      },
    );
  }

  /** Decides what to wait for once nothing is in progress, from the state of the chat. */
  private next(): void {
    if (this.ended || this.busy) return;
    const chat = this.chat();
    switch (chat.status) {
      case 'created':
      case 'assigned':
        if (this.acceptExpired) this.end('gave up: nobody accepted');
        else this.await('accept');
        return;
      case 'open':
        if (this.integratorSpokeLast(chat) && this.remaining > 0) this.react('replied');
        else this.await(this.remaining > 0 ? 'reply' : 'close');
        return;
      case 'rated':
      case 'missed':
        this.end(chat.status);
        return;
      default:
        this.end(`left the ${chat.status} chat`);
    }
  }

  private integratorSpokeLast(chat: ChatRecord): boolean {
    for (let i = chat.messages.length - 1; i >= 0; i--) {
      const m = chat.messages[i] as MessageRecord;
      if (m.author.kind === 'user') return false;
      if (isIntegratorMessage(m)) return true;
    }
    return false;
  }

  // --- patience ----------------------------------------------------------------------------

  private await(awaiting: WaitFact['awaiting']): void {
    if (this.waiting?.awaiting === awaiting && awaiting === 'close') return;
    this.endWait('done');
    const patience = this.settings.patience[awaiting];
    const at = this.run.now();
    const fact: WaitFact = {
      chatId: this.chatId,
      awaiting,
      since: at,
      iso: new Date(at).toISOString(),
      outcome: 'done',
      waitedMs: 0,
    };
    const handle = this.run.openWait(
      this.flow,
      this.name,
      fact,
      `waiting up to ${patience} ms for ${EXPECTING[awaiting]}`,
      EXPECTING[awaiting],
    );
    const timer = setTimeout(() => this.expire('timeout'), patience);
    timer.unref?.();
    this.waiting = { awaiting, handle, startedReal: performance.now(), timer };
    // The integrator can only act on a webhook it received.
    const latest = this.run.latestDelivery(this.chatId);
    if (!latest) this.expire('no-webhook');
    else if (latest.status === 'failed') this.expire('undelivered');
  }

  private doneWaiting(awaiting: WaitFact['awaiting']): void {
    if (this.waiting?.awaiting === awaiting) this.endWait('done');
  }

  private endWait(outcome: WaitFact['outcome']): Waiting | undefined {
    const waiting = this.waiting;
    if (!waiting) return undefined;
    this.waiting = undefined;
    clearTimeout(waiting.timer);
    this.run.endWait(waiting.handle, outcome, Math.round(performance.now() - waiting.startedReal));
    return waiting;
  }

  private expire(cause: 'timeout' | 'undelivered' | 'no-webhook'): void {
    const waiting = this.endWait(cause);
    if (!waiting || this.ended) return;
    const { awaiting } = waiting;
    if (awaiting === 'accept') {
      this.acceptExpired = true;
      this.react('no-accept');
      return;
    }
    const handlerEvent: CustomerEvent = awaiting === 'reply' ? 'no-reply' : 'no-close';
    // One try per silence ("hello?"), then the customer leaves.
    if (cause === 'timeout' && this.settings.handlers[handlerEvent] && this.silences === 0) {
      this.silences += 1;
      this.react(handlerEvent);
      return;
    }
    this.end(`gave up waiting for ${EXPECTING[awaiting]}`);
  }

  // --- the end -----------------------------------------------------------------------------

  private end(outcome: string): void {
    if (this.ended) return;
    this.ended = true;
    this.busy?.interrupt.fire();
    this.busy = undefined;
    this.endWait('ended');
    this.resolveEnd(outcome);
  }

  private fail(error: unknown): void {
    if (this.ended) return;
    this.ended = true;
    this.busy?.interrupt.fire();
    this.endWait('ended');
    this.rejectEnd(error);
  }

  /** The run was cancelled. */
  cancel(error: unknown): void {
    this.fail(error);
  }
}
