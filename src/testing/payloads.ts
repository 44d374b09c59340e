import type { GurusupWebhookPayload } from '../gurusup/views.js';
import type { ChatWebhookPayload, MessageWebhookPayload } from '../webhooks/payloads.js';

export type { ChatWebhookPayload, MessageWebhookPayload, GurusupWebhookPayload };

/**
 * The body of each webhook event, by its name (GUURU's `X-Guuru-Event`, Gurusup's `event`). The
 * emulator's payload builders return these types, so they are what it sends.
 */
export interface WebhookPayloads {
  'chat-assigned': ChatWebhookPayload & { requestedExperts: NonNullable<ChatWebhookPayload['requestedExperts']> };
  'chat-opened': ChatWebhookPayload;
  'message-created': MessageWebhookPayload;
  'chat-closed': ChatWebhookPayload;
  'chat-reopened': ChatWebhookPayload;
  'chat-transferred': ChatWebhookPayload;
  'chat-rated': ChatWebhookPayload;
  send_message: GurusupWebhookPayload;
}
