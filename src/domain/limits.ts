import type { Tenant } from '../store/tenant.js';
import type { DomainContext } from './context.js';
import { DomainError } from './errors.js';

/** Refuses one more chat when the tenant holds as many as the emulator keeps (nothing is changed). */
export function assertRoomForChat(ctx: DomainContext, tenant: Tenant, count: number, what: 'chats' | 'Gurusup threads' | 'personas'): void {
  const allowance = ctx.store.chatAllowance(tenant);
  if (count < allowance) return;
  throw new DomainError(
    'LIMIT_REACHED',
    `Partner ${tenant.id} holds ${count} ${what}, the most this emulator keeps (--max-chats ${ctx.store.limits.chats}). Reset it (POST /_emulator/tenants/${tenant.id}/reset), use a fresh tenant (POST /_emulator/tenants), or raise --max-chats.`,
    { limit: allowance },
  );
}

/** Refuses one more message in a chat or thread that holds as many as the emulator keeps. */
export function assertRoomForMessage(ctx: DomainContext, count: number, where: string): void {
  const limit = ctx.store.limits.messages;
  if (count < limit) return;
  throw new DomainError(
    'LIMIT_REACHED',
    `${where} holds ${count} messages, the most this emulator keeps in one conversation (--max-messages ${limit}). Start another one, or raise --max-messages.`,
    { limit },
  );
}
