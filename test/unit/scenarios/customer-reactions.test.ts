import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { USER, API } from '../../../src/domain/actors.js';
import type { DomainEventName, DomainEvents } from '../../../src/domain/events.js';
import type { Conversation } from '../../../src/store/conversation.js';
import { ReactiveCustomer, type CustomerHost, type CustomerSettings } from '../../../src/scenarios/customer.js';
import type { EventOrigin, Flow } from '../../../src/scenarios/flow.js';
import { Interrupted } from '../../../src/scenarios/interrupt.js';
import type { TimelineEntry } from '../../../src/scenarios/run-types.js';
import type { Step } from '../../../src/scenarios/schema.js';
import type { WaitFact } from '../../../src/scenarios/verdict.js';
import type { ChatRecord, ChatStatus, MessageRecord } from '../../../src/store/model.js';

/**
 * The customer's reactions without an emulator: a fake run holds one chat and records which
 * handler steps the customer runs. Its default handlers are used, so "writes" means a `message`
 * step from the customer and "rates" a `rate` step.
 */
class FakeRun implements CustomerHost {
  current: TimelineEntry | undefined;
  readonly chat = {
    id: 'chat-1',
    status: 'assigned' as ChatStatus,
    messages: [] as MessageRecord[],
  } as unknown as ChatRecord;
  readonly waits: WaitFact[] = [];
  /** What the customer did, in order: 'message', 'rate', … (the default handlers' `wait` steps left out). */
  readonly did: string[] = [];
  /** Resolves the handler that is running (its think-time); interrupted handlers reject. */
  private pending: { resolve: () => void; reject: (e: unknown) => void } | undefined;

  now = () => 0;
  chatRecord = () => this.chat;
  quiet = () => Promise.resolve();
  // The wait's handle is its fact: ending it sets the outcome the assertions read.
  openWait = (_flow: Flow, _name: string, fact: WaitFact) => {
    this.waits.push(fact);
    return fact;
  };
  endWait = (fact: WaitFact, outcome: WaitFact['outcome']) => void (fact.outcome = outcome);
  latestDelivery = () => ({
    deliveryId: 'd-1',
    chatId: 'chat-1',
    event: 'chat-assigned',
    at: 0,
    status: 'delivered' as const,
    attempts: 1,
  });

  runSteps = async (steps: Step[], flow: Flow): Promise<boolean> => {
    // The think-time: the customer is "typing" until the test lets it finish (or an event interrupts it).
    await new Promise<void>((resolve, reject) => {
      this.pending = { resolve, reject };
      flow.interrupt?.add(() => reject(new Interrupted()));
    });
    for (const step of steps) {
      if (step.kind === 'wait') continue;
      this.did.push(step.kind);
      if (step.kind === 'message') this.post('user');
      if (step.kind === 'rate') this.chat.status = 'rated';
    }
    return true;
  };

  /** The customer finishes what it is typing. */
  async finishTyping(): Promise<void> {
    await vi.advanceTimersByTimeAsync(0);
    const pending = this.pending;
    this.pending = undefined;
    pending?.resolve();
    await vi.advanceTimersByTimeAsync(0);
  }

  post(by: 'user' | 'persona'): MessageRecord {
    const message = {
      id: `m-${this.chat.messages.length + 1}`,
      chatId: this.chat.id,
      seq: this.chat.messages.length + 1,
      type: 'text',
      createdAt: 0,
      hideForUser: false,
      hideForExpert: false,
      author: by === 'user' ? { kind: 'user' } : { kind: 'persona', id: 'persona-1' },
    } as MessageRecord;
    this.chat.messages.push(message);
    return message;
  }
}

const SETTINGS: CustomerSettings = {
  exchanges: 2,
  patience: { accept: 30_000, reply: 60_000, close: 120_000 },
  grace: 0,
  handlers: {},
};

let run: FakeRun;
let customer: ReactiveCustomer;
let outcome: Promise<string>;

/** Something happened in the chat: the integrator acted through the Admin API. */
function integrator<K extends DomainEventName>(name: K, status?: ChatStatus): void {
  if (status) run.chat.status = status;
  const payload =
    name === 'message.created'
      ? { tenantId: 't', chat: run.chat, message: run.post('persona'), actor: API }
      : { tenantId: 't', chat: run.chat, from: 'open', actor: API };
  customer.onEvent(name, payload as DomainEvents[K], 'integrator' satisfies EventOrigin);
}

beforeEach(() => {
  vi.useFakeTimers();
  run = new FakeRun();
  customer = new ReactiveCustomer(
    run,
    { chatId: 'chat-1', language: 'en', suffix: '', talk: { hasFollowUp: () => true } as unknown as Conversation },
    SETTINGS,
    'customer',
  );
  outcome = customer.play();
});
afterEach(() => {
  vi.useRealTimers();
});

describe('the reactive customer', () => {
  it('waits to be accepted, then writes its question', async () => {
    expect(run.waits.map((w) => w.awaiting)).toEqual(['accept']);
    integrator('chat.accepted', 'open');
    await run.finishTyping();
    expect(run.did).toEqual(['message']);
    // Then it waits for the answer.
    expect(run.waits.map((w) => w.awaiting)).toEqual(['accept', 'reply']);
    expect(run.waits[0]?.outcome).toBe('done');
  });

  it('answers a burst of replies once', async () => {
    integrator('chat.accepted', 'open');
    await run.finishTyping();
    integrator('message.created');
    integrator('message.created');
    integrator('message.created');
    await run.finishTyping();
    expect(run.did).toEqual(['message', 'message']);
  });

  it('closed while typing: never writes into the closed chat, rates instead', async () => {
    integrator('chat.accepted', 'open');
    await run.finishTyping();
    integrator('message.created');
    // It is typing its answer when the integrator closes.
    integrator('chat.closed', 'closed');
    await run.finishTyping();
    expect(run.did).toEqual(['message', 'rate']);
    customer.onEvent('chat.rated', { tenantId: 't', chat: run.chat, from: 'closed', actor: USER }, 'scenario');
    await expect(outcome).resolves.toBe('rated');
  });

  it('after `exchanges` answers it has nothing more to ask and waits for the close', async () => {
    integrator('chat.accepted', 'open');
    await run.finishTyping();
    for (let i = 0; i < 2; i++) {
      integrator('message.created');
      await run.finishTyping();
    }
    expect(run.did).toEqual(['message', 'message', 'message']);
    // A third reply gets no answer: it waits for the close.
    integrator('message.created');
    await vi.advanceTimersByTimeAsync(0);
    expect(run.did).toHaveLength(3);
    expect(run.waits.at(-1)?.awaiting).toBe('close');
  });

  it('answers again after the integrator reopens the chat', async () => {
    integrator('chat.accepted', 'open');
    await run.finishTyping();
    integrator('chat.closed', 'closed');
    integrator('chat.reopened', 'open');
    await run.finishTyping();
    integrator('message.created');
    await run.finishTyping();
    expect(run.did.at(-1)).toBe('message');
    expect(run.did).not.toContain('rate');
  });

  it('loses patience: no reply within the reply patience and it gives up, recording the missing step', async () => {
    integrator('chat.accepted', 'open');
    await run.finishTyping();
    await vi.advanceTimersByTimeAsync(SETTINGS.patience.reply + 1);
    await expect(outcome).resolves.toMatch(/gave up waiting for sendChatMessage/);
    expect(run.waits.at(-1)).toMatchObject({ awaiting: 'reply', outcome: 'timeout' });
  });

  it('the same patience check fails a chat nobody accepts', async () => {
    await vi.advanceTimersByTimeAsync(SETTINGS.patience.accept + 1);
    // The default no-accept handler lets the chat be missed.
    await run.finishTyping();
    expect(run.did).toEqual(['miss']);
    expect(run.waits[0]).toMatchObject({ awaiting: 'accept', outcome: 'timeout' });
  });
});
