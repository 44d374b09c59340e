import type { ChatRecord, MessageRecord } from '../store/model.js';

/**
 * What the examiner needs from the webhook adapter, passed in by the composition root
 * (emulator.ts) so that verify/ never imports webhooks/: the same transport, payloads and signer
 * as real deliveries, so what is examined is exactly what the emulator sends.
 */
export interface WebhookWire {
  /** Sends one POST and resolves with the answer or why there was none; never rejects. */
  send(request: {
    url: string;
    headers: Record<string, string>;
    body: Buffer;
    timeoutMs: number;
  }): Promise<{ statusCode?: number; error?: string; response?: string; durationMs: number }>;
  /** The headers and exact body of one GUURU event about a chat (or a message), signed with the tenant's secret. */
  render(
    tenantId: string,
    event: string,
    subject: { chat: ChatRecord } | { message: MessageRecord },
    idempotencyKey: string,
  ): { headers: Record<string, string>; body: string };
  /** GUURU's signature of a body: lower-case hex HMAC-SHA256. */
  sign(secret: string, body: string): string;
  /** The tenant's webhook secret as configured now ('' when it has none). */
  secretOf(tenantId: string): string;
}
