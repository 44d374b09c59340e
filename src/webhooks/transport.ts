import type { Socket } from 'node:net';
import { performance } from 'node:perf_hooks';
import type { Agent, Dispatcher as UndiciDispatcher } from 'undici';
import { Deadlines } from './deadlines.js';

export interface SendRequest {
  url: string;
  headers: Record<string, string>;
  body: Buffer | string;
  timeoutMs: number;
}

export interface SendResult {
  statusCode?: number;
  /** Why no response came back: refused connection, timeout, bad URL... */
  error?: string;
  /** The start of the response body, for the delivery log. */
  response?: string;
  durationMs: number;
}

/** Sends one HTTP POST; never rejects. */
export type Transport = (request: SendRequest) => Promise<SendResult>;

export interface HttpTransportOptions {
  /** Connections per origin. */
  connections: number;
  /** Requests written on one connection before its first answer is back (1: none pipelined). */
  pipelining: number;
}

const RESPONSE_SNIPPET = 512;

/** A parsed target URL: the origin undici pools connections by, and the path of the request. */
interface Target {
  origin: string;
  path: string;
}

/** Parsed targets kept at most (one per subscribed URL in practice; redeliveries may name others). */
const TARGET_CACHE = 1_000;

/**
 * The default transport: undici's Agent (a keep-alive pool per origin, `connections` sockets each
 * with up to `pipelining` requests on the wire), loaded on the first delivery so a start without
 * webhooks does not pay for it. Redirects are not followed (a 3xx is the receiver's answer).
 *
 * Two things keep a delivery cheap (docs/webhooks.md, bench/README.md): the requests started in one
 * turn of the event loop are written with one system call per socket (each socket is corked until
 * the turn's ticks end), and all requests in flight share one timer (`Deadlines`). The timeout is
 * wall-clock time, unlike backoff delays: it bounds a real exchange with a real process, and on a
 * virtual clock any advance would otherwise time out every request that is still on the wire.
 */
export function createHttpTransport(options: HttpTransportOptions): { send: Transport; close(): void } {
  let agent: Agent | undefined;
  let loading: Promise<Agent> | undefined;
  let closed = false;
  const sockets = new TurnCorkedSockets();
  const deadlines = new Deadlines();
  const targets = new Map<string, Target | string>();

  const load = async (): Promise<Agent> => {
    agent = await createAgent(options, (socket) => sockets.track(socket));
    if (closed) void agent.destroy();
    return agent;
  };

  const dispatch = (ready: Agent, request: SendRequest, target: Target, resolve: (r: SendResult) => void) => {
    const handler = new Exchange(resolve, request.timeoutMs, deadlines);
    sockets.corkForThisTurn();
    deadlines.add(handler);
    ready.dispatch(
      {
        origin: target.origin,
        path: target.path,
        method: 'POST',
        headers: request.headers,
        body: request.body,
        // Deliveries carry an Idempotency-Key and are retried anyway: safe to pipeline.
        idempotent: true,
        blocking: false,
      },
      handler,
    );
  };

  const send: Transport = (request) =>
    new Promise((resolve) => {
      const target = targetOf(targets, request.url);
      if (typeof target === 'string') {
        resolve({ error: target, durationMs: 0 });
        return;
      }
      if (closed) {
        resolve({ error: 'the emulator is stopping', durationMs: 0 });
        return;
      }
      if (agent) {
        dispatch(agent, request, target, resolve);
        return;
      }
      loading ??= load();
      void loading.then((ready) => dispatch(ready, request, target, resolve));
    });

  return {
    send,
    close() {
      closed = true;
      deadlines.clear();
      if (agent) void agent.destroy();
    },
  };
}

/** undici's Agent with our sockets seen as they connect (to cork them), and no timers of its own. */
async function createAgent(options: HttpTransportOptions, onSocket: (socket: Socket) => void): Promise<Agent> {
  // undici is CommonJS: bundled (dist/main.js) its exports sit on `default`, through tsx on the namespace.
  const imported = await import('undici');
  const undici =
    typeof imported.buildConnector === 'function'
      ? imported
      : (imported as unknown as { default: typeof imported }).default;
  const connector = undici.buildConnector({});
  return new undici.Agent({
    connections: options.connections,
    pipelining: options.pipelining,
    // Our own deadline bounds the whole exchange; undici's would only add timers.
    headersTimeout: 0,
    bodyTimeout: 0,
    connect: (connectOptions, callback) =>
      connector(connectOptions, (error, socket) => {
        if (socket) onSocket(socket as Socket);
        // The connector's callback overloads (error, null) | (null, socket) in its types.
        (callback as (e: Error | null, s: Socket | null) => void)(error, socket as Socket | null);
      }),
  });
}

/**
 * The open connections, corked while a turn of the event loop starts its requests and uncorked
 * once the turn's ticks are done: one write system call per socket for all of them.
 */
class TurnCorkedSockets {
  private readonly sockets = new Set<Socket>();
  private corked = false;
  private readonly uncork = () => {
    this.corked = false;
    for (const socket of this.sockets) if (socket.writableCorked > 0) socket.uncork();
  };

  track(socket: Socket): void {
    this.sockets.add(socket);
    socket.once('close', () => this.sockets.delete(socket));
  }

  corkForThisTurn(): void {
    if (this.corked) return;
    this.corked = true;
    for (const socket of this.sockets) socket.cork();
    process.nextTick(this.uncork);
  }
}

/** The origin and path of a URL (cached), or why it cannot be a webhook target. */
function targetOf(cache: Map<string, Target | string>, url: string): Target | string {
  const known = cache.get(url);
  if (known !== undefined) return known;
  let target: Target | string;
  try {
    const parsed = new URL(url);
    target =
      parsed.protocol === 'http:' || parsed.protocol === 'https:'
        ? { origin: parsed.origin, path: `${parsed.pathname}${parsed.search}` }
        : `unsupported URL scheme ${parsed.protocol} (use http or https)`;
  } catch {
    target = `invalid URL ${url}`;
  }
  if (cache.size >= TARGET_CACHE) cache.clear();
  cache.set(url, target);
  return target;
}

/**
 * One request's answer as undici hands it over: status, the start of the body, or the error.
 * undici 7's older handler methods (onConnect, onHeaders...): its newer ones wrap each request in
 * an adapter that also parses every response's headers into an object, which a delivery never reads.
 */
class Exchange implements UndiciDispatcher.DispatchHandler {
  private readonly started = performance.now();
  private abort?: (error: Error) => void;
  private statusCode?: number;
  private snippet: Buffer[] = [];
  private snippetBytes = 0;
  private settled = false;
  /** Wall-clock (performance.now()) time after which the exchange counts as timed out. */
  readonly deadline: number;

  constructor(
    private readonly resolve: (result: SendResult) => void,
    readonly timeoutMs: number,
    private readonly deadlines: Deadlines,
  ) {
    this.deadline = this.started + timeoutMs;
  }

  onConnect(abort: (error: Error) => void): void {
    // Timed out while waiting for a connection: throwing here makes undici drop the request unsent
    // (an abort would also close the connection under the other requests on it).
    if (this.settled) throw new Error(`no response within ${this.timeoutMs} ms (timeout)`);
    this.abort = abort;
  }

  onHeaders(statusCode: number): boolean {
    // 1xx answers come first and are not the answer.
    if (statusCode >= 200) this.statusCode = statusCode;
    return true;
  }

  onData(chunk: Buffer): boolean {
    if (this.snippetBytes < RESPONSE_SNIPPET) this.snippet.push(chunk);
    this.snippetBytes += chunk.length;
    return true;
  }

  onComplete(): void {
    if (this.settled) return;
    const result: SendResult = { statusCode: this.statusCode, durationMs: this.elapsed() };
    if (this.snippetBytes > 0) {
      const bytes = this.snippet.length === 1 ? (this.snippet[0] as Buffer) : Buffer.concat(this.snippet);
      result.response = bytes.toString('utf8').slice(0, RESPONSE_SNIPPET);
    }
    this.finish(result);
  }

  onError(error: Error): void {
    if (this.settled) return;
    const code = (error as NodeJS.ErrnoException).code;
    const result: SendResult = {
      error: code ? `${code}: ${error.message}` : error.message,
      durationMs: this.elapsed(),
    };
    if (this.statusCode !== undefined) result.statusCode = this.statusCode;
    this.finish(result);
  }

  /** Called by the deadlines once `timeoutMs` passed without an answer. */
  expire(): void {
    const error = new Error(`no response within ${this.timeoutMs} ms (timeout)`);
    if (this.abort) this.abort(error);
    else this.onError(error);
  }

  private elapsed(): number {
    return Math.round((performance.now() - this.started) * 100) / 100;
  }

  /** The result is built whole, not spread into another object with `durationMs` (a slow path of V8's). */
  private finish(result: SendResult): void {
    this.settled = true;
    this.deadlines.remove(this);
    this.resolve(result);
  }
}
