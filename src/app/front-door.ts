import { isUtf8 } from 'node:buffer';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { Readable } from 'node:stream';
import etag from 'etag';
import express from 'express';
import type { FastLane } from '../graphql/fast-lane.js';
import type { DomainContext } from '../domain/context.js';
import { documentNotes } from '../journal/graphql-notes.js';
import { gurusupTenant, threadsJson } from '../gurusup/router.js';
import { journalEntry } from '../journal/http-recorder.js';
import type { RequestJournal } from '../journal/request-journal.js';
import type { Clock } from '../kernel/clock.js';

/** The parsed body of a request the front door read and handed on (Express's json parser sees it as read). */
type ReadRequest = IncomingMessage & { body?: unknown };

export interface FrontDoorOptions {
  /** The fast lane, once the GraphQL handler is made (its module loads on the first /graphql request). */
  lane: () => FastLane | undefined;
  /** Makes the GraphQL handler (and so the lane) if it is not made yet. */
  makeLane: () => Promise<void>;
  domain: DomainContext;
  journal: RequestJournal;
  clock: Clock;
  /** The body limit of the JSON APIs, as `--body-limit` gives it ("1mb"). */
  bodyLimit: string;
  /** True while a verification holds Admin API calls back: then every call takes the usual way. */
  holding: () => boolean;
}

/** `Content-Type` values the front door reads; any other goes to Express's parser as it is. */
const PLAIN_JSON = /^application\/json(?:\s*;\s*charset=utf-8)?$/i;
/** The two media types whose header Express leaves as Apollo chose it (it rewrites parameters of others). */
const PLAIN_TYPES = new Set(['application/json; charset=utf-8', 'application/graphql-response+json; charset=utf-8']);

/**
 * Answers the two hottest reads without Express: `GET /gurusup/threads`, and `POST /graphql` for
 * the queries the fast lane has compiled. For GraphQL, the request is read and parsed here, answered with exactly the headers and body Express
 * and Apollo would send, and journaled as the recorder would. Everything else goes to the Express
 * app untouched; a request whose body was already read goes on with it parsed (Express's parser
 * sees a finished body and leaves it), or, for a body only Express's parser can judge (a BOM,
 * invalid UTF-8, not JSON), with that parser's own verdict on the same bytes.
 */
export function createFrontDoor(
  options: FrontDoorOptions,
  app: (req: IncomingMessage, res: ServerResponse) => void,
): (req: IncomingMessage, res: ServerResponse) => void {
  const limit = byteLimit(options.bodyLimit);
  const parser = express.json({ limit: options.bodyLimit });
  return (req, res) => {
    if (req.method === 'GET' && THREADS.has(req.url ?? '')) return threads(req, res, options, app);
    if (!readable(req, limit)) return app(req, res);
    const at = options.clock.now();
    const started = performance.now();
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const bytes = chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks);
      const body = parsed(bytes);
      if (body === undefined) return replay(req, res, bytes, parser, app);
      (req as ReadRequest).body = body;
      if (options.lane() || options.holding()) return answer(req, res, body, { at, started }, options, app);
      // The first /graphql request makes the handler here: a plain query need not go through Express.
      options.makeLane().then(
        () => answer(req, res, body, { at, started }, options, app),
        () => app(req, res),
      );
    });
  };
}

/** The lane's answer to a parsed POST /graphql, written and journaled here; else the request goes on to the app. */
function answer(
  req: IncomingMessage,
  res: ServerResponse,
  body: unknown,
  timing: { at: number; started: number },
  options: FrontDoorOptions,
  app: (req: IncomingMessage, res: ServerResponse) => void,
): void {
  const answered = options.holding()
    ? undefined
    : options.lane()?.run(body, req.headers.authorization, req.headers.accept);
  if (!answered || !PLAIN_TYPES.has(answered.contentType)) return app(req, res);
  // What Apollo's Express integration sets, in its order: cache-control, then res.send's headers.
  const sent = Buffer.from(answered.body, 'utf8');
  res.statusCode = 200;
  res.setHeader('cache-control', 'no-store');
  res.setHeader('Content-Type', answered.contentType);
  res.setHeader('Content-Length', String(sent.length));
  res.setHeader('ETag', etag(sent, { weak: true }));
  res.end(sent);
  const notes = { ...documentNotes(body as Record<string, unknown>), ...answered.notes };
  const route = { method: 'POST', path: '/graphql', route: 'POST /graphql', status: 200 };
  options.journal.record(journalEntry({ api: 'graphql', ...timing, ...route, notes }));
}

/** The two paths of the Gurusup API's GET /threads (the auth page's and the get-started page's), without a query. */
const THREADS = new Set(['/gurusup/threads', '/gurusup/api/v1/threads']);

/**
 * GET /gurusup/threads with a known x-api-key, answered as Express's res.json answers it; a refusal,
 * a conditional request (Express may answer 304) or a HEAD goes to the app.
 */
function threads(
  req: IncomingMessage,
  res: ServerResponse,
  options: FrontDoorOptions,
  app: (req: IncomingMessage, res: ServerResponse) => void,
): void {
  const { headers } = req;
  const key = headers['x-api-key'];
  const tenant = typeof key === 'string' ? gurusupTenant(options.domain, key) : undefined;
  if (!tenant || headers['if-none-match'] !== undefined || headers['if-modified-since'] !== undefined)
    return app(req, res);
  const at = options.clock.now();
  const started = performance.now();
  const body = Buffer.from(JSON.stringify(threadsJson(tenant)), 'utf8');
  res.statusCode = 200;
  res.setHeader('Content-Type', 'application/json; charset=utf-8');
  res.setHeader('Content-Length', String(body.length));
  res.setHeader('ETag', etag(body, { weak: true }));
  res.end(body);
  const path = req.url as string;
  const route = { method: 'GET', path, route: `GET ${path}`, status: 200 };
  options.journal.record(journalEntry({ api: 'gurusup', at, started, ...route, notes: { tenantId: tenant.id } }));
}

/** A POST /graphql with a plain JSON body of a declared length within the limit. */
function readable(req: IncomingMessage, limit: number): boolean {
  if (req.method !== 'POST' || req.url !== '/graphql') return false;
  const { headers } = req;
  const length = headers['content-length'];
  if (length === undefined || headers['transfer-encoding'] !== undefined) return false;
  if (headers['content-encoding'] !== undefined && headers['content-encoding'].toLowerCase() !== 'identity')
    return false;
  if (!PLAIN_JSON.test(headers['content-type'] ?? '')) return false;
  const size = Number(length);
  return /^\d+$/.test(length) && size > 0 && size <= limit;
}

/** The body as Express's JSON parser (strict mode) would parse it, or undefined when only the parser can tell. */
function parsed(bytes: Buffer): unknown {
  if (bytes[0] !== 0x7b || !isUtf8(bytes)) return undefined; // '{' first: no BOM, no whitespace, no batch
  try {
    return JSON.parse(bytes.toString('utf8')) as unknown;
  } catch {
    return undefined;
  }
}

/** Express's JSON parser on the same bytes and headers; its result or error goes on into the app. */
function replay(
  req: IncomingMessage,
  res: ServerResponse,
  bytes: Buffer,
  parser: ReturnType<typeof express.json>,
  app: (req: IncomingMessage, res: ServerResponse) => void,
): void {
  const copy = Object.assign(Readable.from([bytes]), { headers: req.headers, method: req.method, url: req.url });
  parser(copy as never, res as never, (error?: unknown) => {
    if (error) (req as IncomingMessage & { bodyError?: unknown }).bodyError = error;
    else (req as ReadRequest).body = (copy as { body?: unknown }).body;
    app(req, res);
  });
}

/** "1mb", "512kb", "100b" → bytes, as Express's parser reads them. */
function byteLimit(size: string): number {
  const match = /^(\d+)(b|kb|mb)$/i.exec(size);
  const unit = { b: 1, kb: 1024, mb: 1024 * 1024 }[(match?.[2] ?? 'b').toLowerCase() as 'b' | 'kb' | 'mb'];
  return Number(match?.[1] ?? 0) * unit;
}
