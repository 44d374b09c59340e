import { Router, type Request, type RequestHandler } from 'express';
import { SERVICE_ACCOUNT_ID } from '../domain/actors.js';
import { defaultTenant } from '../domain/tenants.js';
import type { Store } from '../store/store.js';
import type { Tenant } from '../store/tenant.js';
import { VERSION } from '../kernel/version.js';
import { DashboardAssets } from './assets.js';
import { exampleOperations, type ExampleHints } from './examples.js';

/** Where the built files are served (under the control API, so its protection covers them). */
export const ASSET_BASE = '/_emulator/ui';

/** What the browser sent: a person's browser prefers HTML; curl (Accept: * / *) and API clients get JSON. */
export const wantsHtml = (req: Request): boolean => req.accepts(['application/json', 'text/html']) === 'text/html';

const escapeHtml = (s: string): string => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
/** JSON inside <script type="application/json">: nothing in it may close the tag. */
const scriptJson = (value: unknown): string => JSON.stringify(value).replace(/</g, '\\u003c');

function shell(title: string, page: { js: string; css?: string } | undefined, config: unknown): string {
  if (!page) {
    return `<!doctype html><html lang="en"><meta charset="utf-8"><title>${escapeHtml(title)}</title>
<body style="font-family:system-ui,sans-serif;margin:3rem"><h1>${escapeHtml(title)}</h1>
<p>The web pages of this emulator are not built. Run <code>npm run build</code> in its folder, then reload.</p>
<p>The APIs work without them: <code>POST /graphql</code>, <code>/gurusup</code>, the control API under <code>/_emulator</code>.</p></body></html>`;
  }
  const css = page.css ? `<link rel="stylesheet" href="${ASSET_BASE}/${page.css}">` : '';
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<meta name="color-scheme" content="light">
${css}
<script type="module" src="${ASSET_BASE}/${page.js}"></script>
</head>
<body>
<script type="application/json" id="emulator-config">${scriptJson(config)}</script>
<div id="app"><noscript>This page needs JavaScript. The control API answers JSON under /_emulator.</noscript></div>
</body>
</html>
`;
}

const heldByApi = (tenant: Tenant, expertId: string | undefined): boolean =>
  expertId === SERVICE_ACCOUNT_ID || (expertId !== undefined && tenant.personasById.has(expertId));

/** Seeded records that make each documented example runnable as it is. */
function hintsOf(tenant: Tenant | undefined): ExampleHints {
  if (!tenant) return {};
  const { chats, personas, submissions, pages } = tenant.data;
  const find = <T>(list: T[], test: (x: T) => boolean): T | undefined => {
    for (let i = list.length - 1; i >= 0; i -= 1) if (test(list[i] as T)) return list[i];
    return undefined;
  };
  return {
    assignedChatId: find(chats, (c) => c.status === 'assigned' && c.requestedExperts.includes(SERVICE_ACCOUNT_ID))?.id,
    openChatId: find(chats, (c) => c.status === 'open' && heldByApi(tenant, c.expertId))?.id,
    closedChatId: find(chats, (c) => c.status === 'closed' && heldByApi(tenant, c.expertId))?.id,
    personaId: personas[0]?.id,
    otherPersonaId: personas[1]?.id,
    pendingSubmissionId: find(submissions, (s) => s.status === 'pending')?.id,
    pageId: pages[0]?.id,
  };
}

export interface DashboardDeps {
  store: Store;
  assets?: DashboardAssets;
}

/** The config a page reads from its JSON block. */
export interface PageConfig {
  version: string;
  graphqlUrl: string;
  /** The SharedWorker script that shares one event stream between tabs. */
  liveWorker?: string;
}

export interface GraphiqlConfig extends PageConfig {
  token: string;
  tenant: string;
  examples: ReturnType<typeof exampleOperations>;
}

/**
 * The web pages: the dashboard (a browser's GET /), the GraphiQL IDE (a browser's GET /graphql)
 * and their built files. They read and write only through the control API and the Admin API.
 */
export function createDashboard(deps: DashboardDeps) {
  const assets = deps.assets ?? new DashboardAssets();
  const html = (res: Parameters<RequestHandler>[1], body: string) => {
    res.setHeader('Cache-Control', 'no-store');
    res.type('html').send(body);
  };

  const dashboardPage: RequestHandler = (_req, res) => {
    const page = assets.manifest()?.dashboard;
    const config: PageConfig = {
      version: VERSION,
      graphqlUrl: '/graphql',
      ...(page?.worker ? { liveWorker: `${ASSET_BASE}/${page.worker}` } : {}),
    };
    html(res, shell('guuru-emulator', page, config));
  };

  const graphiqlPage: RequestHandler = (_req, res) => {
    const tenant = defaultTenant(deps.store);
    const config: GraphiqlConfig = {
      version: VERSION,
      graphqlUrl: '/graphql',
      token: tenant?.data.tokens[0] ?? '',
      tenant: tenant?.id ?? '',
      examples: exampleOperations(hintsOf(tenant)),
    };
    html(res, shell('GraphiQL · guuru-emulator', assets.manifest()?.graphiql, config));
  };

  const assetRouter = Router();
  assetRouter.get('/{*file}', assets.handler());
  return { dashboardPage, graphiqlPage, assetRouter, assets };
}
