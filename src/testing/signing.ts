import { randomUUID } from 'node:crypto';
import { guuruHeaders, signatureMatches } from '../webhooks/signature.js';

export interface SignWebhookOptions {
  /**
   * `X-Guuru-Event`. Default: read from the body as GUURU would have sent it: a message (it has
   * `chat.id`) is `message-created`; a chat's `status` names its event (`assigned` → `chat-assigned`,
   * `open` → `chat-opened`, `closed` → `chat-closed`, `handover` → `chat-transferred`, `rated` →
   * `chat-rated`). Give it for `chat-reopened` (status `open`) or any other body.
   */
  event?: string;
  /** `Idempotency-Key`. Default: a fresh UUID, as every GUURU event has its own. */
  idempotencyKey?: string;
  /** `X-Guuru-Chat-Id` (the older page's header). Default: the body's `chat.id`, else its `id`, when the body is JSON. */
  chatId?: string;
}

/** Header values as Node (`req.headers`), fetch (`Headers`) or a plain object hold them. */
export type HeaderSource = Headers | Record<string, string | string[] | undefined>;

const rawBytes = (body: unknown, fn: string): string | Uint8Array => {
  if (typeof body === 'string' || body instanceof Uint8Array) return body;
  throw new TypeError(
    `${fn} needs the raw body (a string or Buffer of the exact bytes), got ${body === null ? 'null' : typeof body}. ` +
      'Re-serialising parsed JSON changes the bytes; read the body with express.raw({ type: "application/json" }) or collect the request chunks.',
  );
};

const EVENT_OF_STATUS: Record<string, string> = {
  assigned: 'chat-assigned',
  open: 'chat-opened',
  closed: 'chat-closed',
  handover: 'chat-transferred',
  rated: 'chat-rated',
};

/** The chat id and event a GUURU body implies, when it is JSON shaped like one. */
function impliedBy(body: string | Uint8Array): { chatId?: string; event?: string } {
  let json: { id?: unknown; status?: unknown; chat?: { id?: unknown } };
  try {
    json = JSON.parse(typeof body === 'string' ? body : Buffer.from(body).toString('utf8')) as typeof json;
  } catch {
    return {};
  }
  if (typeof json?.chat?.id === 'string') return { chatId: json.chat.id, event: 'message-created' };
  return { chatId: typeof json?.id === 'string' ? json.id : undefined, event: EVENT_OF_STATUS[String(json?.status)] };
}

/**
 * The headers GUURU sends with a webhook whose body is exactly `body`, signed with `secret`
 * (hex HMAC-SHA256 of the raw bytes in `X-Guuru-Hmac-Sha256`). For unit-testing a receiver
 * without any server:
 *
 * ```ts
 * const body = JSON.stringify({ id: 'O2bqy2CsAaS7RBXZrhMOB', status: 'open' });
 * await request(app).post('/webhooks').set(signWebhook(body, 'secr3t', { event: 'chat-opened' })).send(body);
 * ```
 */
export function signWebhook(
  body: string | Uint8Array,
  secret: string,
  options: SignWebhookOptions = {},
): Record<string, string> {
  const bytes = rawBytes(body, 'signWebhook');
  if (typeof secret !== 'string' || secret === '')
    throw new TypeError('signWebhook needs the webhook secret (the seed\'s is "secr3t").');
  const implied = impliedBy(bytes);
  const event = options.event ?? implied.event;
  if (event === undefined)
    throw new TypeError(
      'signWebhook cannot tell the event from this body: pass { event: "chat-opened" } (or another X-Guuru-Event value).',
    );
  return guuruHeaders({
    body: bytes,
    secret,
    event,
    idempotencyKey: options.idempotencyKey ?? randomUUID(),
    chatId: options.chatId ?? implied.chatId,
  });
}

function header(headers: HeaderSource, name: string): string | undefined {
  if (typeof (headers as Headers).get === 'function') return (headers as Headers).get(name) ?? undefined;
  for (const [key, value] of Object.entries(headers)) {
    if (key.toLowerCase() === name) return Array.isArray(value) ? value[0] : value;
  }
  return undefined;
}

/**
 * True when `headers` carry GUURU's signature of exactly `rawBody` under `secret`: what a receiver
 * checks before trusting a webhook. False for a changed body, another secret, or no
 * `X-Guuru-Hmac-Sha256` header (never throws on a malformed one).
 */
export function verifyWebhook(rawBody: string | Uint8Array, headers: HeaderSource, secret: string): boolean {
  return signatureMatches(secret, rawBytes(rawBody, 'verifyWebhook'), header(headers, 'x-guuru-hmac-sha256'));
}
