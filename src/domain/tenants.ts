import type { ChatStatus } from '../store/model.js';
import { StoreError, type CreateTenantOptions, type Store } from '../store/store.js';
import type { Tenant } from '../store/tenant.js';
import { DomainError } from './errors.js';
import type { EventBus } from './events.js';

/** The tenant a bearer token belongs to; a token only ever sees its own tenant. */
export const tenantForToken = (store: Store, token: string): Tenant | undefined => store.tenantByToken(token);

export interface TenantSummary {
  id: string;
  name: string;
  token: string;
  tokens: string[];
  webhookSecret: string;
  /** The Gurusup API key of the tenant's organisation (x-api-key). */
  gurusupApiKey?: string;
  builtIn: boolean;
  seed: number;
  counts: {
    chats: number;
    chatsByStatus: Record<ChatStatus, number>;
    experts: number;
    personas: number;
    submissions: number;
    pages: number;
    gurusupThreads: number;
  };
}

export function summarizeTenant(store: Store, tenant: Tenant): TenantSummary {
  const chatsByStatus: Record<ChatStatus, number> = { created: 0, assigned: 0, open: 0, closed: 0, rated: 0, handover: 0, missed: 0 };
  for (const chat of tenant.data.chats) chatsByStatus[chat.status] += 1;
  return {
    id: tenant.id,
    name: tenant.data.name,
    token: tenant.data.tokens[0] ?? '',
    tokens: [...tenant.data.tokens],
    webhookSecret: tenant.data.webhookSecret,
    ...(tenant.data.gurusup ? { gurusupApiKey: tenant.data.gurusup.apiKeys[0] } : {}),
    builtIn: store.isBuiltIn(tenant.id),
    seed: tenant.data.seed,
    counts: {
      chats: tenant.data.chats.length,
      chatsByStatus,
      experts: tenant.data.experts.filter((e) => e.isMember).length,
      personas: tenant.data.personas.length,
      submissions: tenant.data.submissions.length,
      pages: tenant.data.pages.length,
      gurusupThreads: tenant.data.gurusup?.threads.length ?? 0,
    },
  };
}

function translate(error: unknown): never {
  if (error instanceof StoreError) {
    throw new DomainError(error.code === 'NOT_FOUND' ? 'NOT_FOUND' : error.code === 'UNKNOWN_TEMPLATE' ? 'INVALID_ARGUMENT' : 'CONFLICT', error.message);
  }
  throw error;
}

export function findTenant(store: Store, id: string): Tenant {
  const tenant = store.tenant(id);
  if (!tenant) throw new DomainError('NOT_FOUND', `No tenant "${id}". GET /_emulator/tenants lists them.`);
  return tenant;
}

/** A fresh, isolated, seeded tenant with its own token (for parallel test files). */
export function createTenant(store: Store, events: EventBus, options: CreateTenantOptions): Tenant {
  try {
    const tenant = store.createTenant(options);
    events.emit('tenant.created', { tenantId: tenant.id });
    return tenant;
  } catch (error) {
    return translate(error);
  }
}

export function removeTenant(store: Store, events: EventBus, id: string): void {
  try {
    store.removeTenant(id);
    events.emit('tenant.removed', { tenantId: id });
  } catch (error) {
    translate(error);
  }
}

export function resetAll(store: Store, events: EventBus): void {
  store.reset();
  events.emit('store.reset', {});
}

export function resetTenant(store: Store, events: EventBus, id: string): Tenant {
  try {
    const tenant = store.resetTenant(id);
    events.emit('store.reset', { tenantId: id });
    return tenant;
  } catch (error) {
    return translate(error);
  }
}
