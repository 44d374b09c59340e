import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * GUURU's webhook signature: lower-case hex HMAC-SHA256 of the exact body bytes, keyed with the
 * partner's secret. Nothing else is signed (no timestamp, no URL), and the header carries the bare
 * 64-character hex string: the vendor's receiver compares it with `timingSafeEqual`, which throws
 * on any other length.
 */
export const signBody = (secret: string, body: string | Uint8Array): string =>
  createHmac('sha256', secret).update(body).digest('hex');

/** The check of the vendor's Node.js receiver, made safe: a missing or wrong-length header is a mismatch, never a throw. */
export function signatureMatches(secret: string, body: string | Uint8Array, header: string | undefined): boolean {
  if (header === undefined) return false;
  const digest = Buffer.from(signBody(secret, body), 'utf8');
  const given = Buffer.from(header, 'utf8');
  return given.length === digest.length && timingSafeEqual(digest, given);
}

export interface GuuruDelivery {
  body: string | Uint8Array;
  /** '' sends the delivery unsigned (a partner without a secret). */
  secret: string;
  /** The `X-Guuru-Event` value. */
  event: string;
  idempotencyKey: string;
  chatId?: string;
}

/** The headers of one GUURU webhook request (guuru-webhooks.md §8), in the order GUURU documents them. */
export function guuruHeaders(d: GuuruDelivery): Record<string, string> {
  const headers: Record<string, string> = {
    'Content-Type': 'application/json',
    'X-Guuru-Event': d.event,
    'Idempotency-Key': d.idempotencyKey,
  };
  if (d.secret !== '') headers['X-Guuru-Hmac-Sha256'] = signBody(d.secret, d.body);
  // The older webhook page's header; harmless for receivers written from the current one.
  if (d.chatId !== undefined) headers['X-Guuru-Chat-Id'] = d.chatId;
  return headers;
}
