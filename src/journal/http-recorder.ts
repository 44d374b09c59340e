import type { Request, RequestHandler, Response } from 'express';
import type { Clock } from '../kernel/clock.js';
import type { RequestError, RequestJournal, RequestRecord } from './request-journal.js';

/**
 * What an API adapter learns while answering (the tenant, the GraphQL operation, the errors) and
 * hands to the recorder through `res.locals.journal`.
 */
export type JournalNotes = Partial<
  Pick<
    RequestRecord,
    'tenantId' | 'operationName' | 'operationType' | 'query' | 'variables' | 'fields' | 'errors' | 'chatIds'
  >
>;

declare module 'express-serve-static-core' {
  interface Locals {
    journal?: JournalNotes;
    journalRecording?: boolean;
  }
}

/** The notes of this response, created on first use. */
export const journalNotes = (res: Response): JournalNotes => (res.locals.journal ??= {});

/** One answered request as the journal keeps it: what any HTTP adapter saw, plus the adapter's notes. */
export function journalEntry(seen: {
  api: RequestRecord['api'];
  /** When it arrived (the emulator's clock), and performance.now() then. */
  at: number;
  started: number;
  method: string;
  path: string;
  route: string;
  status: number;
  notes: JournalNotes;
  /** The message of a REST error answer (status ≥ 400). */
  errorMessage?: string | undefined;
}): Omit<RequestRecord, 'id'> {
  const { notes, status } = seen;
  const errors: RequestError[] | undefined =
    notes.errors ??
    (status >= 400 && seen.errorMessage !== undefined
      ? [{ code: String(status), message: seen.errorMessage }]
      : undefined);
  return {
    api: seen.api,
    at: seen.at,
    iso: new Date(seen.at).toISOString(),
    method: seen.method,
    path: seen.path,
    route: seen.route,
    status,
    durationMs: Math.round((performance.now() - seen.started) * 100) / 100,
    ...notes,
    ...(errors && errors.length > 0 ? { errors } : {}),
    chatIds: notes.chatIds ?? [],
  };
}

/**
 * Express middleware that records every request of one API in the journal once its answer is
 * sent (or the client went away): method, route, status, duration, plus the adapter's notes.
 */
export function recordRequests(journal: RequestJournal, clock: Clock, api: RequestRecord['api']): RequestHandler {
  return (req: Request, res: Response, next) => {
    // Mounted at two paths (the Gurusup prefixes): one entry per request.
    if (res.locals.journalRecording) return next();
    res.locals.journalRecording = true;
    const at = clock.now();
    const started = performance.now();
    let done = false;
    const finish = () => {
      if (done) return;
      done = true;
      // req.route is the matched route of the sub-router; baseUrl carries the mount point.
      const routePath = (req.route as { path?: string } | undefined)?.path;
      journal.record(
        journalEntry({
          api,
          at,
          started,
          method: req.method,
          path: req.originalUrl.split('?')[0] ?? req.originalUrl,
          route: `${req.method} ${req.baseUrl}${typeof routePath === 'string' ? routePath : req.path === '/' ? '' : req.path}`,
          status: res.statusCode,
          notes: res.locals.journal ?? {},
          errorMessage: typeof res.locals.errorMessage === 'string' ? res.locals.errorMessage : undefined,
        }),
      );
    };
    res.once('finish', finish);
    res.once('close', finish);
    next();
  };
}
