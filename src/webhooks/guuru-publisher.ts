import type { DomainEventName, EventBus } from '../domain/events.js';
import type { Random } from '../random.js';
import type { Store } from '../store/store.js';
import type { Tenant } from '../store/tenant.js';
import { VERSION } from '../version.js';
import type { Dispatcher } from './dispatcher.js';
import { LEGACY_EVENT_NAMES, chatPayload, messagePayload, type ChatWebhookPayload, type GuuruEvent, type MessageWebhookPayload } from './payloads.js';
import { guuruHeaders } from './signature.js';
import type { WebhookSettings } from './subscriptions.js';

/**
 * Domain events that are GUURU webhooks. `chat.created`, `chat.missed` and persona transfers have
 * no documented webhook and fire none (discrepancies 27 and 35).
 */
export const WEBHOOK_OF: Partial<Record<DomainEventName, GuuruEvent>> = {
  'chat.assigned': 'chat-assigned',
  'chat.accepted': 'chat-opened',
  'chat.closed': 'chat-closed',
  'chat.reopened': 'chat-reopened',
  'chat.handed-over': 'chat-transferred',
  'chat.rated': 'chat-rated',
  'message.created': 'message-created',
};

export interface PublisherDeps {
  events: EventBus;
  store: Store;
  settings: WebhookSettings;
  dispatcher: Dispatcher;
  /** Idempotency keys: seeded, so a run repeats, and never reset, so two events never share one. */
  random: Random;
  /** A URL that takes every event of one chat instead of the tenant's subscriptions (scenario runs with a target). */
  routeOf?: (tenantId: string, chatId: string) => string | undefined;
}

/**
 * Turns domain events into signed GUURU webhook deliveries. The body is built and signed the
 * moment the change happens, so it describes exactly that state; sending is the dispatcher's job.
 */
export function publishGuuruWebhooks(deps: PublisherDeps): () => void {
  const { events, store, settings, dispatcher, random } = deps;

  const deliver = (tenant: Tenant, event: GuuruEvent, chatId: string, payload: () => ChatWebhookPayload | MessageWebhookPayload) => {
    const url = deps.routeOf?.(tenant.id, chatId) ?? settings.target(tenant.id, event);
    if (url === undefined) return;
    const config = settings.get(tenant.id);
    const body = JSON.stringify(payload());
    const idempotencyKey = random.uuid();
    const headers = {
      ...guuruHeaders({ body, secret: config.secret, event: config.eventNames === 'legacy' ? (LEGACY_EVENT_NAMES[event] ?? event) : event, idempotencyKey, chatId }),
      'User-Agent': `guuru-emulator/${VERSION}`,
    };
    dispatcher.enqueue({ source: 'guuru', tenantId: tenant.id, event, chatId, url, idempotencyKey, headers, body });
  };

  const unsubscribe: (() => void)[] = [];
  for (const [domainEvent, webhook] of Object.entries(WEBHOOK_OF) as [DomainEventName, GuuruEvent][]) {
    if (domainEvent === 'message.created') continue;
    unsubscribe.push(
      events.on(domainEvent as 'chat.assigned', ({ tenantId, chat }) => {
        const tenant = store.tenant(tenantId);
        if (tenant) deliver(tenant, webhook, chat.id, () => chatPayload(tenant, chat, webhook, settings.get(tenantId).requestedExperts));
      }),
    );
  }
  unsubscribe.push(
    events.on('message.created', ({ tenantId, message }) => {
      const tenant = store.tenant(tenantId);
      if (tenant) deliver(tenant, 'message-created', message.chatId, () => messagePayload(tenant, message));
    }),
    events.on('tenant.removed', ({ tenantId }) => settings.remove(tenantId)),
  );
  return () => unsubscribe.forEach((off) => off());
}
