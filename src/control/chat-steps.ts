import { chatKey } from '../domain/chat-key.js';
import { USER, describeActor, type Actor } from '../domain/actors.js';
import { CHAT_CHANGE_EVENTS, type EventBus } from '../domain/events.js';
import type { ChatStatus } from '../store/model.js';

/** One step in a chat's life: a status change or a message, with the webhooks it caused. */
export interface ActivityStep {
  /** Emulator clock time. */
  at: number;
  kind: 'created' | 'status' | 'message';
  /** The domain event (chat.accepted, message.created…). */
  event: string;
  from?: ChatStatus;
  to: ChatStatus;
  /** Who acted: api, user, expert, system. */
  actor: Actor['kind'];
  actorLabel: string;
  messageId?: string;
  /** Deliveries queued by this step (one per subscribed URL), by id. */
  deliveries: string[];
}

export interface ChatStepsOptions {
  /** Chats whose steps are kept, most recently active first (default 5,000). */
  maxChats?: number;
  /** Steps kept per chat, oldest dropped first (default 500). */
  maxSteps?: number;
}

/**
 * What happened to each chat since the emulator started: its status changes and messages in
 * order, each with the webhook deliveries it caused (a delivery queued while the step's event is
 * being handled belongs to it). Bounded like the delivery log; seeded chats have no steps until
 * something happens to them (their history is in their timestamps).
 */
export class ChatSteps {
  private readonly steps = new Map<string, ActivityStep[]>();
  /** The step whose event is being handled, per chat: deliveries queued now belong to it. */
  private readonly current = new Map<string, ActivityStep>();
  /** A microtask that forgets the current steps is queued. */
  private clearing = false;
  private readonly offs: (() => void)[] = [];
  private readonly maxChats: number;
  private readonly maxSteps: number;

  constructor(
    events: EventBus,
    private readonly now: () => number,
    onEnqueued: (listener: (delivery: { id: string; tenantId: string; chatId?: string }) => void) => () => void,
    options: ChatStepsOptions = {},
  ) {
    this.maxChats = options.maxChats ?? 5_000;
    this.maxSteps = options.maxSteps ?? 500;
    const first = { first: true };
    for (const name of CHAT_CHANGE_EVENTS) {
      this.offs.push(
        events.on(
          name,
          ({ tenantId, chat, from, actor }) =>
            this.record(tenantId, chat.id, {
              kind: 'status',
              event: name,
              from,
              to: chat.status,
              actor: actor.kind,
              actorLabel: describeActor(actor),
            }),
          first,
        ),
      );
    }
    this.offs.push(
      events.on(
        'chat.created',
        ({ tenantId, chatId }) =>
          this.record(tenantId, chatId, {
            kind: 'created',
            event: 'chat.created',
            to: 'created',
            actor: 'user',
            actorLabel: describeActor(USER),
          }),
        first,
      ),
      events.on(
        'message.created',
        ({ tenantId, chat, message, actor }) =>
          this.record(tenantId, chat.id, {
            kind: 'message',
            event: 'message.created',
            to: chat.status,
            actor: actor.kind,
            actorLabel: describeActor(actor),
            messageId: message.id,
          }),
        first,
      ),
      onEnqueued((delivery) => {
        if (delivery.chatId !== undefined)
          this.current.get(chatKey(delivery.tenantId, delivery.chatId))?.deliveries.push(delivery.id);
      }),
      events.on('store.reset', ({ tenantId }) => this.forget(tenantId)),
      events.on('tenant.removed', ({ tenantId }) => this.forget(tenantId)),
    );
  }

  /** A chat's steps, oldest first; a chat nothing happened to since the start has none. */
  of(tenantId: string, chatId: string): ActivityStep[] {
    return this.steps.get(chatKey(tenantId, chatId)) ?? [];
  }

  stop(): void {
    this.offs.forEach((off) => off());
  }

  private record(tenantId: string, chatId: string, step: Omit<ActivityStep, 'at' | 'deliveries'>): void {
    const key = chatKey(tenantId, chatId);
    const steps = this.steps.get(key) ?? [];
    // Most recently active last: the first key is the one to forget when over the bound.
    this.steps.delete(key);
    this.steps.set(key, steps);
    const entry: ActivityStep = { at: this.now(), ...step, deliveries: [] };
    steps.push(entry);
    if (steps.length > this.maxSteps) steps.splice(0, steps.length - this.maxSteps);
    if (this.steps.size > this.maxChats) {
      const oldest = this.steps.keys().next().value;
      if (oldest !== undefined) this.steps.delete(oldest);
    }
    this.current.set(key, entry);
    // The publishers queue their deliveries synchronously, inside this same emit: once it is over
    // (the next microtask), no step is current. One microtask for all the steps of a burst.
    if (!this.clearing) {
      this.clearing = true;
      queueMicrotask(() => {
        this.clearing = false;
        this.current.clear();
      });
    }
  }

  private forget(tenantId: string | undefined): void {
    if (tenantId === undefined) {
      this.steps.clear();
      return;
    }
    for (const key of [...this.steps.keys()]) if (key.startsWith(`${tenantId}/`)) this.steps.delete(key);
  }
}
