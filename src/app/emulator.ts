import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import express, { type Express, type RequestHandler } from 'express';
import { SystemClock, type Clock } from '../kernel/clock.js';
import { resolveConfig, type ConfigOptions, type ResolvedConfig } from '../config/config.js';
import { ChatActivity } from '../control/chat-activity.js';
import { EventStream } from '../control/event-stream.js';
import { createControlRouter } from '../control/router.js';
import { recordAnswers } from '../control/answer-recorder.js';
import { createDashboard, wantsHtml } from '../dashboard/pages.js';
import type { DomainContext } from '../domain/context.js';
import { EventBus } from '../domain/events.js';
import { Snapshots } from '../domain/snapshots.js';
import { Generators } from '../kernel/generators.js';
import { createGraphQLHandler } from '../graphql/server.js';
import { errorHandler, sendError } from '../http/errors.js';
import { corsAllows, corsFor } from '../http/cors.js';
import { createGuard, emulatorHostNames, generateAdminToken, isLoopback, isWildcard } from '../http/guard.js';
import { createLogger, type Logger } from '../kernel/logger.js';
import { DataFile } from '../store/persistence.js';
import { loadFixtures, type Fixtures } from '../store/fixtures.js';
import { Store } from '../store/store.js';
import { VERSION } from '../kernel/version.js';
import { recordRequests } from '../journal/http-recorder.js';
import { RequestJournal, isFailed } from '../journal/request-journal.js';
import { createGurusupRouter } from '../gurusup/router.js';
import { GurusupSettings } from '../gurusup/settings.js';
import { webhookPayload } from '../gurusup/views.js';
import { ScenarioEngine } from '../scenarios/engine.js';
import type { Delivery } from '../webhooks/delivery-log.js';
import { Dispatcher } from '../webhooks/dispatcher.js';
import { publishGurusupWebhooks } from '../webhooks/gurusup-publisher.js';
import { publishGuuruWebhooks, webhookRenderer } from '../webhooks/guuru-publisher.js';
import { signBody } from '../webhooks/signature.js';
import { thirdPartySuite } from '../verify/third-party.js';
import { Verifications } from '../verify/verifications.js';
import { DEFAULT_RETRY_POLICY } from '../webhooks/retry-policy.js';
import { WebhookSettings } from '../webhooks/subscriptions.js';
import { WebhookRoutes } from '../webhooks/routes.js';
import { createHttpTransport, type Transport } from '../webhooks/transport.js';

export interface Emulator {
  /** The Express app, usable with supertest without listening. */
  app: Express;
  store: Store;
  events: EventBus;
  clock: Clock;
  config: ResolvedConfig;
  /** The domain context every adapter drives (store, events, clock, seeded ids). */
  domain: DomainContext;
  /** Webhook settings per tenant and the dispatcher (queue, delivery log, faults). */
  webhooks: { settings: WebhookSettings; dispatcher: Dispatcher; gurusup: GurusupSettings };
  /** The seeded id and key generators (saved with --data; a snapshot restore must not rewind them). */
  generators: Generators;
  /** The `--data` file writer, when there is one (`flushed()` resolves once every change is in the file). */
  dataFile: DataFile | undefined;
  /** Scenario files and runs. */
  scenarios: ScenarioEngine;
  /** The API requests the emulator answered (GET /_emulator/requests). */
  requests: RequestJournal;
  /** Verifications of an integration (`guuru-emulator verify`, /_emulator/verifications). */
  verifications: Verifications;
  /** Listens on config.port/host (port 0: a free port) and resolves with the base URL. */
  start(): Promise<string>;
  /**
   * Stops gracefully: stops accepting, lets requests in progress finish (up to 2 s), cancels
   * scenario runs, stops webhooks and Apollo, then writes every change to the data file. Safe to
   * call twice.
   */
  stop(): Promise<void>;
  /** The token the control API requires (given, or made at start for a non-loopback host), if any. */
  readonly adminToken: string | undefined;
  /** The base URL while listening. */
  readonly url: string | undefined;
}

let builtInFixtures: Fixtures | undefined;

/** How long stop() lets requests in progress finish before it closes their connections. */
const DRAIN_MS = 2_000;

/** Options of createEmulator(): the plain settings plus the side effects a test may replace. */
export interface EmulatorOptions extends ConfigOptions {
  /** Time source. Default: the system clock. */
  clock?: Clock;
  /** How webhook requests are sent. Default: node's http/https with keep-alive. */
  transport?: Transport;
  /** Where messages go. Default: a structured logger on standard error in `logFormat` at `logLevel`. */
  logger?: Logger;
}

/** Builds the whole emulator (store, APIs, control API) without opening a socket. */
export async function createEmulator(options: EmulatorOptions = {}): Promise<Emulator> {
  const clock = options.clock ?? new SystemClock();
  const config = resolveConfig(options, clock.now());
  const logger = options.logger ?? createLogger({ format: config.logFormat, level: config.logLevel });
  // The built-in fixtures never change, so they are read once per process; a custom folder every time.
  const fixtures = config.fixtures ? loadFixtures(config.fixtures) : (builtInFixtures ??= loadFixtures());

  const dataFile = config.data ? new DataFile(config.data, (message) => logger.error(message)) : undefined;
  const saved = await dataFile?.load();
  // With a data file the generators go on where they were (forked), so no id or key repeats.
  const generators = new Generators(config.seed);
  if (saved) generators.resume(saved.generators);
  const store = new Store({
    fixtures,
    seed: config.seed,
    seedTime: config.seedTime,
    bulkChats: config.bulkChats,
    initialState: saved?.tenants,
    seedCache: config.seedCache,
    generators,
    limits: { tenants: config.maxTenants, chats: config.maxChats, messages: config.maxMessages, tenantBytes: config.maxTenantMb * 2 ** 20, storedBytes: config.maxStoredMb * 2 ** 20 },
  });
  await dataFile?.attach(store, () => clock.now(), generators);
  const events = new EventBus((message, error) => logger.error(message, error));
  const domain: DomainContext = {
    store,
    events,
    clock,
    get random() {
      return generators.domain;
    },
    content: fixtures.content,
  };
  // After a full reset, new ids repeat the sequence of a fresh start.
  events.on('store.reset', ({ tenantId, snapshot }) => {
    if (snapshot !== undefined) generators.forkDomain();
    else if (tenantId === undefined) generators.resetDomain();
  });
  const snapshots = new Snapshots({ store, events, now: () => clock.now() });
  const graphql = await createGraphQLHandler(domain, logger, {
    cost: config.maxQueryCost,
    aliases: config.maxAliases,
    directives: config.maxDirectives,
    tokens: config.maxTokens,
    depth: config.maxDepth,
  });

  const transport = createHttpTransport(config.webhookConcurrency);
  const dispatcher = new Dispatcher({
    clock,
    transport: options.transport ?? transport.send,
    logger,
    policy: { ...DEFAULT_RETRY_POLICY, maxAttempts: config.webhookAttempts, baseDelayMs: config.webhookBackoffMs, timeoutMs: config.webhookTimeoutMs },
    concurrency: config.webhookConcurrency,
    logLimit: config.deliveryLogSize,
    fraction: () => generators.jitter.fraction(),
  });
  const settings = new WebhookSettings(
    { url: config.webhookUrl, fixtures: new Map(fixtures.tenants.flatMap((t) => (t.webhooks ? [[t.id, t.webhooks] as const] : []))) },
    (tenantId) => store.tenant(tenantId)?.data.webhookSecret ?? '',
  );
  // Scenario runs with a target, verifications and triggers route their own chats' webhooks.
  const routes = new WebhookRoutes();
  publishGuuruWebhooks({ events, store, settings, dispatcher, random: generators.webhookKeys, routeOf: routes.resolve });
  const gurusupSettings = new GurusupSettings(config.gurusupWebhookUrl);
  publishGurusupWebhooks({ events, store, settings: gurusupSettings, render: webhookPayload, dispatcher, routeOf: routes.resolve });
  const requests = new RequestJournal(config.requestLogSize);
  const scenarios = new ScenarioEngine({ domain, watchDeliveries: (listeners) => dispatcher.watch(listeners), logger, dirs: config.scenarios, seed: config.seed, journal: requests });
  const verifications = new Verifications({
    domain,
    requests,
    logger,
    seed: config.seed,
    defaultTimeoutMs: config.webhookTimeoutMs,
    wire: { send: options.transport ?? transport.send, render: webhookRenderer(store, settings), sign: signBody, secretOf: (tenantId) => settings.get(tenantId).secret },
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

  // What the dashboard (and any tool) watches: each chat's steps, and the live change stream.
  const activity = new ChatActivity(events, () => clock.now(), (enqueued: (delivery: Delivery) => void) => dispatcher.watch({ enqueued }));
  const stream = new EventStream({
    events,
    store,
    onRequest: (listener) => requests.subscribe((r) => listener({ id: r.id, failed: isFailed(r), chatIds: r.chatIds })),
    onDelivery: (listener) => dispatcher.watch({ enqueued: listener, attempt: listener, settled: listener }),
  });

  // Bound to a non-loopback interface the control API is reachable from the network: never without a token.
  const adminToken = config.adminToken ?? (isLoopback(config.host) ? undefined : generateAdminToken());

  let server: Server | undefined;
  let url: string | undefined;
  const startedAt = Date.now();

  const app = express();
  app.disable('x-powered-by');
  const dashboard = createDashboard({ store });
  // The operator's surfaces (control API, dashboard) refuse other sites' pages, rebound Host names
  // and, with an admin token, anyone without it; a health check and the dashboard's files and page
  // shells need no token (a page must load to ask for it).
  const guard = createGuard({
    hostNames: emulatorHostNames(config.host, config.allowedHosts),
    adminToken,
    ...(config.corsControl ? { allowOrigin: (origin: string) => corsAllows(config.cors, origin) } : {}),
    open: (req) => {
      if (req.method !== 'GET') return false;
      const path = req.originalUrl.split('?')[0] ?? '';
      return path === '/_emulator/health' || path === '/_emulator/openapi.json' || path.startsWith('/_emulator/ui/') || ((path === '/' || path === '/graphql') && wantsHtml(req));
    },
  });
  // The MCP endpoint loads its SDK on first use: most runs never call it, and start-up stays quick.
  let mcpHandler: Promise<RequestHandler> | undefined;
  const mcp: RequestHandler = (req, res, next) => {
    // Its tools call this emulator over HTTP; bound to every interface, through loopback (not the
    // display name `localhost`, which may resolve to an address that is not bound).
    const self = () => (url === undefined || !isWildcard(config.host) ? url : `http://127.0.0.1:${new URL(url).port}`);
    mcpHandler ??= import('../mcp/http.js').then((m) => m.createMcpHandler({ url: self, adminToken }));
    mcpHandler.then((handler) => handler(req, res, next)).catch(next);
  };
  const guarded = (handler: RequestHandler): RequestHandler => (req, res, next) => guard(req, res, (error?: unknown) => (error ? next(error) : handler(req, res, next)));
  // The test suite's contract check: every control answer, refusals included, to DIR (see answer-recorder.ts).
  const recordTo = process.env.GUURU_EMULATOR_RECORD_CONTROL;
  if (recordTo) app.use('/_emulator', recordAnswers(recordTo));
  // Opt-in CORS, before any authentication (a preflight carries no credentials).
  if (config.cors.length > 0) {
    const cors = corsFor(config.cors);
    app.use(['/graphql', '/gurusup'], cors);
    if (config.corsControl) app.use('/_emulator', cors);
  }
  app.use('/_emulator', guard);
  app.use('/_emulator/ui', dashboard.assetRouter);
  app.use(
    '/_emulator',
    createControlRouter({ store, events, clock, domain, snapshots, routes, settings, gurusupSettings, dispatcher, scenarios, requests, verifications, activity, stream, version: VERSION, startedAt, bodyLimit: config.bodyLimit, baseUrl: () => url, mcp }),
  );
  // A browser opening /graphql gets the GraphiQL IDE (not an API request: not journaled); API clients go on to Apollo.
  app.get('/graphql', (req, res, next) => (wantsHtml(req) ? guarded(dashboard.graphiqlPage)(req, res, next) : next()));
  app.use('/graphql', recordRequests(requests, clock, 'graphql'), express.json({ limit: config.bodyLimit }), (req, res, next) => {
    if (req.method === 'POST' && req.body === undefined) {
      res.status(415).json({
        errors: [{ message: 'POST /graphql needs "Content-Type: application/json" and a JSON body {"query": "..."}.', extensions: { code: 'BAD_REQUEST' } }],
      });
      return;
    }
    // A verification may hold the integration's calls on one of its chats, as a slow API would.
    const held = verifications.gate(req.body);
    if (held) void held.then(() => next());
    else next();
  });
  app.use('/graphql', graphql.middleware);
  const gurusup = createGurusupRouter({ domain, settings: gurusupSettings, bodyLimit: config.bodyLimit });
  // The auth page's base path is /api/v1; the get-started page's paths are bare: both work.
  const recordGurusup = recordRequests(requests, clock, 'gurusup');
  app.use('/gurusup/api/v1', recordGurusup, gurusup);
  app.use('/gurusup', recordGurusup, gurusup);
  app.get('/', (req, res, next) => {
    // A browser gets the dashboard; curl and API clients (Accept: */* or JSON) the JSON index.
    if (wantsHtml(req)) return guarded(dashboard.dashboardPage)(req, res, next);
    res.json({ name: 'guuru-emulator', version: VERSION, graphql: '/graphql', gurusup: '/gurusup', control: '/_emulator', health: '/_emulator/health' });
  });
  app.use((req, res) =>
    sendError(res, 404, `No route ${req.method} ${req.path}. The GUURU Admin API is POST /graphql, the Gurusup API is under /gurusup, the control API under /_emulator.`),
  );
  app.use(errorHandler(logger));

  let stopped: Promise<void> | undefined;
  let draining = false;
  return {
    app,
    store,
    events,
    clock,
    config,
    domain,
    webhooks: { settings, dispatcher, gurusup: gurusupSettings },
    generators,
    dataFile,
    scenarios,
    requests,
    verifications,
    get url() {
      return url;
    },
    adminToken,
    start() {
      if (server) return Promise.reject(new Error('the emulator is already listening'));
      // A slow client (1 byte every 500 ms) would otherwise hold its socket for Node's default 300 s:
      // Node answers 408 once the headers or the whole request take longer than configured.
      const listening = createServer(
        { headersTimeout: config.headersTimeoutMs, requestTimeout: config.requestTimeoutMs, connectionsCheckingInterval: Math.min(1_000, config.headersTimeoutMs) },
        app,
      );
      server = listening;
      // While stopping, a connection closes as soon as its last request is answered (keep-alive
      // would otherwise hold the stop for its idle timeout).
      listening.on('request', (_req, res: ServerResponse) => {
        if (draining) res.setHeader('Connection', 'close');
        res.once('finish', () => {
          if (draining) setImmediate(() => listening.closeIdleConnections());
        });
      });
      return new Promise<string>((resolve, reject) => {
        listening.once('error', reject);
        listening.listen(config.port, config.host, () => {
          const { port } = listening.address() as AddressInfo;
          // Bound to every interface (Docker), the URL shown and linked is one a person can open.
          const host = isWildcard(config.host) ? 'localhost' : config.host.includes(':') ? `[${config.host}]` : config.host;
          url = `http://${host}:${port}`;
          resolve(url);
        });
      });
    },
    stop() {
      stopped ??= (async () => {
        // Live streams never end by themselves: end them first so the drain below is not held up.
        stream.close();
        activity.stop();
        // Scenario runs and verifications in progress end as cancelled, which also answers their long polls.
        scenarios.stop();
        verifications.stop();
        if (server) {
          // Stop accepting, let requests in progress finish (their changes are then saved below),
          // and only cut connections still busy after DRAIN_MS.
          const closing = server;
          draining = true;
          const closed = new Promise<void>((resolve) => closing.close(() => resolve()));
          closing.closeIdleConnections();
          const cut = setTimeout(() => closing.closeAllConnections(), DRAIN_MS);
          await closed;
          clearTimeout(cut);
        }
        dispatcher.stop();
        transport.close();
        await graphql.stop();
        await dataFile?.close();
      })();
      return stopped;
    },
  };
}
