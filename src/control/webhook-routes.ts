import { Router, type Request } from 'express';
import { z } from 'zod';
import { DomainError, invalidArgument } from '../domain/errors.js';
import { findTenant } from '../domain/tenants.js';
import type { Store } from '../store/store.js';
import type { Delivery, DeliveryStatus } from '../webhooks/delivery-log.js';
import type { Dispatcher } from '../webhooks/dispatcher.js';
import { FAULT_KINDS } from '../webhooks/faults.js';
import { GUURU_EVENTS, type GuuruEvent } from '../webhooks/payloads.js';
import type { TenantWebhooks, WebhookSettings } from '../webhooks/subscriptions.js';
import { httpUrl, parseBody, tenantOfRequest } from './body.js';
import { deliverySummary } from './summaries.js';

const urlOrEmpty = z.union([httpUrl(), z.literal(''), z.null()]);
const eventName = z.enum(GUURU_EVENTS);

export const webhooksBody = z
  .object({
    tenant: z.string().optional(),
    secret: z.string().max(512).optional(),
    url: urlOrEmpty.optional(),
    active: z.boolean().optional(),
    events: z
      .partialRecord(
        eventName,
        z.union([z.object({ url: urlOrEmpty.optional(), active: z.boolean().optional() }).strict(), z.null()]),
      )
      .optional(),
    requestedExperts: z.enum(['ids', 'objects']).optional(),
    eventNames: z.enum(['current', 'legacy']).optional(),
  })
  .strict();

export const policyBody = z
  .object({
    maxAttempts: z.number().int().min(1).max(50).optional(),
    baseDelayMs: z.number().int().min(0).max(3_600_000).optional(),
    maxDelayMs: z.number().int().min(0).max(86_400_000).optional(),
    timeoutMs: z.number().int().min(1).max(600_000).optional(),
  })
  .strict();

const KNOWN_EVENTS = new Set<string>([...GUURU_EVENTS, 'send_message']);

export const DELIVERY_STATUSES = [
  'queued',
  'held',
  'sending',
  'retrying',
  'delivered',
  'failed',
] as const satisfies readonly DeliveryStatus[];

export const deliveriesQuery = z
  .object({
    event: z.string().optional(),
    chatId: z.string().optional(),
    status: z.enum(DELIVERY_STATUSES).optional(),
    tenant: z.string().optional(),
    source: z.enum(['guuru', 'gurusup']).optional(),
    /** The Idempotency-Key header a receiver got: finds a delivery and its redeliveries (they keep the key). */
    idempotencyKey: z.string().min(1).optional(),
    limit: z.coerce.number().int().min(1).max(10_000).optional(),
    /** true: each delivery without headers and body (what a list shows; far less to send). */
    summary: z.enum(['true', 'false']).optional(),
  })
  .strict();

export const faultBody = z
  .object({
    kind: z.enum(FAULT_KINDS),
    event: z.string().max(200).optional(),
    chatId: z.string().max(200).optional(),
    tenant: z.string().max(200).optional(),
    times: z.union([z.number().int().min(1), z.null()]).optional(),
    delayMs: z.number().int().min(0).max(3_600_000).optional(),
  })
  .strict();

export const redeliverBody = z.object({ url: httpUrl().optional() }).strict();

export const flushBody = z.object({ timeoutMs: z.number().int().min(0).max(600_000).default(30_000) }).strict();

export interface WebhookRouteDeps {
  store: Store;
  settings: WebhookSettings;
  dispatcher: Dispatcher;
  now: () => number;
}

/** A tenant's settings as the control API shows them. */
const settingsView = (tenantId: string, s: TenantWebhooks) => ({
  tenant: tenantId,
  secret: s.secret,
  signed: s.secret !== '',
  requestedExperts: s.requestedExperts,
  eventNames: s.eventNames,
  events: s.events,
});

/** A delivery as the log shows it; `body` parsed back for readability, `rawBody` exactly as sent. */
export const deliveryView = (d: Delivery) => {
  let body: unknown = d.body;
  try {
    body = JSON.parse(d.body);
  } catch {
    // not JSON: shown as sent
  }
  return { ...d, body, rawBody: d.body };
};
export type DeliveryView = ReturnType<typeof deliveryView>;

/** Webhook subscriptions, the delivery log with redelivery, the retry policy and delivery faults. */
export function createWebhookRoutes(deps: WebhookRouteDeps): Router {
  return Router().use(subscriptionRoutes(deps), deliveryRoutes(deps), faultRoutes(deps));
}

/** Webhook settings per tenant and the retry policy. */
function subscriptionRoutes(deps: WebhookRouteDeps): Router {
  const { store, settings, dispatcher } = deps;
  const router = Router();

  const getSettings = (tenantId: string) => settingsView(tenantId, settings.get(tenantId));
  const putSettings = (tenantId: string, req: Request) => {
    const { tenant: _tenant, ...patch } = parseBody(webhooksBody, req);
    return settingsView(tenantId, settings.update(tenantId, patch as Parameters<WebhookSettings['update']>[1]));
  };

  router.get('/webhooks', (req, res) => {
    res.json({
      ...getSettings(tenantOfRequest(store, req).id),
      events_available: GUURU_EVENTS,
      policy: dispatcher.policy,
    });
  });
  router.put('/webhooks', (req, res) => {
    res.json(putSettings(tenantOfRequest(store, req).id, req));
  });
  router.get('/tenants/:id/webhooks', (req, res) => {
    res.json(getSettings(findTenant(store, req.params.id).id));
  });
  router.put('/tenants/:id/webhooks', (req, res) => {
    res.json(putSettings(findTenant(store, req.params.id).id, req));
  });

  router.get('/webhooks/policy', (_req, res) => {
    res.json(dispatcher.policy);
  });
  router.put('/webhooks/policy', (req, res) => {
    dispatcher.policy = { ...dispatcher.policy, ...parseBody(policyBody, req) };
    res.json(dispatcher.policy);
  });
  return router;
}

/** The delivery log: list, one, redeliver, clear, flush. */
function deliveryRoutes(deps: WebhookRouteDeps): Router {
  const { dispatcher } = deps;
  const router = Router();

  router.get('/deliveries', (req, res) => {
    const q = parseBody(deliveriesQuery, req, 'query');
    // Gurusup event names are configurable, so only GUURU's (and Gurusup's default) are checked.
    if (q.event !== undefined && q.source !== 'gurusup' && !KNOWN_EVENTS.has(q.event)) {
      throw invalidArgument('event', `Unknown event "${q.event}"; GUURU events are ${GUURU_EVENTS.join(', ')}.`);
    }
    const all = dispatcher.log.list({
      event: q.event as GuuruEvent | undefined,
      chatId: q.chatId,
      status: q.status,
      tenantId: q.tenant,
      source: q.source,
      idempotencyKey: q.idempotencyKey,
    });
    const deliveries = q.limit === undefined ? all : all.slice(-q.limit);
    const view: (d: Delivery) => object = q.summary === 'true' ? deliverySummary : deliveryView;
    res.json({ deliveries: deliveries.map(view), total: all.length, log: dispatcher.log.counts() });
  });
  router.get('/deliveries/:id', (req, res) => {
    const delivery = dispatcher.log.get(req.params.id);
    if (!delivery)
      throw new DomainError(
        'NOT_FOUND',
        `No delivery ${req.params.id} in the log (it may have been evicted; the log keeps ${dispatcher.log.counts().limit} finished deliveries).`,
      );
    res.json(deliveryView(delivery));
  });
  router.post('/deliveries/:id/redeliver', (req, res) => {
    const { url } = parseBody(redeliverBody, req);
    const delivery = dispatcher.redeliver(req.params.id, url);
    if (!delivery)
      throw new DomainError(
        'NOT_FOUND',
        `No delivery ${req.params.id} in the log to redeliver (it may have been evicted).`,
      );
    res.status(202).location(`/_emulator/deliveries/${delivery.id}`).json(deliveryView(delivery));
  });
  router.delete('/deliveries', (_req, res) => {
    res.json({ removed: dispatcher.log.clearFinished() });
  });
  /** Waits (up to timeoutMs of real time) until no delivery is queued, sending or retrying. */
  router.post('/deliveries/flush', async (req, res) => {
    const { timeoutMs } = parseBody(flushBody, req);
    let timer: NodeJS.Timeout | undefined;
    const idle = await Promise.race([
      dispatcher.idle().then(() => true),
      new Promise<boolean>((resolve) => {
        timer = setTimeout(() => resolve(false), timeoutMs);
      }),
    ]);
    clearTimeout(timer);
    res.status(idle ? 200 : 504).json({ idle, log: dispatcher.log.counts() });
  });
  return router;
}

/** Delivery faults. */
function faultRoutes(deps: WebhookRouteDeps): Router {
  const { store, dispatcher } = deps;
  const router = Router();

  router.get('/faults', (_req, res) => {
    res.json({ faults: dispatcher.faults.list(), kinds: FAULT_KINDS });
  });
  router.post('/faults', (req, res) => {
    const { tenant, ...rest } = parseBody(faultBody, req);
    if (tenant !== undefined) findTenant(store, tenant);
    const rule = dispatcher.faults.add({ ...rest, ...(tenant !== undefined ? { tenantId: tenant } : {}) }, deps.now());
    res.status(201).location(`/_emulator/faults/${rule.id}`).json(rule);
  });
  router.delete('/faults', (_req, res) => {
    res.json({ removed: dispatcher.faults.clear() });
  });
  router.delete('/faults/:id', (req, res) => {
    if (!dispatcher.faults.remove(req.params.id))
      throw new DomainError('NOT_FOUND', `No fault rule ${req.params.id}; GET /_emulator/faults lists them.`);
    res.status(204).end();
  });
  return router;
}
