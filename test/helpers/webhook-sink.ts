import { createHmac, timingSafeEqual } from 'node:crypto';
import {
  webhookSink as publicSink,
  type AnyReceivedWebhook,
  type WaitForOptions,
  type WebhookSink as PublicSink,
  type WebhookSinkOptions,
} from '../../src/testing/index.js';

// The repo's tests receive webhooks with the public test helper (guuru-emulator/testing), with
// bodies typed loosely: the tests read fields without narrowing on the event first.
export type ReceivedWebhook = Omit<AnyReceivedWebhook, 'body'> & { body: any };
export interface WebhookSink extends Omit<PublicSink, 'received' | 'waitFor'> {
  received: ReceivedWebhook[];
  /** `waitFor(3)` is `waitFor({ count: 3 })`. */
  waitFor(options?: WaitForOptions | number, timeoutMs?: number): Promise<ReceivedWebhook[]>;
}

export async function webhookSink(options?: WebhookSinkOptions): Promise<WebhookSink> {
  const sink = await publicSink(options);
  const waitFor = sink.waitFor.bind(sink) as (o?: WaitForOptions) => Promise<ReceivedWebhook[]>;
  return Object.assign(sink, {
    waitFor: (o?: WaitForOptions | number, timeout?: number) =>
      waitFor(typeof o === 'number' ? { count: o, timeout } : o),
  }) as unknown as WebhookSink;
}

/** The older name: a sink checking `secret` (null: none). */
export const startWebhookSink = (secret: string | null = 'secr3t') => webhookSink({ secret });

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
