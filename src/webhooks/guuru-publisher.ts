import { CHAT_CHANGE_EVENTS, type DomainEventName, type EventBus } from '../domain/events.js';
import type { Random } from '../kernel/random.js';
import type { ChatRecord, MessageRecord } from '../store/model.js';
import type { Store } from '../store/store.js';
import type { Tenant } from '../store/tenant.js';
import { VERSION } from '../kernel/version.js';
import type { Dispatcher } from './dispatcher.js';
import {
  LEGACY_EVENT_NAMES,
  chatPayload,
  isGuuruEvent,
  messagePayload,
  type ChatWebhookPayload,
  type GuuruEvent,
  type MessageWebhookPayload,
} from './payloads.js';
import { guuruHeaders } from './signature.js';
import type { RouteSource } from './routes.js';
import type { TenantWebhooks, WebhookSettings } from './subscriptions.js';

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
  /** Per-chat overrides (WebhookRoutes.resolve): a URL instead of the subscriptions, or `null` for none from here. */
  routeOf?: RouteSource;
}

const USER_AGENT = `guuru-emulator/${VERSION}`;

/** One GUURU webhook as it goes on the wire: headers (signed when the partner has a secret) and body. */
export interface RenderedWebhook {
  headers: Record<string, string>;
  body: string;
}

/** The headers and exact body of one event under a partner's settings: the publisher's and verify's one way to build a delivery. */
export function renderGuuruWebhook(
  config: TenantWebhooks,
  event: GuuruEvent,
  chatId: string,
  payload: ChatWebhookPayload | MessageWebhookPayload,
  idempotencyKey: string,
): RenderedWebhook {
  const body = JSON.stringify(payload);
  const headers = guuruHeaders({
    body,
    secret: config.secret,
    event: config.eventNames === 'legacy' ? (LEGACY_EVENT_NAMES[event] ?? event) : event,
    idempotencyKey,
    chatId,
  });
  headers['User-Agent'] = USER_AGENT;
  return { headers, body };
}

/**
 * Turns domain events into signed GUURU webhook deliveries. The body is built and signed the
 * moment the change happens, so it describes exactly that state; sending is the dispatcher's job.
 */
export function publishGuuruWebhooks(deps: PublisherDeps): () => void {
  const { events, store, settings, dispatcher, random } = deps;

  const deliver = (
    tenant: Tenant,
    event: GuuruEvent,
    chatId: string,
    payload: () => ChatWebhookPayload | MessageWebhookPayload,
  ) => {
    const route = deps.routeOf?.(tenant.id, chatId, event);
    if (route === null) return;
    const url = route ?? settings.target(tenant.id, event);
    if (url === undefined) return;
    const idempotencyKey = random.uuid();
    const { headers, body } = renderGuuruWebhook(settings.get(tenant.id), event, chatId, payload(), idempotencyKey);
    dispatcher.enqueue({ source: 'guuru', tenantId: tenant.id, event, chatId, url, idempotencyKey, headers, body });
  };

  const unsubscribe: (() => void)[] = [];
  for (const domainEvent of CHAT_CHANGE_EVENTS) {
    const webhook = WEBHOOK_OF[domainEvent];
    if (webhook === undefined) continue;
    unsubscribe.push(
      events.on(domainEvent, ({ tenantId, chat }) => {
        const tenant = store.tenant(tenantId);
        if (tenant)
          deliver(tenant, webhook, chat.id, () =>
            chatPayload(tenant, chat, webhook, settings.get(tenantId).requestedExperts),
          );
      }),
    );
  }
  unsubscribe.push(
    events.on('message.created', ({ tenantId, message }) => {
      const tenant = store.tenant(tenantId);
      if (tenant) deliver(tenant, 'message-created', message.chatId, () => messagePayload(tenant, message));
    }),
    events.on('tenant.removed', ({ tenantId }) => settings.remove(tenantId)),
    // A reset keeps the built-in tenants' settings and forgets those of the tenants it removed.
    events.on('store.reset', () => settings.retainOnly((tenantId) => store.tenant(tenantId) !== undefined)),
  );
  return () => unsubscribe.forEach((off) => off());
}

/**
 * The webhook of one event as the emulator would send it now, for a chat or a message of a
 * tenant: what `guuru-emulator verify` sends (then alters) to examine a receiver.
 */
export function webhookRenderer(store: Store, settings: WebhookSettings) {
  return (
    tenantId: string,
    event: string,
    subject: { chat: ChatRecord } | { message: MessageRecord },
    idempotencyKey: string,
  ): RenderedWebhook => {
    const tenant = store.tenant(tenantId);
    if (!tenant) throw new Error(`no tenant ${tenantId}`);
    const name: GuuruEvent = isGuuruEvent(event) ? event : 'chat-opened';
    const config = settings.get(tenantId);
    const payload =
      'message' in subject
        ? messagePayload(tenant, subject.message)
        : chatPayload(tenant, subject.chat, name, config.requestedExperts);
    const chatId = 'message' in subject ? subject.message.chatId : subject.chat.id;
    return renderGuuruWebhook(config, name, chatId, payload, idempotencyKey);
  };
}
