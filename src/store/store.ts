import { Generators } from '../kernel/generators.js';
import type { Fixtures, TenantFixture } from './fixtures.js';
import type {
  ChatRecord,
  CommunityExpertRecord,
  ExpertRecord,
  GurusupMessageRecord,
  GurusupThreadRecord,
  MessageRecord,
  PageRecord,
  PersonaRecord,
  SubmissionRecord,
  TenantData,
} from './model.js';
import { GENERATOR_REVISION, generateTenant } from './seed.js';
import { SeedCache } from './seed-cache.js';
import { VERSION } from '../kernel/version.js';
import { Tenant } from './tenant.js';
import { TenantIndex } from './tenant-index.js';
import { MIB } from './size.js';

export interface StoreOptions {
  fixtures: Fixtures;
  seed: number;
  /** "Now" of the seed data. */
  seedTime: number;
  /** Extra chats for the first fixture tenant (benchmarks). */
  bulkChats?: number;
  /** Live state loaded from a data file, instead of the seed. */
  initialState?: TenantData[];
  /** Keep generated seed data in node_modules/.cache (default true). */
  seedCache?: boolean;
  /** Tenant ids, tokens and keys, and the tenant counter (default: fresh ones from the seed). */
  generators?: Generators;
  /** What the store keeps at most (default DEFAULT_STORE_LIMITS). */
  limits?: Partial<StoreLimits>;
}

/** Bounds on what the emulator keeps, so a long run or a loop of requests cannot grow it without end. */
export interface StoreLimits {
  /** Tenants, the built-in ones included (--max-tenants). */
  tenants: number;
  /** Chats per tenant, the seed's included, --bulk-chats not; also Gurusup threads and personas per tenant (--max-chats). */
  chats: number;
  /** Messages per chat and per Gurusup thread (--max-messages). */
  messages: number;
  /** Bytes of data per tenant, its seed included (--max-tenant-mb). */
  tenantBytes: number;
  /** Bytes of data of all tenants and snapshots together (--max-stored-mb). */
  storedBytes: number;
}

export const DEFAULT_STORE_LIMITS: StoreLimits = {
  tenants: 100,
  chats: 20_000,
  messages: 10_000,
  tenantBytes: 64 * MIB,
  storedBytes: 256 * MIB,
};

/** What --bulk-chats adds to the byte budgets per chat (a bulk chat takes about 1 KB). */
export const BULK_CHAT_BYTES = 2_048;

export interface CreateTenantOptions {
  id?: string;
  token?: string;
  /** Gurusup API key of the tenant's organisation (default: a fresh one). */
  gurusupKey?: string;
  /** Webhook signing secret (default: a fresh random one from the seeded tenant stream, never the built-in `secr3t`). */
  webhookSecret?: string;
  seed?: number;
  /** Fixture tenant to copy the shape of (default: the first one). */
  template?: string;
}

/**
 * What a change touched, so that persistence keeps just that (its cost is the change's, not the
 * state's). Records are named, not copied: a listener reads their value when it keeps them.
 * `everything` (also a `changed()` without an argument) means any part of any tenant may have changed.
 */
export type StoreChange =
  /** A chat's fields; `messages`: ones added (or changed) with it. */
  | { kind: 'chat'; tenant: Tenant; chat: ChatRecord; messages?: MessageRecord[] }
  /** A Gurusup thread's fields; `messages`: ones added with it. */
  | { kind: 'thread'; tenant: Tenant; thread: GurusupThreadRecord; messages?: GurusupMessageRecord[] }
  /** The Gurusup organisation's settings (not its threads). */
  | { kind: 'org'; tenant: Tenant }
  | { kind: 'persona'; tenant: Tenant; persona: PersonaRecord }
  | { kind: 'page'; tenant: Tenant; page: PageRecord }
  /** A reviewed submission, with the expert and community member an approval changes. */
  | {
      kind: 'submission';
      tenant: Tenant;
      submission: SubmissionRecord;
      expert?: ExpertRecord;
      member?: CommunityExpertRecord;
    }
  /** A tenant added or replaced whole (created, reset, restored). */
  | { kind: 'tenant'; tenant: Tenant }
  | { kind: 'removed'; tenantId: string }
  | { kind: 'everything' };

/** What `capture()` returns: deep copies of tenants' data and where each came from. Opaque to callers. */
export interface StoreSnapshot {
  /** Set when only this tenant was captured. */
  readonly tenantId?: string;
  readonly tenants: readonly { id: string; chats: number; json: string }[];
  readonly origins: readonly (readonly [string, TenantOrigin])[];
}

interface TenantOrigin {
  fixture: TenantFixture;
  seed: number;
  builtIn: boolean;
}

export class StoreError extends Error {
  constructor(
    readonly code: 'TENANT_EXISTS' | 'TOKEN_IN_USE' | 'UNKNOWN_TEMPLATE' | 'NOT_FOUND' | 'LIMIT_REACHED',
    message: string,
  ) {
    super(message);
  }
}

function parseOrUndefined(text: string): TenantData | undefined {
  try {
    return JSON.parse(text) as TenantData;
  } catch {
    return undefined;
  }
}

/** A tenant's Gurusup organisation shaped like the template's (or a plain empty one), with its own keys. */
const gurusupFixture = (template: TenantFixture, apiKeys: string[]): NonNullable<TenantFixture['gurusup']> => ({
  language: 'en',
  autoReply: true,
  threads: 0,
  languages: { en: 1 },
  ...template.gurusup,
  apiKeys,
});

const mib = (bytes: number): number => Math.round((bytes / MIB) * 10) / 10;

/** Pure output of the generator, cached by its inputs so that test files start fast. */
const seedCache = new Map<string, string>();
/** Entries kept (about 0.7 MB each): enough for the built-in tenants and a test file's created ones. */
const SEED_CACHE_ENTRIES = 16;

/** Keeps `text` as the most recently used entry, dropping the least recently used beyond the bound. */
function remember(key: string, text: string): void {
  seedCache.delete(key);
  seedCache.set(key, text);
  while (seedCache.size > SEED_CACHE_ENTRIES) seedCache.delete(seedCache.keys().next().value as string);
}

/**
 * Every tenant's live data, with the seed it came from kept beside it: reset is one call.
 * The store knows nothing about persistence; it announces changes and adapters listen.
 */
export class Store {
  private readonly index = new TenantIndex();
  private readonly origins = new Map<string, TenantOrigin>();
  private readonly listeners = new Set<(change: StoreChange) => void>();
  private readonly retained = new Map<string, number>();
  private readonly generators: Generators;
  readonly limits: StoreLimits;
  private readonly diskCache: SeedCache;

  constructor(private readonly options: StoreOptions) {
    this.generators = options.generators ?? new Generators(options.seed);
    this.limits = { ...DEFAULT_STORE_LIMITS, ...options.limits };
    this.diskCache = new SeedCache(options.seedCache ?? true);
    this.restoreBuiltInOrigins();
    if (options.initialState) {
      for (const data of options.initialState) {
        this.origins.set(data.id, this.origins.get(data.id) ?? this.originOf(data));
        this.index.add(new Tenant(data));
      }
    } else {
      this.loadSeed();
    }
  }

  get seed(): number {
    return this.options.seed;
  }

  get seedTime(): number {
    return this.options.seedTime;
  }

  tenants(): Tenant[] {
    return this.index.all();
  }

  tenant(id: string): Tenant | undefined {
    return this.index.get(id);
  }

  tenantByToken(token: string): Tenant | undefined {
    return this.index.byTokenOf(token);
  }

  tenantByGurusupKey(key: string): Tenant | undefined {
    return this.index.byApiKeyOf(key);
  }

  /** The most chats (and Gurusup threads, personas) a tenant may hold: the limit, plus its --bulk-chats. */
  chatAllowance(tenant: Tenant): number {
    return this.limits.chats + (tenant.id === this.options.fixtures.tenants[0]?.id ? (this.options.bulkChats ?? 0) : 0);
  }

  /** The most bytes a tenant may hold: the limit, plus room for its --bulk-chats. */
  byteAllowance(tenant: Tenant): number {
    return this.limits.tenantBytes + (tenant.id === this.options.fixtures.tenants[0]?.id ? this.bulkBytes() : 0);
  }

  /** The most bytes all tenants and snapshots may hold together. */
  get storedAllowance(): number {
    return this.limits.storedBytes + this.bulkBytes();
  }

  /** Bytes held now: every tenant's data plus what others keep beside it (snapshots). */
  storedBytes(): number {
    let total = 0;
    for (const tenant of this.index.all()) total += tenant.bytes;
    for (const bytes of this.retained.values()) total += bytes;
    return total;
  }

  /** Copies of data kept outside the store (snapshots) count toward --max-stored-mb: their holder reports them here. */
  setRetained(holder: string, bytes: number): void {
    this.retained.set(holder, bytes);
  }

  private bulkBytes(): number {
    return (this.options.bulkChats ?? 0) * BULK_CHAT_BYTES;
  }

  isBuiltIn(id: string): boolean {
    return this.origins.get(id)?.builtIn ?? false;
  }

  /** A fresh tenant generated from a fixture's shape with its own id, token and seed. */
  createTenant(options: CreateTenantOptions = {}): Tenant {
    const template = options.template
      ? this.options.fixtures.tenants.find((t) => t.id === options.template)
      : this.options.fixtures.tenants[0];
    if (!template) throw new StoreError('UNKNOWN_TEMPLATE', `no fixture tenant "${options.template}" to copy`);
    if (this.index.size >= this.limits.tenants) {
      throw new StoreError(
        'LIMIT_REACHED',
        `There are ${this.index.size} tenants, the most this emulator keeps (--max-tenants ${this.limits.tenants}). Delete ones you no longer need (DELETE /_emulator/tenants/:id), reset (POST /_emulator/reset), or raise --max-tenants.`,
      );
    }
    if (options.id !== undefined && this.index.has(options.id))
      throw new StoreError('TENANT_EXISTS', `a tenant with id "${options.id}" already exists`);
    if (options.token !== undefined && this.index.tokenHolder(options.token) !== undefined)
      throw new StoreError('TOKEN_IN_USE', 'that token already belongs to another tenant');
    if (options.gurusupKey !== undefined && this.index.apiKeyHolder(options.gurusupKey) !== undefined) {
      throw new StoreError('TOKEN_IN_USE', 'that Gurusup API key already belongs to another tenant');
    }
    const number = this.generators.nextTenantNumber();
    const ids = this.generators.tenants;
    // Generated values are drawn again on the (unlikely) clash with a stored one: never reused.
    const fresh = (draw: () => string, taken: (value: string) => boolean) => {
      let value = draw();
      while (taken(value)) value = draw();
      return value;
    };
    const index = this.index;
    const id =
      options.id ??
      fresh(
        () => `tenant-${number}-${ids.slug(6)}`,
        (v) => index.has(v),
      );
    const token =
      options.token ??
      fresh(
        () => `tok_${ids.token(24)}`,
        (v) => index.tokenHolder(v) !== undefined,
      );
    const gurusupKey =
      options.gurusupKey ??
      fresh(
        () => `gs_${ids.token(32)}`,
        (v) => index.apiKeyHolder(v) !== undefined,
      );
    // Drawn last, so the ids and keys of created tenants are what they were before secrets were per tenant.
    const webhookSecret = options.webhookSecret ?? `whsec_${ids.token(32)}`;
    const gurusup = gurusupFixture(template, [gurusupKey]);
    const fixture: TenantFixture = {
      ...template,
      id,
      name: `${template.name} (${id})`,
      tokens: [token],
      webhookSecret,
      gurusup,
    };
    const origin = { fixture, seed: options.seed ?? this.options.seed + number * 7919, builtIn: false };
    const tenant = new Tenant(this.generate(origin));
    if (this.storedBytes() + tenant.bytes > this.storedAllowance) {
      throw new StoreError(
        'LIMIT_REACHED',
        `The tenants and snapshots hold ${mib(this.storedBytes())} MiB, and a new tenant (${mib(tenant.bytes)} MiB) would pass the most this emulator keeps (--max-stored-mb ${mib(this.limits.storedBytes)}). Delete tenants or snapshots you no longer need, reset (POST /_emulator/reset), or raise --max-stored-mb.`,
      );
    }
    this.origins.set(id, origin);
    this.index.add(tenant);
    this.changed({ kind: 'tenant', tenant });
    return tenant;
  }

  removeTenant(id: string): void {
    if (!this.index.remove(id)) throw new StoreError('NOT_FOUND', `no tenant "${id}"`);
    // A built-in tenant's origin stays: reset brings it back.
    if (!this.isBuiltIn(id)) this.origins.delete(id);
    this.changed({ kind: 'removed', tenantId: id });
  }

  /** Back to the state at start: built-in tenants regenerated from the seed, created ones removed. */
  reset(): void {
    this.index.clear();
    this.origins.clear();
    // Every built-in tenant comes back, even one deleted or whose id a created tenant took since.
    this.restoreBuiltInOrigins();
    this.loadSeed();
    this.changed({ kind: 'everything' });
  }

  /** One tenant back to its own seed data (same id and token). */
  resetTenant(id: string): Tenant {
    const origin = this.origins.get(id);
    if (!origin || !this.index.remove(id)) throw new StoreError('NOT_FOUND', `no tenant "${id}"`);
    const tenant = new Tenant(this.generate(origin));
    this.index.add(tenant);
    this.changed({ kind: 'tenant', tenant });
    return tenant;
  }

  /** A deep copy of every tenant (or one), with where each came from: what a restore puts back. */
  capture(tenantId?: string): StoreSnapshot {
    const tenants =
      tenantId === undefined ? this.tenants() : [this.index.get(tenantId)].filter((t): t is Tenant => t !== undefined);
    if (tenantId !== undefined && tenants.length === 0) throw new StoreError('NOT_FOUND', `no tenant "${tenantId}"`);
    return {
      ...(tenantId !== undefined ? { tenantId } : {}),
      // Kept as JSON text: parsing it back is faster than a structured clone, and the text is compact.
      tenants: tenants.map((t) => ({ id: t.id, chats: t.data.chats.length, json: JSON.stringify(t.data) })),
      origins: tenants.flatMap((t) => {
        const origin = this.origins.get(t.id);
        return origin ? [[t.id, origin] as const] : [];
      }),
    };
  }

  /**
   * Puts a capture back (a copy of it: it can be restored again). A whole capture replaces every
   * tenant, so tenants made since are gone (their ids are returned); a one-tenant capture replaces
   * that tenant, or brings it back if it was removed, unless its token or key now belongs to another.
   */
  restore(snapshot: StoreSnapshot): { removed: string[] } {
    const incoming = snapshot.tenants.map((t) => new Tenant(JSON.parse(t.json) as TenantData));
    let removed: string[] = [];
    if (snapshot.tenantId === undefined) {
      removed = this.index.ids().filter((id) => !incoming.some((t) => t.id === id));
      this.index.clear();
      for (const [id, origin] of this.origins) if (!origin.builtIn) this.origins.delete(id);
    } else {
      const [tenant] = incoming;
      if (!tenant) throw new StoreError('NOT_FOUND', 'the capture holds no tenant');
      for (const token of tenant.data.tokens) {
        const other = this.index.tokenHolder(token);
        if (other !== undefined && other !== tenant.id)
          throw new StoreError('TOKEN_IN_USE', `its token now belongs to tenant "${other}"`);
      }
      for (const key of tenant.data.gurusup?.apiKeys ?? []) {
        const other = this.index.apiKeyHolder(key);
        if (other !== undefined && other !== tenant.id)
          throw new StoreError('TOKEN_IN_USE', `its Gurusup API key now belongs to tenant "${other}"`);
      }
      this.index.remove(tenant.id);
    }
    for (const [id, origin] of snapshot.origins) this.origins.set(id, origin);
    for (const tenant of incoming) this.index.add(tenant);
    const [one] = incoming;
    this.changed(snapshot.tenantId !== undefined && one ? { kind: 'tenant', tenant: one } : { kind: 'everything' });
    return { removed };
  }

  /** A deep copy of every tenant's data (what persistence writes). */
  snapshot(): TenantData[] {
    return this.tenants().map((t) => structuredClone(t.data));
  }

  onChange(listener: (change: StoreChange) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Domain code calls this after every state change, naming what it changed (nothing named: anything may have). */
  changed(change: StoreChange = { kind: 'everything' }): void {
    for (const listener of this.listeners) listener(change);
  }

  /**
   * The built-in tenants from their seed. Each is made on its first lookup (see DeferredTenant), but
   * one with --bulk-chats at once: generating those takes seconds, which a first request must not wait.
   */
  private loadSeed(): void {
    for (const fixture of this.options.fixtures.tenants) {
      const origin = this.origins.get(fixture.id);
      if (!origin) continue;
      const withBulk = fixture === this.options.fixtures.tenants[0] && (this.options.bulkChats ?? 0) > 0;
      if (withBulk) {
        this.index.add(new Tenant(this.generate(origin, true)));
        continue;
      }
      this.index.add({
        id: fixture.id,
        tokens: fixture.tokens,
        apiKeys: fixture.gurusup?.apiKeys ?? [],
        make: () => new Tenant(this.generate(origin)),
      });
    }
  }

  private generate(origin: TenantOrigin, withBulk = false): TenantData {
    const bulkChats = withBulk ? (this.options.bulkChats ?? 0) : 0;
    const input = {
      fixture: origin.fixture,
      content: this.options.fixtures.content,
      seed: origin.seed,
      seedTime: this.options.seedTime,
      bulkChats,
    };
    // Large benchmark data sets are not cached: copying them costs more than it saves.
    if (bulkChats > 0) return generateTenant(input);
    const key = this.diskCache.key([VERSION, GENERATOR_REVISION, input]);
    const cached = seedCache.get(key) ?? this.diskCache.read(key);
    const parsed = cached === undefined ? undefined : parseOrUndefined(cached);
    if (cached && parsed) {
      remember(key, cached);
      return parsed;
    }
    const data = generateTenant(input);
    const text = JSON.stringify(data);
    remember(key, text);
    this.diskCache.write(key, text);
    return data;
  }

  private restoreBuiltInOrigins(): void {
    for (const fixture of this.options.fixtures.tenants) {
      this.origins.set(fixture.id, { fixture, seed: this.builtInSeed(fixture), builtIn: true });
    }
  }

  private builtInSeed(fixture: TenantFixture): number {
    const index = this.options.fixtures.tenants.indexOf(fixture);
    return this.options.seed + index * 104_729;
  }

  private originOf(data: TenantData): TenantOrigin {
    const template = this.options.fixtures.tenants[0];
    if (!template) throw new Error('fixtures define no tenant');
    const gurusup = data.gurusup ? gurusupFixture(template, data.gurusup.apiKeys) : undefined;
    return {
      fixture: {
        ...template,
        id: data.id,
        name: data.name,
        tokens: data.tokens,
        webhookSecret: data.webhookSecret,
        gurusup,
      },
      seed: data.seed,
      builtIn: false,
    };
  }
}
