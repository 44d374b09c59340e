import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { hostname, networkInterfaces } from 'node:os';
import type { Request, RequestHandler } from 'express';
import { sendError } from './errors.js';

/** The cookie a browser page (the dashboard) may carry the admin token in: EventSource cannot send headers. */
export const ADMIN_TOKEN_COOKIE = 'guuru-emulator-admin-token';

const LOOPBACK_NAMES = ['localhost', '127.0.0.1', '::1'];
const WILDCARDS = new Set(['0.0.0.0', '::', '']);

/** True for an address that binds every interface (0.0.0.0, ::). */
export const isWildcard = (host: string): boolean => WILDCARDS.has(host.replace(/^\[|\]$/g, '').toLowerCase());

/** True for an interface only this machine reaches (127.0.0.0/8, ::1, localhost). */
export const isLoopback = (host: string): boolean => {
  const h = host.replace(/^\[|\]$/g, '').toLowerCase();
  return h === 'localhost' || h === '::1' || /^127\.\d+\.\d+\.\d+$/.test(h);
};

/**
 * The names this emulator answers to in a `Host` header: loopback, the interface it is bound to,
 * and, bound to every interface (0.0.0.0, as in Docker), this machine's name and addresses; plus
 * the names the user allows (`--allow-host`).
 */
export function emulatorHostNames(boundHost: string, allowed: readonly string[] = []): string[] {
  const names = new Set([...LOOPBACK_NAMES, ...allowed.map((n) => n.toLowerCase())]);
  const bound = boundHost.replace(/^\[|\]$/g, '').toLowerCase();
  if (WILDCARDS.has(bound)) {
    // The URL printed at start (http://0.0.0.0:4000) works from this machine.
    if (bound !== '') names.add(bound);
    names.add(hostname().toLowerCase());
    for (const list of Object.values(networkInterfaces()))
      for (const address of list ?? []) names.add(address.address.toLowerCase());
  } else {
    names.add(bound);
  }
  return [...names];
}

/** A fresh admin token (node:crypto, never the seeded random source: it is a secret). */
export const generateAdminToken = (): string => randomBytes(24).toString('base64url');

export interface GuardOptions {
  /** Host names (no port) accepted in `Host` and `Origin`; see emulatorHostNames(). */
  hostNames: readonly string[];
  /** When set, requests need it (`Authorization: Bearer`, `X-Admin-Token` or the ADMIN_TOKEN_COOKIE cookie). */
  adminToken?: string;
  /** Requests that need no admin token (a health check, static files); Host and Origin are still checked. */
  open?: (req: Request) => boolean;
  /** Other sites whose pages may use these routes (`--cors` with `--cors-control`); the token is still required. */
  allowOrigin?: (origin: string) => boolean;
}

const STATE_CHANGING = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/** `host[:port]` without the port, brackets removed, lower case. */
const nameOf = (host: string): string => {
  const h = host.trim().toLowerCase();
  if (h.startsWith('[')) return h.slice(1, h.indexOf(']') > 0 ? h.indexOf(']') : undefined);
  return h.replace(/:\d*$/, '');
};

const digest = (value: string) => createHash('sha256').update(value).digest();

/**
 * Every admin token candidate the request carries, from each header that may hold it: a client can
 * send the Admin API's `Authorization: Bearer demo-token` beside a valid `X-Admin-Token`.
 */
function presentedTokens(req: Request): string[] {
  const tokens: string[] = [];
  const bearer = /^\s*bearer\s+(\S+)\s*$/i.exec(req.headers.authorization ?? '')?.[1];
  if (bearer) tokens.push(bearer);
  const header = req.headers['x-admin-token'];
  if (typeof header === 'string' && header.trim() !== '') tokens.push(header.trim());
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const [key, ...value] = part.trim().split('=');
    if (key !== ADMIN_TOKEN_COOKIE) continue;
    try {
      tokens.push(decodeURIComponent(value.join('=')));
    } catch {
      tokens.push(value.join('='));
    }
  }
  return tokens;
}

function isJsonType(contentType: string): boolean {
  const type = (contentType.split(';')[0] ?? '').trim().toLowerCase();
  return type === 'application/json' || (type.startsWith('application/') && type.endsWith('+json'));
}

/**
 * The one guard of the emulator's operator surfaces (the control API and the dashboard): what keeps
 * a web page, on any site the developer visits, from driving or reading the emulator.
 *
 * - a foreign `Origin` (not this very origin, or `null`) is refused: 403 `FORBIDDEN_ORIGIN`;
 *   clients without an Origin (curl, SDKs, tests) are not browsers and pass, unless a state
 *   change says `Sec-Fetch-Site: cross-site` (a browser's word for another site's page);
 * - a `Host` that is not one of the emulator's names is refused (DNS rebinding): 403 `FORBIDDEN_HOST`,
 *   unless the request carries the admin token;
 * - with an admin token set (`--admin-token`, `ADMIN_TOKEN`; generated when bound to a non-loopback
 *   interface), every request outside `open` needs it, in any of the headers that may hold it
 *   (one wrong value beside the right one does not hide it): 401 `ADMIN_TOKEN_REQUIRED`;
 * - a state-changing request (POST, PUT, PATCH, DELETE) with a body must say
 *   `Content-Type: application/json` (a body-less one may omit it): 415 `JSON_REQUIRED`. A page can
 *   send `text/plain` or a form across sites without asking first; it cannot send JSON.
 *
 * Mount it before the routes it protects, once per surface, with the same options:
 *   app.use('/_emulator', guard);            // the control API (and the dashboard's assets under it)
 *   app.get('/', guard, dashboardPage);       // a dashboard page
 * The GraphQL and Gurusup APIs keep their own credentials and do not use it. A browser page that
 * needs the token (the dashboard behind `--admin-token`) sends `X-Admin-Token`, or sets the
 * ADMIN_TOKEN_COOKIE cookie (`SameSite=Strict; Path=/`) so that EventSource carries it too.
 */
export function createGuard(options: GuardOptions): RequestHandler {
  const names = new Set(options.hostNames.map((n) => n.toLowerCase()));
  const expected = options.adminToken === undefined ? undefined : digest(options.adminToken);
  return (req, res, next) => {
    const host = req.headers.host ?? '';
    const origin = req.headers.origin;
    if (origin !== undefined) {
      let originHost: string | undefined;
      try {
        const parsed = new URL(origin);
        if (parsed.protocol === 'http:' || parsed.protocol === 'https:') originHost = parsed.host.toLowerCase();
      } catch {
        originHost = undefined;
      }
      if ((originHost === undefined || originHost !== host.toLowerCase()) && !options.allowOrigin?.(origin)) {
        sendError(
          res,
          403,
          `Refused: a web page at ${origin} may not use the emulator's control API (only pages the emulator serves itself may). Call it from a script, curl or your tests instead.`,
          {
            code: 'FORBIDDEN_ORIGIN',
          },
        );
        return;
      }
    }
    // A browser says where a request comes from even without Origin: a cross-site state change is a page's doing.
    if (origin === undefined && STATE_CHANGING.has(req.method) && req.headers['sec-fetch-site'] === 'cross-site') {
      sendError(
        res,
        403,
        'Refused: a web page on another site may not change the emulator through its control API (Sec-Fetch-Site: cross-site). Call it from a script, curl or your tests instead.',
        {
          code: 'FORBIDDEN_ORIGIN',
        },
      );
      return;
    }
    const tokens = presentedTokens(req);
    const tokenValid = expected !== undefined && tokens.some((token) => timingSafeEqual(digest(token), expected));
    if (!tokenValid && !names.has(nameOf(host))) {
      sendError(
        res,
        403,
        `Refused: Host "${host}" is not a name of this emulator (${[...names].slice(0, 4).join(', ')}, …). Use one of those, or start it with --allow-host ${nameOf(host) || 'NAME'} (env ALLOWED_HOSTS).`,
        { code: 'FORBIDDEN_HOST' },
      );
      return;
    }
    if (expected !== undefined && !tokenValid && !options.open?.(req)) {
      res.setHeader('WWW-Authenticate', 'Bearer realm="guuru-emulator control API"');
      sendError(
        res,
        401,
        tokens.length === 0
          ? 'The control API needs the admin token: send "Authorization: Bearer <token>" or "X-Admin-Token: <token>" (the token is --admin-token / ADMIN_TOKEN, or the one printed at start).'
          : 'Wrong admin token: use the --admin-token / ADMIN_TOKEN value, or the one the emulator printed at start.',
        { code: 'ADMIN_TOKEN_REQUIRED' },
      );
      return;
    }
    if (STATE_CHANGING.has(req.method)) {
      const contentType = req.headers['content-type'];
      const hasBody =
        (req.headers['content-length'] !== undefined && req.headers['content-length'] !== '0') ||
        req.headers['transfer-encoding'] !== undefined;
      if (contentType === undefined ? hasBody : !isJsonType(contentType)) {
        sendError(
          res,
          415,
          `${req.method} requests to the control API take JSON: send "Content-Type: application/json" with a JSON body (or no body and no Content-Type).`,
          {
            code: 'JSON_REQUIRED',
          },
        );
        return;
      }
    }
    next();
  };
}
