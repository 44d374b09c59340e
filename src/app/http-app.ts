import express, { type Express, type RequestHandler, type Router } from 'express';
import { recordAnswers } from '../control/answer-recorder.js';
import { createDashboard, wantsHtml } from '../dashboard/pages.js';
import { createGurusupRouter } from '../gurusup/router.js';
import { corsAllows, corsFor } from '../http/cors.js';
import { errorHandler, sendError } from '../http/errors.js';
import { createGuard, emulatorHostNames, isWildcard } from '../http/guard.js';
import { recordRequests } from '../journal/http-recorder.js';
import { VERSION } from '../kernel/version.js';
import type { Core } from './core.js';
import type { Parts } from './parts.js';

/** What the HTTP app needs besides the core and its parts. */
export interface HttpAppContext {
  /** The token the control API requires, if any. */
  adminToken: string | undefined;
  /** The base URL once listening. */
  url: () => string | undefined;
  /** The test suite's contract check: record every control answer to this folder. */
  recordControlTo?: string;
  startedAt: number;
}

/** One entry of the app, mounted in list order: `use` for a prefix, `get` for one route. */
interface Mount {
  name: string;
  method?: 'get';
  path?: string | string[];
  handlers: RequestHandler[];
}

/** The Express app of every API and page, as a list of named mounts read top to bottom (order matters). */
export function createHttpApp(core: Core, parts: Parts, context: HttpAppContext): Express {
  const app = express();
  app.disable('x-powered-by');
  for (const mount of mounts(core, parts, context)) {
    if (mount.method === 'get') app.get(mount.path as string, ...mount.handlers);
    else if (mount.path === undefined) app.use(...mount.handlers);
    else app.use(mount.path, ...mount.handlers);
  }
  app.use(errorHandler(core.logger));
  return app;
}

function mounts(core: Core, parts: Parts, context: HttpAppContext): Mount[] {
  const { config } = core;
  const dashboard = createDashboard({ store: core.store });
  const guard = operatorGuard(core, context);
  const guarded =
    (handler: RequestHandler): RequestHandler =>
    (req, res, next) =>
      guard(req, res, (error?: unknown) => (error ? next(error) : handler(req, res, next)));
  const cors = config.cors.length > 0 ? corsFor(config.cors) : undefined;
  const recordGurusup = recordRequests(parts.requests, core.clock, 'gurusup');
  const gurusup = createGurusupRouter({
    domain: core.domain,
    settings: parts.webhooks.gurusupSettings,
    bodyLimit: config.bodyLimit,
  });
  return [
    ...(context.recordControlTo
      ? [
          {
            name: 'control-answer recorder (the test suite contract check)',
            path: '/_emulator',
            handlers: [recordAnswers(context.recordControlTo)],
          },
        ]
      : []),
    // Opt-in CORS, before any authentication (a preflight carries no credentials).
    ...(cors ? [{ name: 'CORS for the APIs', path: ['/graphql', '/gurusup'], handlers: [cors] }] : []),
    ...(cors && config.corsControl ? [{ name: 'CORS for the control API', path: '/_emulator', handlers: [cors] }] : []),
    { name: 'operator guard', path: '/_emulator', handlers: [guard] },
    { name: 'dashboard files', path: '/_emulator/ui', handlers: [dashboard.assetRouter] },
    { name: 'control API', path: '/_emulator', handlers: [controlRouter(core, parts, context)] },
    // A browser opening /graphql gets the GraphiQL IDE (not an API request: not journaled); API clients go on to Apollo.
    {
      name: 'GraphiQL',
      method: 'get',
      path: '/graphql',
      handlers: [(req, res, next) => (wantsHtml(req) ? guarded(dashboard.graphiqlPage)(req, res, next) : next())],
    },
    {
      name: 'GUURU Admin API (GraphQL)',
      path: '/graphql',
      handlers: [
        recordRequests(parts.requests, core.clock, 'graphql'),
        // A body the front door read and Express's parser refused on the same bytes: its error, as if parsed here.
        (req, _res, next) => next((req as { bodyError?: unknown }).bodyError),
        express.json({ limit: config.bodyLimit }),
        graphqlGate(parts),
        parts.graphql.middleware,
      ],
    },
    // The auth page's base path is /api/v1; the get-started page's paths are bare: both work.
    { name: 'Gurusup API (/api/v1)', path: '/gurusup/api/v1', handlers: [recordGurusup, gurusup] },
    { name: 'Gurusup API', path: '/gurusup', handlers: [recordGurusup, gurusup] },
    {
      name: 'index: the dashboard for a browser, JSON for a client',
      method: 'get',
      path: '/',
      handlers: [
        (req, res, next) => {
          if (wantsHtml(req)) return guarded(dashboard.dashboardPage)(req, res, next);
          res.json({
            name: 'guuru-emulator',
            version: VERSION,
            graphql: '/graphql',
            gurusup: '/gurusup',
            control: '/_emulator',
            health: '/_emulator/health',
          });
        },
      ],
    },
    {
      name: 'not found',
      handlers: [
        (req, res) =>
          sendError(
            res,
            404,
            `No route ${req.method} ${req.path}. The GUURU Admin API is POST /graphql, the Gurusup API is under /gurusup, the control API under /_emulator.`,
          ),
      ],
    },
  ];
}

/**
 * The operator's surfaces (control API, dashboard) refuse other sites' pages, rebound Host names
 * and, with an admin token, anyone without it; a health check and the dashboard's files and page
 * shells need no token (a page must load to ask for it).
 */
function operatorGuard(core: Core, context: HttpAppContext): RequestHandler {
  const { config } = core;
  return createGuard({
    hostNames: emulatorHostNames(config.host, config.allowedHosts),
    adminToken: context.adminToken,
    ...(config.corsControl ? { allowOrigin: (origin: string) => corsAllows(config.cors, origin) } : {}),
    open: (req) => {
      if (req.method !== 'GET') return false;
      const path = req.originalUrl.split('?')[0] ?? '';
      return (
        path === '/_emulator/health' ||
        path === '/_emulator/openapi.json' ||
        path.startsWith('/_emulator/ui/') ||
        ((path === '/' || path === '/graphql') && wantsHtml(req))
      );
    },
  });
}

/**
 * The control API, loaded and made on its first request: registering its routes was most of what
 * remained of an in-process start once the seed data was deferred, its modules (routes, bodies,
 * the OpenAPI document) a tenth of the CLI's start path, and many emulators never call it.
 */
function controlRouter(core: Core, parts: Parts, context: HttpAppContext): RequestHandler {
  let router: Router | undefined;
  let making: Promise<Router> | undefined;
  const made = () =>
    (making ??= import('../control/router.js').then(
      (m) => (router = makeControlRouter(m.createControlRouter, core, parts, context)),
    ));
  const handler: RequestHandler = (req, res, next) => {
    if (router) return router(req, res, next);
    made()
      .then((r) => r(req, res, next))
      .catch(next);
  };
  // Its routes stay listable as an Express router's are once it is made (the OpenAPI document's test walks them).
  return Object.defineProperty(handler, 'stack', { get: () => router?.stack ?? [] });
}

function makeControlRouter(
  createControlRouter: typeof import('../control/router.js').createControlRouter,
  core: Core,
  parts: Parts,
  context: HttpAppContext,
): Router {
  const { store, events, clock, domain, snapshots, config } = core;
  const { routes, settings, gurusupSettings, dispatcher } = parts.webhooks;
  const { scenarios, requests, verifications, chatSteps, stream } = parts;
  return createControlRouter({
    store,
    events,
    clock,
    domain,
    snapshots,
    routes,
    settings,
    gurusupSettings,
    dispatcher,
    scenarios,
    requests,
    verifications,
    chatSteps,
    stream,
    version: VERSION,
    startedAt: context.startedAt,
    bodyLimit: config.bodyLimit,
    baseUrl: context.url,
    mcp: mcpEndpoint(core, context),
    fastLane: parts.graphql.fastLane,
  });
}

/** The MCP endpoint loads its SDK on first use: most runs never call it, and start-up stays quick. */
function mcpEndpoint(core: Core, context: HttpAppContext): RequestHandler {
  let handler: Promise<RequestHandler> | undefined;
  return (req, res, next) => {
    // Its tools call this emulator over HTTP; bound to every interface, through loopback (not the
    // display name `localhost`, which may resolve to an address that is not bound).
    const self = () => {
      const url = context.url();
      return url === undefined || !isWildcard(core.config.host) ? url : `http://127.0.0.1:${new URL(url).port}`;
    };
    handler ??= import('../mcp/http.js').then((m) => m.createMcpHandler({ url: self, adminToken: context.adminToken }));
    handler.then((h) => h(req, res, next)).catch(next);
  };
}

/** A JSON body or a 415 that says how; then a verification may hold the call, as a slow API would. */
function graphqlGate(parts: Parts): RequestHandler {
  return (req, res, next) => {
    if (req.method === 'POST' && req.body === undefined) {
      res.status(415).json({
        errors: [
          {
            message: 'POST /graphql needs "Content-Type: application/json" and a JSON body {"query": "..."}.',
            extensions: { code: 'BAD_REQUEST' },
          },
        ],
      });
      return;
    }
    const held = parts.verifications.gate(req.body);
    if (held) void held.then(() => next());
    else next();
  };
}
