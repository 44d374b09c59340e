import type {
  ChatRecord,
  ChatStatus,
  GurusupMessageRecord,
  GurusupThreadRecord,
  MessageRecord,
  PageRecord,
  PersonaRecord,
  SubmissionRecord,
} from '../store/model.js';
import type { Actor } from './actors.js';

/** What every chat event carries: the chat as it is right after the change, and who changed it. */
export interface ChatChange {
  tenantId: string;
  chat: ChatRecord;
  from: ChatStatus;
  actor: Actor;
}

/**
 * The typed domain event bus: the only link from domain code to webhooks, scenarios and
 * persistence. Listeners run synchronously right after the change, so they see the state the
 * change produced (and nothing later); they must not throw into the domain.
 */
export interface DomainEvents {
  'tenant.created': { tenantId: string };
  'tenant.removed': { tenantId: string };
  /** Tenant data replaced wholesale: by its seed (reset), or by a named snapshot (restore). */
  'store.reset': { tenantId?: string; snapshot?: string };
  'chat.created': { tenantId: string; chatId: string };
  'chat.assigned': ChatChange;
  'chat.accepted': ChatChange;
  'chat.closed': ChatChange;
  'chat.reopened': ChatChange;
  'chat.handed-over': ChatChange;
  'chat.rated': ChatChange;
  'chat.missed': ChatChange;
  'chat.persona-transferred': ChatChange & { previousExpertId?: string };
  'message.created': { tenantId: string; chat: ChatRecord; message: MessageRecord; actor: Actor };
  'persona.saved': { tenantId: string; persona: PersonaRecord; created: boolean };
  'submission.reviewed': { tenantId: string; submission: SubmissionRecord };
  'page.updated': { tenantId: string; page: PageRecord };
  'gurusup.message-created': { tenantId: string; thread: GurusupThreadRecord; message: GurusupMessageRecord };
}

export type DomainEventName = keyof DomainEvents;

/** The events of a chat's status changes: each carries a `ChatChange`. */
export const CHAT_CHANGE_EVENTS = [
  'chat.assigned',
  'chat.accepted',
  'chat.closed',
  'chat.reopened',
  'chat.handed-over',
  'chat.rated',
  'chat.missed',
  'chat.persona-transferred',
] as const satisfies readonly DomainEventName[];
type Listener<K extends DomainEventName> = (payload: DomainEvents[K]) => void;

export class EventBus {
  /** `onListenerError`: where a failing listener is reported (the emulator passes its logger). */
  constructor(private readonly onListenerError: (message: string, error: unknown) => void = () => {}) {}

  private readonly listeners = new Map<DomainEventName, Set<Listener<DomainEventName>>>();

  /** `first`: run before the listeners already registered (an observer that must see the change before adapters react to it). */
  on<K extends DomainEventName>(name: K, listener: Listener<K>, options: { first?: boolean } = {}): () => void {
    const current = this.listeners.get(name) ?? new Set();
    const set = options.first
      ? new Set([listener as Listener<DomainEventName>, ...current])
      : current.add(listener as Listener<DomainEventName>);
    this.listeners.set(name, set);
    return () => this.listeners.get(name)?.delete(listener as Listener<DomainEventName>);
  }

  emit<K extends DomainEventName>(name: K, payload: DomainEvents[K]): void {
    for (const listener of this.listeners.get(name) ?? []) {
      try {
        listener(payload);
      } catch (error) {
        // A broken subscriber must never undo or block a state change that already happened.
        this.onListenerError(`a listener of ${name} failed`, error);
      }
    }
  }
}
