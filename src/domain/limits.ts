import type { Tenant } from '../store/tenant.js';
import type { DomainContext } from './context.js';
import { DomainError } from './errors.js';
import { MIB } from '../store/size.js';

/** Refuses one more chat when the tenant holds as many as the emulator keeps (nothing is changed). */
export function assertRoomForChat(
  ctx: DomainContext,
  tenant: Tenant,
  count: number,
  what: 'chats' | 'Gurusup threads' | 'personas',
): void {
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

const mib = (bytes: number): string => (bytes / MIB).toFixed(1);

/**
 * Refuses a change that would take the tenant past its byte budget (--max-tenant-mb) or all
 * tenants and snapshots past theirs (--max-stored-mb), so that no sequence of requests exhausts
 * the heap; otherwise counts the bytes as the tenant's. Call it last, right before the change.
 */
export function reserveBytes(ctx: DomainContext, tenant: Tenant, bytes: number): void {
  if (bytes <= 0) return;
  const allowance = ctx.store.byteAllowance(tenant);
  if (tenant.bytes + bytes > allowance) {
    throw new DomainError(
      'LIMIT_REACHED',
      `Partner ${tenant.id} holds ${mib(tenant.bytes)} MiB of data, and ${bytes} more bytes would pass the most this emulator keeps per tenant (--max-tenant-mb ${ctx.store.limits.tenantBytes / MIB}). Reset it (POST /_emulator/tenants/${tenant.id}/reset), use a fresh tenant (POST /_emulator/tenants), or raise --max-tenant-mb.`,
      { limit: allowance },
    );
  }
  const stored = ctx.store.storedBytes();
  if (stored + bytes > ctx.store.storedAllowance) {
    throw new DomainError(
      'LIMIT_REACHED',
      `The tenants and snapshots hold ${mib(stored)} MiB of data, and ${bytes} more bytes would pass the most this emulator keeps (--max-stored-mb ${ctx.store.limits.storedBytes / MIB}). Delete tenants or snapshots you no longer need, reset (POST /_emulator/reset), or raise --max-stored-mb.`,
      { limit: ctx.store.storedAllowance },
    );
  }
  tenant.bytes += bytes;
}
