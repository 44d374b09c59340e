import type { ChatStatus } from '../store/model.js';
import { StoreError, type CreateTenantOptions, type Store } from '../store/store.js';
import type { Tenant } from '../store/tenant.js';
import { DomainError } from './errors.js';
import type { EventBus } from './events.js';
import { quote } from './field-limits.js';

/**
 * What a request carries to say which tenant it is about: an Admin API bearer token, a Gurusup
 * x-api-key, or (control API, scenarios) a tenant id, where none means the default tenant.
 */
export type TenantRef = { token: string } | { apiKey: string } | { id: string | undefined };

/** The one tenant resolver of every API; undefined when nothing matches (a credential only ever sees its own tenant). */
export function resolveTenant(store: Store, ref: TenantRef): Tenant | undefined {
  if ('token' in ref) return store.tenantByToken(ref.token);
  if ('apiKey' in ref) return store.tenantByGurusupKey(ref.apiKey);
  return ref.id === undefined ? defaultTenant(store) : store.tenant(ref.id);
}

/** The tenant a control call or a scenario run means when it names none: the first (built-in) one. */
export const defaultTenant = (store: Store): Tenant | undefined => store.tenants()[0];

export interface TenantSummary {
  id: string;
  name: string;
  token: string;
  tokens: string[];
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
  const chatsByStatus: Record<ChatStatus, number> = {
    created: 0,
    assigned: 0,
    open: 0,
    closed: 0,
    rated: 0,
    handover: 0,
    missed: 0,
  };
  for (const [status, count] of tenant.chatClasses.countByStatus()) chatsByStatus[status] += count;
  return {
    id: tenant.id,
    name: tenant.data.name,
    token: tenant.data.tokens[0] ?? '',
    tokens: [...tenant.data.tokens],
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
    const code =
      error.code === 'NOT_FOUND'
        ? 'NOT_FOUND'
        : error.code === 'UNKNOWN_TEMPLATE'
          ? 'INVALID_ARGUMENT'
          : error.code === 'LIMIT_REACHED'
            ? 'LIMIT_REACHED'
            : 'CONFLICT';
    throw new DomainError(code, error.message);
  }
  throw error;
}

/** The tenant with this id (none given: the default tenant), or NOT_FOUND saying what exists. */
export function findTenant(store: Store, id: string | undefined): Tenant {
  const tenant = resolveTenant(store, { id });
  if (tenant) return tenant;
  throw new DomainError(
    'NOT_FOUND',
    id === undefined
      ? 'There is no tenant; create one with POST /_emulator/tenants.'
      : `No tenant ${quote(id, 60)}. GET /_emulator/tenants lists them.`,
  );
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
