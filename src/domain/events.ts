/**
 * The typed domain event bus: the only link from domain code to webhooks, scenarios and
 * persistence. Listeners run synchronously after the change; they must not throw into the domain.
 */
export interface DomainEvents {
  'tenant.created': { tenantId: string };
  'tenant.removed': { tenantId: string };
  'store.reset': { tenantId?: string };
  'chat.created': { tenantId: string; chatId: string };
}

export type DomainEventName = keyof DomainEvents;
type Listener<K extends DomainEventName> = (payload: DomainEvents[K]) => void;

export class EventBus {
  private readonly listeners = new Map<DomainEventName, Set<Listener<DomainEventName>>>();

  on<K extends DomainEventName>(name: K, listener: Listener<K>): () => void {
    const set = this.listeners.get(name) ?? new Set();
    set.add(listener as Listener<DomainEventName>);
    this.listeners.set(name, set);
    return () => set.delete(listener as Listener<DomainEventName>);
  }

  emit<K extends DomainEventName>(name: K, payload: DomainEvents[K]): void {
    for (const listener of this.listeners.get(name) ?? []) {
      try {
        listener(payload);
      } catch (error) {
        // A broken subscriber must never undo or block a state change that already happened.
        console.error(`guuru-emulator: a listener of ${name} failed:`, error);
      }
    }
  }
}
