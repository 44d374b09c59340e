import express, { Router, type RequestHandler } from 'express';
import type { Clock } from '../kernel/clock.js';
import { TurnQueue } from '../kernel/turns.js';
import type { DomainContext } from '../domain/context.js';
import { DomainError } from '../domain/errors.js';
import type { EventBus } from '../domain/events.js';
import {
  createTenant,
  findTenant,
  removeTenant,
  resetAll,
  resetTenant,
  summarizeTenant,
  type TenantSummary,
} from '../domain/tenants.js';
import type { Snapshots } from '../domain/snapshots.js';
import { createSnapshotRoutes } from './snapshot-routes.js';
import { createTriggerRoutes } from './trigger-routes.js';
import type { WebhookRoutes } from '../webhooks/routes.js';
import { sendError } from '../http/errors.js';
import type { Store } from '../store/store.js';
import type { Dispatcher } from '../webhooks/dispatcher.js';
import type { WebhookSettings } from '../webhooks/subscriptions.js';
import { parseBody } from './body.js';
import type { ChatSteps } from './chat-steps.js';
import { createChatRoutes } from './chat-routes.js';
import { createPlayRoutes } from './play-routes.js';
import type { EventStream } from './event-stream.js';
import { createGurusupControlRoutes } from './gurusup-routes.js';
import { createScenarioRoutes } from './scenario-routes.js';
import type { ScenarioEngine } from '../scenarios/engine.js';
import type { GurusupSettings } from '../gurusup/settings.js';
import { createWebhookRoutes } from './webhook-routes.js';
import { createRequestRoutes } from './request-routes.js';
import type { RequestJournal } from '../journal/request-journal.js';
import type { Verifications } from '../verify/verifications.js';
import { createVerificationRoutes } from './verification-routes.js';
import { advanceBody, createTenantBody } from './root-bodies.js';
import { controlOpenApiDocument } from './openapi.js';

export interface ControlDeps {
  store: Store;
  events: EventBus;
  clock: Clock;
  domain: DomainContext;
  snapshots: Snapshots;
  /** Per-chat webhook routes (trigger sends its chat's webhooks to its target). */
  routes: WebhookRoutes;
  settings: WebhookSettings;
  gurusupSettings: GurusupSettings;
  dispatcher: Dispatcher;
  scenarios: ScenarioEngine;
  requests: RequestJournal;
  verifications: Verifications;
  version: string;
  startedAt: number;
  bodyLimit: string;
  /** Each chat's steps with the webhooks they caused. */
  chatSteps: ChatSteps;
  /** GET /events: changes as Server-Sent Events. */
  stream: EventStream;
  /** The public base URL once listening (for links in answers). */
  baseUrl: () => string | undefined;
  /** /mcp: the MCP server over Streamable HTTP (the composition root passes it in: it lives in mcp/). */
  mcp?: RequestHandler;
  /** What the GraphQL fast lane did (health shows it; the composition root passes it in: it lives in graphql/). */
  fastLane?: () => FastLaneStats;
}

/** The GraphQL fast lane's figures in GET /health. */
export interface FastLaneStats {
  enabled: boolean;
  /** Query documents compiled. */
  compiled: number;
  /** Requests it answered (the rest went through Apollo). */
  answered: number;
}

/** A tenant as the control API shows it: its summary, the webhook secret in use and, once listening, its API URLs. */
export type TenantView = TenantSummary & { webhookSecret: string; graphqlUrl?: string; gurusupUrl?: string };

const mib = (bytes: number): number => Math.round((bytes / 1_048_576) * 10) / 10;

/** The /_emulator control API: JSON in, JSON out. */
export function createControlRouter(deps: ControlDeps): Router {
  const { store, clock } = deps;
  const router = Router();
  router.use(express.json({ limit: deps.bodyLimit }));

  const withLinks = (summary: TenantSummary): TenantView => {
    const base = deps.baseUrl();
    // The secret in use lives in the webhook settings (seeded from the tenant's, changeable with PUT /webhooks).
    const current = { ...summary, webhookSecret: deps.settings.get(summary.id).secret };
    return base ? { ...current, graphqlUrl: `${base}/graphql`, gurusupUrl: `${base}/gurusup` } : current;
  };

  router.get('/health', health(deps));

  router.get('/openapi.json', (req, res) => {
    res.json(controlOpenApiDocument(`${req.protocol}://${req.get('host') ?? 'localhost'}${req.baseUrl}`));
  });

  router.use(tenantRoutes(deps, withLinks));

  router.get('/events', deps.stream.handler);
  if (deps.mcp) {
    router.post('/mcp', deps.mcp);
    // Stateless: GET (a server stream) and DELETE (a session) are refused by the handler with 405.
    router.get('/mcp', deps.mcp);
    router.delete('/mcp', deps.mcp);
  }
  router.use(
    createPlayRoutes({
      domain: deps.domain,
      chatSteps: deps.chatSteps,
      journal: deps.requests,
      dispatcher: deps.dispatcher,
      scenarios: deps.scenarios,
      version: deps.version,
    }),
  );
  router.use(createChatRoutes(deps.domain, deps.chatSteps));
  router.use(
    createSnapshotRoutes(deps.snapshots, (ids) =>
      ids.map((id) => withLinks(summarizeTenant(store, findTenant(store, id)))),
    ),
  );
  router.use(
    createTriggerRoutes({
      domain: deps.domain,
      settings: deps.settings,
      gurusupSettings: deps.gurusupSettings,
      dispatcher: deps.dispatcher,
      routes: deps.routes,
    }),
  );
  router.use(createGurusupControlRoutes(deps.domain, deps.gurusupSettings));
  router.use(createScenarioRoutes(deps.scenarios));
  router.use(createRequestRoutes(deps.requests));
  router.use(createVerificationRoutes(deps.verifications));
  router.use(
    createWebhookRoutes({ store, settings: deps.settings, dispatcher: deps.dispatcher, now: () => clock.now() }),
  );

  router.use(clockRoutes(clock));
  return router;
}

/** GET /health: liveness, and what the process holds. */
function health(deps: ControlDeps): RequestHandler {
  const { store, clock } = deps;
  return (_req, res) => {
    res.json({
      status: 'ok',
      name: 'guuru-emulator',
      version: deps.version,
      uptimeMs: Date.now() - deps.startedAt,
      now: clock.now(),
      clock: clock.kind,
      tenants: store.tenants().length,
      // For soaks and dashboards: what the process holds (MiB). heapUsed is what live objects take;
      // rss far above it is heap V8 keeps reserved after a peak, not data the emulator retains.
      memory: (() => {
        const usage = process.memoryUsage();
        return {
          rssMiB: mib(usage.rss),
          heapUsedMiB: mib(usage.heapUsed),
          heapTotalMiB: mib(usage.heapTotal),
          storedMiB: mib(store.storedBytes()),
          storedLimitMiB: mib(store.storedAllowance),
        };
      })(),
      fastLane: deps.fastLane?.() ?? { enabled: false, compiled: 0, answered: 0 },
    });
  };
}

/** Reset, and the tenants: list, create, one, reset one, remove. */
function tenantRoutes(deps: ControlDeps, withLinks: (summary: TenantSummary) => TenantView): Router {
  const { store, events } = deps;
  const router = Router();
  router.post('/reset', (_req, res) => {
    resetAll(store, events);
    res.json({ status: 'reset', tenants: store.tenants().map((t) => withLinks(summarizeTenant(store, t))) });
  });

  router.get('/tenants', (_req, res) => {
    res.json({ tenants: store.tenants().map((t) => withLinks(summarizeTenant(store, t))) });
  });

  // Generating a tenant's seed data holds the loop (~40 ms): one creation per loop turn, so that a
  // burst of them (CI jobs starting together) does not keep every other request waiting.
  const creations = new TurnQueue();
  router.post('/tenants', async (req, res) => {
    const body = parseBody(createTenantBody, req);
    const tenant = await creations.run(() => createTenant(store, events, body));
    res
      .status(201)
      .location(`/_emulator/tenants/${tenant.id}`)
      .json(withLinks(summarizeTenant(store, tenant)));
  });

  router.get('/tenants/:id', (req, res) => {
    res.json(withLinks(summarizeTenant(store, findTenant(store, req.params.id))));
  });

  router.post('/tenants/:id/reset', (req, res) => {
    res.json(withLinks(summarizeTenant(store, resetTenant(store, events, req.params.id))));
  });

  router.delete('/tenants/:id', (req, res) => {
    removeTenant(store, events, req.params.id);
    res.status(204).end();
  });
  return router;
}

/** The emulator's clock, and moving a virtual one. */
function clockRoutes(clock: ControlDeps['clock']): Router {
  const router = Router();
  router.get('/clock', (_req, res) => {
    res.json({ kind: clock.kind, now: clock.now(), iso: new Date(clock.now()).toISOString() });
  });

  router.post('/clock/advance', (req, res) => {
    const { ms } = parseBody(advanceBody, req);
    if (clock.kind !== 'virtual' || !('advance' in clock)) {
      throw new DomainError(
        'CONFLICT',
        'The clock can only be advanced when the emulator runs on a virtual clock (start it with --virtual-clock).',
      );
    }
    (clock as { advance(ms: number): void }).advance(ms);
    res.json({ kind: clock.kind, now: clock.now(), iso: new Date(clock.now()).toISOString() });
  });

  router.use((req, res) => {
    sendError(res, 404, `No control endpoint ${req.method} /_emulator${req.path}. See docs/control-api.md.`);
  });
  return router;
}
