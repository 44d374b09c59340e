import { createHmac } from 'node:crypto';

/**
 * GUURU's webhook signature: lower-case hex HMAC-SHA256 of the exact body bytes, keyed with the
 * partner's secret. Nothing else is signed (no timestamp, no URL), and the header carries the bare
 * 64-character hex string: the vendor's receiver compares it with `timingSafeEqual`, which throws
 * on any other length.
 */
export const signBody = (secret: string, body: string | Buffer): string => createHmac('sha256', secret).update(body).digest('hex');
