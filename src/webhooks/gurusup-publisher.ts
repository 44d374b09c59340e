import type { EventBus } from '../domain/events.js';
import type { GurusupSettings } from '../gurusup/settings.js';
import { messageJson, type GurusupWebhookPayload } from '../gurusup/views.js';
import type { Store } from '../store/store.js';
import { VERSION } from '../version.js';
import type { Dispatcher } from './dispatcher.js';
import type { RouteSource } from './routes.js';

/**
 * Gurusup's "send message event": every message the system sends (the automatic reply, messages
 * sent through the control API or scenarios) goes to the organisation's webhook URL with the
 * organisation's key in `x-api-key`, through the same dispatcher as GUURU's webhooks (retries,
 * log, redelivery, faults). The envelope `{event, data}` is the emulator's choice (the docs only
 * say "the event type and event data"); `data` is exactly the API's message object.
 */
export function publishGurusupWebhooks(deps: {
  events: EventBus;
  store: Store;
  settings: GurusupSettings;
  dispatcher: Dispatcher;
  /** Per-thread overrides (WebhookRoutes.resolve, keyed by thread hash): a URL instead of the organisation's webhook, or `null` for none. */
  routeOf?: RouteSource;
}): () => void {
  const { events, store, settings, dispatcher } = deps;
  const offMessage = events.on('gurusup.message-created', ({ tenantId, thread, message }) => {
    if (!message.fromSystem) return;
    const config = settings.get(tenantId);
    const key = store.tenant(tenantId)?.data.gurusup?.apiKeys[0];
    const route = deps.routeOf?.(tenantId, thread.hash, config.eventName);
    const url = route === null ? '' : (route ?? config.webhookUrl);
    if (url === '' || key === undefined) return;
    const payload: GurusupWebhookPayload = { event: config.eventName, data: messageJson(message) };
    const body = JSON.stringify(payload);
    dispatcher.enqueue({
      source: 'gurusup',
      tenantId,
      event: config.eventName,
      // Lanes keep one thread's messages in order.
      chatId: thread.hash,
      url,
      headers: { 'Content-Type': 'application/json', 'User-Agent': `guuru-emulator/${VERSION}`, 'x-api-key': key },
      body,
    });
  });
  const offRemoved = events.on('tenant.removed', ({ tenantId }) => settings.remove(tenantId));
  return () => {
    offMessage();
    offRemoved();
  };
}
