import type { EventBus } from '../domain/events.js';
import type { GurusupMessageRecord } from '../store/model.js';
import type { Store } from '../store/store.js';
import { VERSION } from '../kernel/version.js';
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
  /** The organisation's webhook settings (the Gurusup adapter's, passed in by the composition root). */
  settings: {
    get(tenantId: string): { webhookUrl: string; eventName: string };
    remove(tenantId: string): void;
    retainOnly(exists: (tenantId: string) => boolean): void;
  };
  /** The webhook body of one message: the Gurusup API's own JSON of it (gurusup/views.ts). */
  render: (eventName: string, message: GurusupMessageRecord) => unknown;
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
    const body = JSON.stringify(deps.render(config.eventName, message));
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
  const offReset = events.on('store.reset', () =>
    settings.retainOnly((tenantId) => store.tenant(tenantId) !== undefined),
  );
  return () => {
    offMessage();
    offRemoved();
    offReset();
  };
}
