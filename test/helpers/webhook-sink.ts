import { createHmac, timingSafeEqual } from 'node:crypto';
import { webhookSink as publicSink, type AnyReceivedWebhook, type WaitForOptions, type WebhookSink as PublicSink, type WebhookSinkOptions } from '../../src/testing/index.js';

// The repo's tests receive webhooks with the public test helper (guuru-emulator/testing), with
// bodies typed loosely: the tests read fields without narrowing on the event first.
export type ReceivedWebhook = Omit<AnyReceivedWebhook, 'body'> & { body: any };
export interface WebhookSink extends Omit<PublicSink, 'received' | 'waitFor'> {
  received: ReceivedWebhook[];
  waitFor(options?: WaitForOptions): Promise<ReceivedWebhook[]>;
}
export const webhookSink = publicSink as (options?: WebhookSinkOptions) => Promise<WebhookSink>;

/**
 * The vendor's Node.js check, written from its example receiver: hex HMAC-SHA256 of the raw body,
 * compared with timingSafeEqual. Kept apart from the emulator's own signer on purpose: the
 * integrator checks deliveries with the vendor's code, not with ours.
 */
export function verifyGuuruSignature(rawBody: string, header: string | string[] | undefined, secret: string): boolean {
  if (typeof header !== 'string') return false;
  const digest = Buffer.from(createHmac('sha256', secret).update(Buffer.from(rawBody, 'utf8')).digest('hex'), 'utf8');
  const checksum = Buffer.from(header, 'utf8');
  return checksum.length === digest.length && timingSafeEqual(digest, checksum);
}
