import cors from 'cors';
import type { RequestHandler } from 'express';
import { sendError } from './errors.js';

const OPTIONS = {
  // Every method the APIs answer; the headers a client asks for (Authorization, x-api-key, …) are allowed.
  methods: ['GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'OPTIONS'],
  // Lets a page read what the APIs say in headers: where a created item is, how to authenticate.
  exposedHeaders: ['Location', 'WWW-Authenticate'],
  maxAge: 600,
};

/** True when `origin` is one `--cors` allows. */
export const corsAllows = (origins: readonly string[], origin: string): boolean =>
  origins.includes('*') || origins.some((o) => o.toLowerCase() === origin.toLowerCase());

/**
 * Opt-in CORS (`--cors ORIGIN…`) for browser tools on another origin: Apollo Sandbox, Altair, a
 * team's web app. Mount it before authentication: a preflight carries no credentials, so it is
 * answered here (204, the method and the headers asked for allowed). A request from an origin not
 * in the list gets no Access-Control-Allow-Origin (the browser keeps the answer from the page), and
 * its preflight a 403 that says which flag would allow it. `*` allows any origin.
 */
export function corsFor(origins: readonly string[]): RequestHandler {
  const allowed = cors({ ...OPTIONS, origin: origins.includes('*') ? '*' : true });
  return (req, res, next) => {
    const origin = req.headers.origin;
    if (origin === undefined) return next();
    if (corsAllows(origins, origin)) return allowed(req, res, next);
    res.vary('Origin');
    if (req.method === 'OPTIONS' && req.headers['access-control-request-method'] !== undefined) {
      sendError(
        res,
        403,
        `CORS: the origin ${origin} is not allowed; start the emulator with --cors ${origin} (env CORS_ORIGINS) to let its pages call this API.`,
        { code: 'FORBIDDEN_ORIGIN' },
      );
      return;
    }
    next();
  };
}
