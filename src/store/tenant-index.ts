import { Tenant } from './tenant.js';

/**
 * A tenant whose data is made on its first lookup. Parsing a built-in tenant's seed data (about
 * 0.75 MB of JSON) is most of an in-process start, and many emulators a test file starts never read
 * it: they pay nothing, one that reads pays once. Its id and keys are known beforehand (the fixture's).
 */
export interface DeferredTenant {
  readonly id: string;
  readonly tokens: readonly string[];
  readonly apiKeys: readonly string[];
  make(): Tenant;
}

type Slot = Tenant | DeferredTenant;

const tokensOf = (slot: Slot): readonly string[] => (slot instanceof Tenant ? slot.data.tokens : slot.tokens);
const apiKeysOf = (slot: Slot): readonly string[] =>
  slot instanceof Tenant ? (slot.data.gurusup?.apiKeys ?? []) : slot.apiKeys;

/**
 * The tenants by id (in the order added), API token and Gurusup API key. A lookup that returns a
 * tenant makes a deferred one first (once); counting, checking a key's holder and removing do not.
 */
export class TenantIndex {
  private readonly byId = new Map<string, Slot>();
  private readonly byToken = new Map<string, Slot>();
  private readonly byApiKey = new Map<string, Slot>();

  get size(): number {
    return this.byId.size;
  }

  ids(): string[] {
    return [...this.byId.keys()];
  }

  has(id: string): boolean {
    return this.byId.has(id);
  }

  /** The id of the tenant holding this API token, if any. */
  tokenHolder(token: string): string | undefined {
    return this.byToken.get(token)?.id;
  }

  /** The id of the tenant holding this Gurusup API key, if any. */
  apiKeyHolder(key: string): string | undefined {
    return this.byApiKey.get(key)?.id;
  }

  all(): Tenant[] {
    return [...this.byId.values()].map((slot) => this.made(slot));
  }

  get(id: string): Tenant | undefined {
    const slot = this.byId.get(id);
    return slot && this.made(slot);
  }

  byTokenOf(token: string): Tenant | undefined {
    const slot = this.byToken.get(token);
    return slot && this.made(slot);
  }

  byApiKeyOf(key: string): Tenant | undefined {
    const slot = this.byApiKey.get(key);
    return slot && this.made(slot);
  }

  add(slot: Slot): void {
    this.byId.set(slot.id, slot);
    for (const token of tokensOf(slot)) this.byToken.set(token, slot);
    for (const key of apiKeysOf(slot)) this.byApiKey.set(key, slot);
  }

  /** Removes the tenant with this id (made or not); false when there is none. */
  remove(id: string): boolean {
    const slot = this.byId.get(id);
    if (!slot) return false;
    this.byId.delete(id);
    for (const token of tokensOf(slot)) this.byToken.delete(token);
    for (const key of apiKeysOf(slot)) this.byApiKey.delete(key);
    return true;
  }

  clear(): void {
    this.byId.clear();
    this.byToken.clear();
    this.byApiKey.clear();
  }

  private made(slot: Slot): Tenant {
    if (slot instanceof Tenant) return slot;
    const tenant = slot.make();
    for (const token of slot.tokens) this.byToken.delete(token);
    for (const key of slot.apiKeys) this.byApiKey.delete(key);
    // The same id: set on a key already there keeps the tenant's place in the order.
    this.add(tenant);
    return tenant;
  }
}
