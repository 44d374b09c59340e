import { createServer, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { WebhookPayloads } from './payloads.js';
import { signatureMatches } from '../webhooks/signature.js';

/** A webhook event name: GUURU's `X-Guuru-Event` values and Gurusup's `send_message`. */
export type WebhookEvent = keyof WebhookPayloads;

/** One request the sink received. */
export interface ReceivedWebhook<E extends WebhookEvent = WebhookEvent> {
  /** `guuru` (it has `X-Guuru-Event`) or `gurusup` (a `{event, data}` body). */
  source: 'guuru' | 'gurusup';
  event: E;
  /** The parsed JSON body (undefined when it is not JSON). */
  body: WebhookPayloads[E];
  /** The body exactly as received: what the signature covers. */
  rawBody: string;
  headers: IncomingHttpHeaders;
  method: string;
  path: string;
  /** The chat (GUURU) or thread hash (Gurusup) the event is about. */
  chatId?: string;
  idempotencyKey?: string;
  /**
   * GUURU: `X-Guuru-Hmac-Sha256` matches the body under the sink's secret. Gurusup (unsigned):
   * `x-api-key` is the sink's `apiKey` when one is set, else true.
   */
  verified: boolean;
  /** The status the sink answered. */
  status: number;
  /** Arrival time (wall clock, ms). */
  receivedAt: number;
}

/** Any received webhook: narrow on `event` to get its body's type (`if (d.event === 'message-created') d.body.chat.id`). */
export type AnyReceivedWebhook = { [E in WebhookEvent]: ReceivedWebhook<E> }[WebhookEvent];

export interface WaitForOptions<E extends WebhookEvent = WebhookEvent> {
  /** Only this event. */
  event?: E;
  /** Only events of this chat (GUURU) or thread hash (Gurusup). */
  chatId?: string;
  /** How many matching deliveries to wait for. Default 1. */
  count?: number;
  /** Real milliseconds before giving up with an error that lists what did arrive. Default 5000. */
  timeout?: number;
  /** Any other condition. */
  where?: (delivery: E extends WebhookEvent ? ReceivedWebhook<E> : never) => boolean;
}

export interface WebhookSinkOptions {
  /**
   * The secret deliveries are checked with. Default `secr3t` (the built-in tenant's); null checks
   * nothing. A created tenant has its own secret: pass it, or call `useSecret(emulator.secret)` once known.
   */
  secret?: string | null;
  /** Gurusup: the `x-api-key` the deliveries must carry. Default: not checked. */
  apiKey?: string;
  /** Interface to listen on. Default 127.0.0.1. */
  host?: string;
}

/** Chooses the status of a request (the 1-based request number, the delivery), or 'hang' to never answer. */
export type Responder = (n: number, delivery: AnyReceivedWebhook) => number | 'hang';

export interface WebhookSink extends AsyncDisposable {
  /** Where to subscribe: `http://127.0.0.1:<port>/webhooks` (any path is accepted). */
  readonly url: string;
  /** Every request so far, in arrival order. */
  readonly received: AnyReceivedWebhook[];
  /** Resolves with the first `count` deliveries that match, as soon as they have arrived. */
  waitFor<E extends WebhookEvent>(options: WaitForOptions<E> & { event: E }): Promise<ReceivedWebhook<E>[]>;
  waitFor(options?: WaitForOptions): Promise<AnyReceivedWebhook[]>;
  /** Sets the status of the next requests (default: 200, or 400 for a signature that does not match, like GUURU's example receiver). */
  respondWith(responder: Responder): void;
  /** Checks the next deliveries with this secret (a created tenant's own, e.g. `emulator.secret`); null checks nothing. */
  useSecret(secret: string | null): void;
  /** Forgets what was received. */
  clear(): void;
  close(): Promise<void>;
}

function classify(
  headers: IncomingHttpHeaders,
  body: unknown,
): Pick<ReceivedWebhook, 'source' | 'event' | 'chatId' | 'idempotencyKey'> {
  const guuruEvent = headers['x-guuru-event'];
  const json = (body ?? {}) as { id?: unknown; chat?: { id?: unknown }; event?: unknown; data?: { thread?: unknown } };
  if (typeof guuruEvent === 'string') {
    const chatId = headers['x-guuru-chat-id'] ?? json.chat?.id ?? json.id;
    const key = headers['idempotency-key'];
    return {
      source: 'guuru',
      event: guuruEvent as WebhookEvent,
      chatId: typeof chatId === 'string' ? chatId : undefined,
      idempotencyKey: typeof key === 'string' ? key : undefined,
    };
  }
  const thread = json.data?.thread;
  return {
    source: 'gurusup',
    event: String(json.event ?? '') as WebhookEvent,
    chatId: typeof thread === 'string' ? thread : undefined,
  };
}

/**
 * A webhook receiver on a free port that records every delivery and checks each one like GUURU's
 * example receiver (hex HMAC-SHA256 of the raw body, answering 400 on a mismatch):
 *
 * ```ts
 * const sink = await webhookSink();
 * const emulator = await startEmulator({ webhookUrl: sink.url });
 * // ... make a change ...
 * const [opened] = await sink.waitFor({ event: 'chat-opened', chatId });
 * expect(opened.verified).toBe(true);
 * ```
 */
export async function webhookSink(options: WebhookSinkOptions = {}): Promise<WebhookSink> {
  const state: SinkState = {
    secret: options.secret === undefined ? 'secr3t' : options.secret,
    apiKey: options.apiKey,
    received: [],
    respond: () => 200,
    waiters: [],
    hanging: new Set(),
  };
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => receive(state, req, res, Buffer.concat(chunks)));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, options.host ?? '127.0.0.1', resolve);
  });
  const { port, address } = server.address() as AddressInfo;
  const host = address.includes(':') ? `[${address}]` : address;
  const url = `http://${host}:${port}/webhooks`;

  let closed: Promise<void> | undefined;
  const close = () =>
    (closed ??= new Promise<void>((resolve) => {
      for (const destroy of state.hanging) destroy();
      server.close(() => resolve());
      server.closeAllConnections();
    }));

  return {
    url,
    received: state.received,
    waitFor: ((o: WaitForOptions = {}) => waitFor(state, url, o)) as WebhookSink['waitFor'],
    respondWith(responder) {
      state.respond = responder;
    },
    useSecret(next) {
      state.secret = next;
    },
    clear() {
      state.received.length = 0;
    },
    close,
    [Symbol.asyncDispose]: close,
  };
}

/** What a sink holds between requests. */
interface SinkState {
  secret: string | null;
  apiKey: string | undefined;
  received: AnyReceivedWebhook[];
  respond: Responder;
  waiters: (() => void)[];
  hanging: Set<() => void>;
}

/** One delivery: checked (signature or key), recorded, answered with the chosen status, waiters woken. */
function receive(state: SinkState, req: IncomingMessage, res: ServerResponse, raw: Buffer): void {
  const { secret } = state;
  const rawBody = raw.toString('utf8');
  let body: unknown;
  try {
    body = JSON.parse(rawBody);
  } catch {
    body = undefined;
  }
  const kind = classify(req.headers, body);
  const signature = req.headers['x-guuru-hmac-sha256'];
  const verified =
    kind.source === 'guuru'
      ? secret !== null && signatureMatches(secret, raw, typeof signature === 'string' ? signature : undefined)
      : state.apiKey === undefined || req.headers['x-api-key'] === state.apiKey;
  const delivery = {
    ...kind,
    body: body as never,
    rawBody,
    headers: req.headers,
    method: req.method ?? 'POST',
    path: req.url ?? '/',
    verified,
    status: 0,
    receivedAt: Date.now(),
  } as AnyReceivedWebhook;
  state.received.push(delivery);
  // Unchecked (secret null) or verified requests get the chosen status; a bad signature gets the example receiver's 400.
  const accepted = verified || (kind.source === 'guuru' && secret === null);
  const outcome = accepted ? state.respond(state.received.length, delivery) : 400;
  if (outcome === 'hang') {
    const destroy = () => res.destroy();
    state.hanging.add(destroy);
    res.on('close', () => state.hanging.delete(destroy));
  } else {
    delivery.status = outcome;
    const text = accepted
      ? outcome < 300
        ? 'Success!'
        : 'Failure'
      : kind.source === 'guuru'
        ? 'Invalid request, non-matching HMAC-SHA256 received'
        : 'Invalid x-api-key';
    res.writeHead(outcome, { 'content-type': 'text/plain' }).end(text);
  }
  for (const wake of state.waiters) wake();
}

/** Resolves with the first `count` deliveries that match, as soon as they are there; rejects after `timeout` saying what came. */
function waitFor(state: SinkState, url: string, o: WaitForOptions): Promise<AnyReceivedWebhook[]> {
  const count = o.count ?? 1;
  const timeout = o.timeout ?? 5_000;
  const matching = () =>
    state.received.filter(
      (d) =>
        (o.event === undefined || d.event === o.event) &&
        (o.chatId === undefined || d.chatId === o.chatId) &&
        (o.where?.(d) ?? true),
    );
  return new Promise((resolve, reject) => {
    const check = () => {
      const found = matching();
      if (found.length < count) return false;
      resolve(found.slice(0, count));
      return true;
    };
    if (check()) return;
    const wake = () => {
      if (!check()) return;
      clearTimeout(timer);
      state.waiters = state.waiters.filter((w) => w !== wake);
    };
    const timer = setTimeout(() => {
      state.waiters = state.waiters.filter((w) => w !== wake);
      const wanted = [o.event ?? 'any event', o.chatId ? `of chat ${o.chatId}` : ''].filter(Boolean).join(' ');
      const seen = state.received.map(
        (d) => `${d.event}${d.chatId ? `(${d.chatId})` : ''}${d.verified ? '' : ' [signature did not verify]'}`,
      );
      reject(
        new Error(
          `webhookSink: ${matching().length} of ${count} × ${wanted} arrived within ${timeout} ms; received ${seen.length}: ${seen.join(', ') || 'nothing'}. Is ${url} subscribed (webhookUrl, or control.subscribe)?`,
        ),
      );
    }, timeout);
    state.waiters.push(wake);
  });
}
