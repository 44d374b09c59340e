import type { ChatStatus } from '../store/model.js';
import type { ChatSummary, DeliverySummary } from './summaries.js';

/**
 * What GET /_emulator/events streams (Server-Sent Events). Each SSE message is a JSON array of
 * these, the changes of one short window; an object changed twice in a window is sent once, as it
 * is at the end. `resync` means "changes were skipped: read again what you show".
 */
export type LiveEvent =
  | { type: 'chat'; tenantId: string; event: string; from?: ChatStatus; chat: ChatSummary }
  | { type: 'message'; tenantId: string; chatId: string; messageId: string; author: string }
  | { type: 'delivery'; delivery: DeliverySummary }
  | { type: 'tenants'; event: 'tenant.created' | 'tenant.removed' | 'store.reset'; tenantId?: string }
  | { type: 'data'; tenantId: string; event: 'persona.saved' | 'submission.reviewed' | 'page.updated' }
  | { type: 'gurusup'; tenantId: string; thread: string; messageId: string }
  /** API requests were journaled in this window (read GET /_emulator/requests for them). */
  | { type: 'requests'; count: number; lastId: string; failed: number; chatIds?: string[] }
  | { type: 'resync'; reason: string };
