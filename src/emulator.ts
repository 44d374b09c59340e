import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express, { type Express } from 'express';
import { SystemClock, type Clock } from './clock.js';
import { resolveConfig, type EmulatorOptions, type ResolvedConfig } from './config.js';
import { createControlRouter } from './control/router.js';
import type { DomainContext } from './domain/context.js';
import { EventBus } from './domain/events.js';
import { Random } from './random.js';
import { createGraphQLHandler } from './graphql/server.js';
import { errorHandler, sendError } from './http-errors.js';
import { consoleLogger } from './logger.js';
import { DataFile } from './store/persistence.js';
import { loadFixtures, type Fixtures } from './store/fixtures.js';
import { Store } from './store/store.js';
import { VERSION } from './version.js';
import { recordRequests } from './journal/http-recorder.js';
import { RequestJournal } from './journal/request-journal.js';
import { createGurusupRouter } from './gurusup/router.js';
import { GurusupSettings } from './gurusup/settings.js';
import { ScenarioEngine } from './scenarios/engine.js';
import { Dispatcher } from './webhooks/dispatcher.js';
import { publishGurusupWebhooks } from './webhooks/gurusup-publisher.js';
import { publishGuuruWebhooks } from './webhooks/guuru-publisher.js';
import { DEFAULT_RETRY_POLICY } from './webhooks/retry-policy.js';
import { WebhookSettings } from './webhooks/subscriptions.js';
import { createHttpTransport } from './webhooks/transport.js';

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
  /** Scenario files and runs. */
  scenarios: ScenarioEngine;
  /** The API requests the emulator answered (GET /_emulator/requests). */
  requests: RequestJournal;
  /** Listens on config.port/host (port 0: a free port) and resolves with the base URL. */
  start(): Promise<string>;
  /** Closes the socket, Apollo and the data file. Safe to call twice. */
  stop(): Promise<void>;
  /** The base URL while listening. */
  readonly url: string | undefined;
}

let builtInFixtures: Fixtures | undefined;

/** Builds the whole emulator (store, APIs, control API) without opening a socket. */
export async function createEmulator(options: EmulatorOptions = {}): Promise<Emulator> {
  const clock = options.clock ?? new SystemClock();
  const logger = options.logger ?? consoleLogger;
  const config = resolveConfig(options, clock.now());
  // The built-in fixtures never change, so they are read once per process; a custom folder every time.
  const fixtures = config.fixtures ? loadFixtures(config.fixtures) : (builtInFixtures ??= loadFixtures());

  const dataFile = config.data ? new DataFile(config.data) : undefined;
  const saved = await dataFile?.load();
  const store = new Store({ fixtures, seed: config.seed, seedTime: config.seedTime, bulkChats: config.bulkChats, initialState: saved, seedCache: config.seedCache });
  await dataFile?.attach(store, () => clock.now());
  const events = new EventBus();
  const domain: DomainContext = { store, events, clock, random: new Random(config.seed + 13), content: fixtures.content };
  // After a full reset, new ids repeat the sequence of a fresh start.
  events.on('store.reset', ({ tenantId }) => {
    if (tenantId === undefined) domain.random = new Random(config.seed + 13);
  });
  const graphql = await createGraphQLHandler(domain, logger);

  const transport = createHttpTransport(config.webhookConcurrency);
  const jitter = new Random(config.seed + 31);
  const dispatcher = new Dispatcher({
    clock,
    transport: options.transport ?? transport.send,
    logger,
    policy: { ...DEFAULT_RETRY_POLICY, maxAttempts: config.webhookAttempts, baseDelayMs: config.webhookBackoffMs, timeoutMs: config.webhookTimeoutMs },
    concurrency: config.webhookConcurrency,
    logLimit: config.deliveryLogSize,
    fraction: () => jitter.fraction(),
  });
  const settings = new WebhookSettings(
    { url: config.webhookUrl, fixtures: new Map(fixtures.tenants.flatMap((t) => (t.webhooks ? [[t.id, t.webhooks] as const] : []))) },
    (tenantId) => store.tenant(tenantId)?.data.webhookSecret ?? '',
  );
  // Runs with a target route their chats' webhooks there; the engine is made after the publishers.
  const routing: { routeOf?: (tenantId: string, chatId: string) => string | undefined } = {};
  publishGuuruWebhooks({ events, store, settings, dispatcher, random: new Random(config.seed + 29), routeOf: (t, c) => routing.routeOf?.(t, c) });
  const gurusupSettings = new GurusupSettings(config.gurusupWebhookUrl);
  publishGurusupWebhooks({ events, store, settings: gurusupSettings, dispatcher, routeOf: (t, c) => routing.routeOf?.(t, c) });
  const scenarios = new ScenarioEngine({ domain, dispatcher, logger, dirs: config.scenarios, seed: config.seed });
  routing.routeOf = scenarios.routeOf;

  const requests = new RequestJournal(config.requestLogSize);

  let server: Server | undefined;
  let url: string | undefined;
  const startedAt = Date.now();

  const app = express();
  app.disable('x-powered-by');
  app.use(
    '/_emulator',
    createControlRouter({ store, events, clock, domain, settings, gurusupSettings, dispatcher, scenarios, requests, version: VERSION, startedAt, bodyLimit: config.bodyLimit, baseUrl: () => url }),
  );
  app.use('/graphql', recordRequests(requests, clock, 'graphql'), express.json({ limit: config.bodyLimit }), (req, res, next) => {
    if (req.method === 'POST' && req.body === undefined) {
      res.status(415).json({
        errors: [{ message: 'POST /graphql needs "Content-Type: application/json" and a JSON body {"query": "..."}.', extensions: { code: 'BAD_REQUEST' } }],
      });
      return;
    }
    next();
  });
  app.use('/graphql', graphql.middleware);
  const gurusup = createGurusupRouter({ domain, settings: gurusupSettings, bodyLimit: config.bodyLimit });
  // The auth page's base path is /api/v1; the get-started page's paths are bare: both work.
  const recordGurusup = recordRequests(requests, clock, 'gurusup');
  app.use('/gurusup/api/v1', recordGurusup, gurusup);
  app.use('/gurusup', recordGurusup, gurusup);
  app.get('/', (_req, res) => {
    res.json({ name: 'guuru-emulator', version: VERSION, graphql: '/graphql', gurusup: '/gurusup', control: '/_emulator', health: '/_emulator/health' });
  });
  app.use((req, res) =>
    sendError(res, 404, `No route ${req.method} ${req.path}. The GUURU Admin API is POST /graphql, the Gurusup API is under /gurusup, the control API under /_emulator.`),
  );
  app.use(errorHandler(logger));

  let stopped: Promise<void> | undefined;
  return {
    app,
    store,
    events,
    clock,
    config,
    domain,
    webhooks: { settings, dispatcher, gurusup: gurusupSettings },
    scenarios,
    requests,
    get url() {
      return url;
    },
    start() {
      if (server) return Promise.reject(new Error('the emulator is already listening'));
      const listening = createServer(app);
      server = listening;
      return new Promise<string>((resolve, reject) => {
        listening.once('error', reject);
        listening.listen(config.port, config.host, () => {
          const { port } = listening.address() as AddressInfo;
          const host = config.host.includes(':') ? `[${config.host}]` : config.host;
          url = `http://${host}:${port}`;
          resolve(url);
        });
      });
    },
    stop() {
      stopped ??= (async () => {
        if (server) {
          const closing = server;
          await new Promise<void>((resolve) => {
            closing.close(() => resolve());
            closing.closeAllConnections();
          });
        }
        scenarios.stop();
        dispatcher.stop();
        transport.close();
        await graphql.stop();
        await dataFile?.close();
      })();
      return stopped;
    },
  };
}
