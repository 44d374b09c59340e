import { ChatSteps } from '../control/chat-steps.js';
import { EventStream } from '../control/event-stream.js';
import type { RequestHandler } from 'express';
import type { GraphQLHandler } from '../graphql/server.js';
import { GurusupSettings } from '../gurusup/settings.js';
import { webhookPayload } from '../gurusup/views.js';
import { RequestJournal, isFailed } from '../journal/request-journal.js';
import { ScenarioEngine } from '../scenarios/engine.js';
import { thirdPartySuite } from '../verify/third-party.js';
import { Verifications } from '../verify/verifications.js';
import type { Delivery } from '../webhooks/delivery-log.js';
import { Dispatcher } from '../webhooks/dispatcher.js';
import { publishGurusupWebhooks } from '../webhooks/gurusup-publisher.js';
import { publishGuuruWebhooks, webhookRenderer } from '../webhooks/guuru-publisher.js';
import { DEFAULT_RETRY_POLICY } from '../webhooks/retry-policy.js';
import { WebhookRoutes } from '../webhooks/routes.js';
import { signBody } from '../webhooks/signature.js';
import { WebhookSettings } from '../webhooks/subscriptions.js';
import { createHttpTransport, type Transport } from '../webhooks/transport.js';
import type { Core } from './core.js';
import type { EmulatorOptions } from './options.js';

/** Domain events → signed deliveries: settings per tenant, the dispatcher, and who routes which chat. */
export interface WebhookParts {
  /** The keep-alive HTTP transport (closed on stop). */
  transport: ReturnType<typeof createHttpTransport>;
  /** What sends a webhook request: the transport, or the one a test gave. */
  send: Transport;
  dispatcher: Dispatcher;
  settings: WebhookSettings;
  gurusupSettings: GurusupSettings;
  routes: WebhookRoutes;
}

/** A GraphQL handler made when first needed. */
export interface LazyGraphQL extends Omit<GraphQLHandler, 'lane' | 'warm'> {
  /** Makes it now (Apollo too) if it is not made yet; resolves once it answers without a start-up delay. */
  ready(): Promise<void>;
  /** Makes it now (not Apollo) if it is not made yet. */
  make(): Promise<void>;
  /** The fast lane once the handler is made (the front door asks on each request). */
  lane(): GraphQLHandler['lane'];
}

/** Everything the core drives: the APIs' handler, webhooks, the journal, scenarios, verify, live views. */
export interface Parts {
  /** The Admin API's handler (made on the first /graphql request, or by `ready()`). */
  graphql: LazyGraphQL;
  webhooks: WebhookParts;
  requests: RequestJournal;
  scenarios: ScenarioEngine;
  verifications: Verifications;
  /** Each chat's steps (the dashboard's chat page). */
  chatSteps: ChatSteps;
  /** The live change stream (GET /_emulator/events). */
  stream: EventStream;
}

export async function wireParts(core: Core, options: EmulatorOptions): Promise<Parts> {
  const { config } = core;
  const graphql = lazyGraphQL(
    async () =>
      (await import('../graphql/server.js')).createGraphQLHandler(
        core.domain,
        core.logger,
        {
          cost: config.maxQueryCost,
          aliases: config.maxAliases,
          directives: config.maxDirectives,
          tokens: config.maxTokens,
          depth: config.maxDepth,
        },
        { fastLane: config.fastLane },
      ),
    config.fastLane,
  );
  const webhooks = wireWebhooks(core, options);
  const requests = new RequestJournal(config.requestLogSize);
  const { scenarios, verifications } = wireExaminers(core, webhooks, requests, graphql);
  const { dispatcher } = webhooks;
  // What the dashboard (and any tool) watches: each chat's steps, and the live change stream.
  const chatSteps = new ChatSteps(
    core.events,
    () => core.clock.now(),
    (enqueued: (delivery: Delivery) => void) => dispatcher.watch({ enqueued }),
  );
  const stream = new EventStream({
    events: core.events,
    store: core.store,
    onRequest: (listener) => requests.subscribe((r) => listener({ id: r.id, failed: isFailed(r), chatIds: r.chatIds })),
    onDelivery: (listener) => dispatcher.watch({ enqueued: listener, attempt: listener, settled: listener }),
  });
  return { graphql, webhooks, requests, scenarios, verifications, chatSteps, stream };
}

/**
 * The GraphQL handler, made on the first /graphql request with its module (graphql-js and Apollo
 * Server are a third of the CLI's code): building the schema and starting Apollo was half of an
 * in-process start, and many emulators (a test file of the control API or of webhooks) never
 * answer a query. Requests that come meanwhile wait for the same start. Apollo itself is started
 * later still, on the first request the fast lane leaves to it (graphql/server.ts).
 */
function lazyGraphQL(create: () => Promise<GraphQLHandler>, fastLane: boolean): LazyGraphQL {
  let handler: Promise<GraphQLHandler> | undefined;
  let resolved: GraphQLHandler | undefined;
  const made = () =>
    (handler ??= create().then((h) => {
      resolved = h;
      return h;
    }));
  const middleware: RequestHandler = (req, res, next) => {
    made()
      .then((h) => h.middleware(req, res, next))
      .catch(next);
  };
  return {
    middleware,
    ready: () => made().then((h) => h.warm()),
    make: () => made().then(() => undefined),
    lane: () => resolved?.lane,
    fastLane: () => resolved?.fastLane() ?? { enabled: fastLane, compiled: 0, answered: 0 },
    // Never started: nothing to stop; a start that failed has nothing to stop either.
    stop: async () =>
      handler?.then(
        (h) => h.stop(),
        () => undefined,
      ),
  };
}

function wireWebhooks(core: Core, options: EmulatorOptions): WebhookParts {
  const { config, clock, logger, generators, store, events, fixtures } = core;
  // As many connections as the requests in flight need at the pipelining depth (32 / 16: 2).
  const pipelining = Math.min(config.webhookPipelining, config.webhookConcurrency);
  const transport = createHttpTransport({
    connections: Math.ceil(config.webhookConcurrency / pipelining),
    pipelining,
  });
  const send = options.transport ?? transport.send;
  const dispatcher = new Dispatcher({
    clock,
    transport: send,
    logger,
    policy: {
      ...DEFAULT_RETRY_POLICY,
      maxAttempts: config.webhookAttempts,
      baseDelayMs: config.webhookBackoffMs,
      timeoutMs: config.webhookTimeoutMs,
    },
    concurrency: config.webhookConcurrency,
    logLimit: config.deliveryLogSize,
    fraction: () => generators.jitter.fraction(),
  });
  const settings = new WebhookSettings(
    {
      url: config.webhookUrl,
      fixtures: new Map(fixtures.tenants.flatMap((t) => (t.webhooks ? [[t.id, t.webhooks] as const] : []))),
    },
    (tenantId) => store.tenant(tenantId)?.data.webhookSecret ?? '',
  );
  // Scenario runs with a target, verifications and triggers route their own chats' webhooks.
  const routes = new WebhookRoutes();
  publishGuuruWebhooks({
    events,
    store,
    settings,
    dispatcher,
    random: generators.webhookKeys,
    routeOf: routes.resolve,
  });
  const gurusupSettings = new GurusupSettings(config.gurusupWebhookUrl);
  publishGurusupWebhooks({
    events,
    store,
    settings: gurusupSettings,
    render: webhookPayload,
    dispatcher,
    routeOf: routes.resolve,
  });
  return { transport, send, dispatcher, settings, gurusupSettings, routes };
}

/** The scenario engine and the examiner of an integration (verify), and which chats' webhooks each routes. */
function wireExaminers(
  core: Core,
  webhooks: WebhookParts,
  requests: RequestJournal,
  graphql: LazyGraphQL,
): { scenarios: ScenarioEngine; verifications: Verifications } {
  const { config, domain, logger, store } = core;
  const { dispatcher, settings, routes } = webhooks;
  const scenarios = new ScenarioEngine({
    domain,
    watchDeliveries: (listeners) => dispatcher.watch(listeners),
    logger,
    dirs: config.scenarios,
    seed: config.seed,
    journal: requests,
    maxActiveRuns: config.maxRuns,
    addFault: (rule) => void dispatcher.faults.add(rule, domain.clock.now()),
  });
  const verifications = new Verifications({
    domain,
    requests,
    logger,
    seed: config.seed,
    defaultTimeoutMs: config.webhookTimeoutMs,
    apiReady: graphql.ready,
    wire: {
      send: webhooks.send,
      render: webhookRenderer(store, settings),
      sign: signBody,
      secretOf: (tenantId) => settings.get(tenantId).secret,
    },
    // The third-party suite is the reactive scenarios' verdict: each run to its end, at no pace (speed 0).
    thirdParty: thirdPartySuite(async ({ scenario, signal, ...run }) => {
      const started = scenarios.start(scenario, { ...run, speed: 0 });
      const cancel = () => scenarios.cancel(scenario, started.id);
      signal.addEventListener('abort', cancel);
      try {
        return (await scenarios.settled(started.id, signal)) ?? started;
      } finally {
        signal.removeEventListener('abort', cancel);
      }
    }),
  });
  // A verification crafts its chats' webhooks itself; a scenario run with a target routes its own.
  routes.add((t, c) => (verifications.owns(t, c) ? null : undefined));
  routes.add((t, c) => scenarios.routeOf(t, c));
  return { scenarios, verifications };
}
