import { z } from 'zod';
import { LOG_FORMATS, LOG_LEVELS, type LogFormat, type LogLevel } from './logger.js';

/**
 * The plain settings of an emulator (what flags, environment variables and a config file can set).
 * createEmulator() also takes the side effects (clock, logger, transport): see EmulatorOptions.
 * Every one has a production default.
 */
export interface ConfigOptions {
  /** TCP port for start(); 0 picks a free one. Default 4000 (env PORT). */
  port?: number;
  /** Interface to listen on. Default 127.0.0.1 (env HOST; the Docker image sets 0.0.0.0). */
  host?: string;
  /** Random seed of the built-in data. Default 1. */
  seed?: number;
  /** "Now" of the seed data (ms or ISO date). Default: midnight UTC of the clock's current day. */
  seedTime?: number | string;
  /** Folder with tenants.json and content.json. Default: the package's fixtures/. */
  fixtures?: string;
  /** JSON file that keeps state across restarts. Default: none (in memory). */
  data?: string;
  /** Largest accepted request body. Default 1mb. */
  bodyLimit?: string;
  /** Extra light-weight chats in the first tenant, for benchmarks. Default 0. */
  bulkChats?: number;
  /** Keep generated seed data in node_modules/.cache/guuru-emulator. Default true (env GUURU_EMULATOR_SEED_CACHE=0 turns it off). */
  seedCache?: boolean;
  /** Subscribe every GUURU webhook event of every tenant to this URL (env WEBHOOK_URL). Default: none. */
  webhookUrl?: string;
  /** Delivery attempts per webhook event, the first included. Default 5 (env WEBHOOK_ATTEMPTS). */
  webhookAttempts?: number;
  /** Delay before the first retry; doubles each retry, with jitter. Default 1000 ms (env WEBHOOK_BACKOFF_MS). */
  webhookBackoffMs?: number;
  /** Longest wait for a receiver's response. Default 10000 ms (env WEBHOOK_TIMEOUT_MS). */
  webhookTimeoutMs?: number;
  /** Concurrent requests per receiver URL (each chat's events stay in order). Default 8: 16 took CPU from the API (query p50 ×2.9 while draining), 4 delivered too few (bench). */
  webhookConcurrency?: number;
  /** Finished deliveries kept in the delivery log. Default 1000 (env DELIVERY_LOG_SIZE). */
  deliveryLogSize?: number;
  /** API requests (GraphQL and Gurusup) kept in the request journal, GET /_emulator/requests. Default 1000 (env REQUEST_LOG_SIZE). */
  requestLogSize?: number;
  /** Log entries as readable lines (`pretty`, coloured on a terminal) or JSON lines (`json`). Default pretty (env LOG_FORMAT). */
  logFormat?: LogFormat;
  /** Least severe entries logged: debug, info, warn, error or silent. Default info (env LOG_LEVEL). */
  logLevel?: LogLevel;
  /** The Gurusup send-message webhook of every organisation goes to this URL (env GURUSUP_WEBHOOK_URL). Default: none. */
  gurusupWebhookUrl?: string;
  /** Extra folders of scenario files, after the built-in ones (env SCENARIOS_DIR). */
  scenarios?: string[];
  /**
   * Token the control API and dashboard require (`Authorization: Bearer`, `X-Admin-Token`) (env
   * ADMIN_TOKEN). Default: none on a loopback host; bound to any other interface (0.0.0.0 in Docker)
   * the emulator makes one at start (see `emulator.adminToken`).
   */
  adminToken?: string;
  /** More names the control API accepts in `Host` besides loopback and the bound host (env ALLOWED_HOSTS, comma-separated). */
  allowedHosts?: string[];
  /**
   * Origins whose web pages may call the GraphQL and Gurusup APIs (CORS), e.g. Apollo Sandbox or
   * http://localhost:5173; `*` for any. Default: none (env CORS_ORIGINS, comma-separated).
   */
  cors?: string[];
  /** Also let the `cors` origins use the control API (still behind the admin token). Default false (env CORS_CONTROL=1). */
  corsControl?: boolean;
  /** Most tenants kept, the built-in ones included. Default 100 (env MAX_TENANTS). */
  maxTenants?: number;
  /** Most chats per tenant (seeded ones included, --bulk-chats not); also Gurusup threads and personas. Default 20000 (env MAX_CHATS). */
  maxChats?: number;
  /** Most messages per chat and per Gurusup thread. Default 10000 (env MAX_MESSAGES). */
  maxMessages?: number;
  /** Most MiB of data one tenant keeps (its seed included; see docs/robustness.md). Default 64 (env MAX_TENANT_MB). */
  maxTenantMb?: number;
  /** Most MiB of data all tenants keep together. Default 256 (env MAX_STORED_MB). */
  maxStoredMb?: number;
  /** Longest a client may take to send a request's headers; then 408. Default 10000 ms (env HEADERS_TIMEOUT_MS). */
  headersTimeoutMs?: number;
  /** Longest a client may take to send a whole request (headers and body); then 408. Default 30000 ms (env REQUEST_TIMEOUT_MS). */
  requestTimeoutMs?: number;
  /** Highest estimated GraphQL query cost. Default 500000 (env MAX_QUERY_COST). */
  maxQueryCost?: number;
  /** Most aliases in one GraphQL operation. Default 30 (env MAX_ALIASES). */
  maxAliases?: number;
  /** Most directives in one GraphQL operation. Default 50 (env MAX_DIRECTIVES). */
  maxDirectives?: number;
  /** Most tokens in one GraphQL document. Default 5000 (env MAX_TOKENS). */
  maxTokens?: number;
  /** Deepest GraphQL selection. Default 12 (env MAX_DEPTH). */
  maxDepth?: number;
}

/** The limits every GraphQL document is checked against before it runs. */
export interface GraphQLLimits {
  /** Highest estimated cost (see docs/graphql-api.md: objects 2, scalars 1, a page multiplies what it selects by its `first`). */
  cost: number;
  /** Most aliases in one operation (`__typename` aliases do not count). */
  aliases: number;
  /** Most directives in one operation. */
  directives: number;
  /** Most lexical tokens in one document (checked while parsing). */
  tokens: number;
  /** Deepest selection (fragments do not add a level, introspection is exempt). */
  depth: number;
}

/**
 * Defaults. Cost 500,000: a full export page (100 chats with their expert and 100 messages each,
 * every field) is estimated at 271,402, and even with every page full such a query runs in well under
 * a second; the cost attacks of issue 12 are estimated at millions and refused before they run.
 */
export const DEFAULT_GRAPHQL_LIMITS: GraphQLLimits = { cost: 500_000, aliases: 30, directives: 50, tokens: 5_000, depth: 12 };

export class ConfigError extends Error {}

/** `*` or an origin (scheme://host[:port], no path), as browsers send it in `Origin`. */
const CORS_ORIGIN = /^(\*|[a-z][a-z0-9+.-]*:\/\/[^/\s?#]+)$/i;

const DAY = 86_400_000;

const schema = z.object({
  port: z.number().int().min(0).max(65_535).default(4000),
  host: z.string().min(1).default('127.0.0.1'),
  seed: z.number().int().min(0).max(2 ** 31 - 1).default(1),
  seedTime: z.union([z.number().int().nonnegative(), z.string().min(1)]).optional(),
  fixtures: z.string().min(1).optional(),
  data: z.string().min(1).optional(),
  bodyLimit: z.string().regex(/^\d+(b|kb|mb)$/i, 'a size such as 1mb or 512kb').default('1mb'),
  bulkChats: z.number().int().min(0).max(5_000_000).default(0),
  seedCache: z.boolean().default(true),
  // 2048: the bound of every webhook URL (FIELD_LIMITS['webhook.url'] in src/domain/field-limits.ts).
  webhookUrl: z.url({ protocol: /^https?$/, error: 'an http(s) URL such as http://localhost:8000/webhooks' }).max(2_048, 'at most 2048 characters').optional(),
  webhookAttempts: z.number().int().min(1).max(50).default(5),
  webhookBackoffMs: z.number().int().min(0).max(3_600_000).default(1_000),
  webhookTimeoutMs: z.number().int().min(1).max(600_000).default(10_000),
  webhookConcurrency: z.number().int().min(1).max(1_000).default(8),
  deliveryLogSize: z.number().int().min(0).max(1_000_000).default(1_000),
  requestLogSize: z.number().int().min(0).max(1_000_000).default(1_000),
  logFormat: z.enum(LOG_FORMATS).default('pretty'),
  logLevel: z.enum(LOG_LEVELS).default('info'),
  gurusupWebhookUrl: z.url({ protocol: /^https?$/, error: 'an http(s) URL such as http://localhost:8000/gurusup' }).max(2_048, 'at most 2048 characters').optional(),
  scenarios: z.array(z.string().min(1)).default([]),
  adminToken: z.string().min(8, 'at least 8 characters').max(500).regex(/^\S+$/, 'no spaces').optional(),
  allowedHosts: z.array(z.string().min(1).regex(/^[^\s/:]+$|^\[[0-9a-fA-F:.]+\]$/, 'a host name without scheme or port')).default([]),
  // A trailing slash is dropped: browsers send the origin without one.
  cors: z.array(z.preprocess((v) => (typeof v === 'string' ? v.trim().replace(/\/$/, '') : v), z.string().regex(CORS_ORIGIN, 'an origin such as http://localhost:5173 (scheme, host and port, no path), or *'))).default([]),
  corsControl: z.boolean().default(false),
  maxTenants: z.number().int().min(1).max(100_000).default(100),
  maxChats: z.number().int().min(1).max(100_000_000).default(20_000),
  maxMessages: z.number().int().min(1).max(100_000_000).default(10_000),
  maxTenantMb: z.number().int().min(1).max(1_000_000).default(64),
  maxStoredMb: z.number().int().min(1).max(1_000_000).default(256),
  headersTimeoutMs: z.number().int().min(100).max(3_600_000).default(10_000),
  requestTimeoutMs: z.number().int().min(100).max(3_600_000).default(30_000),
  maxQueryCost: z.number().int().min(1).max(1_000_000_000).default(DEFAULT_GRAPHQL_LIMITS.cost),
  maxAliases: z.number().int().min(0).max(100_000).default(DEFAULT_GRAPHQL_LIMITS.aliases),
  maxDirectives: z.number().int().min(0).max(100_000).default(DEFAULT_GRAPHQL_LIMITS.directives),
  maxTokens: z.number().int().min(100).max(10_000_000).default(DEFAULT_GRAPHQL_LIMITS.tokens),
  maxDepth: z.number().int().min(1).max(1_000).default(DEFAULT_GRAPHQL_LIMITS.depth),
});

/** The one schema of the emulator's options: flags, environment and config files (src/config-file.ts) all end here. */
export { schema as optionSchema };

export type ResolvedConfig = Omit<z.infer<typeof schema>, 'seedTime'> & { seedTime: number };

/** Validates the options and fills the defaults; `now` decides the default seed time. */
export function resolveConfig(options: ConfigOptions, now: number): ResolvedConfig {
  const parsed = schema.safeParse(withoutUndefined(options));
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new ConfigError(`invalid option ${issue?.path.join('.') ?? ''}: ${issue?.message ?? 'invalid'}`);
  }
  if (parsed.data.corsControl && parsed.data.cors.length === 0) throw new ConfigError('invalid option corsControl: --cors-control needs --cors ORIGIN (the origins whose pages may use the control API)');
  if (parsed.data.corsControl && parsed.data.cors.includes('*')) {
    throw new ConfigError('invalid option corsControl: the control API can be opened to named origins, not * (any web page could then drive the emulator)');
  }
  if (parsed.data.headersTimeoutMs > parsed.data.requestTimeoutMs) {
    throw new ConfigError(`invalid option headersTimeoutMs: ${parsed.data.headersTimeoutMs} is longer than requestTimeoutMs ${parsed.data.requestTimeoutMs} (the headers are part of the request)`);
  }
  return { ...parsed.data, seedTime: parseSeedTime(parsed.data.seedTime, now) };
}

function parseSeedTime(value: number | string | undefined, now: number): number {
  if (value === undefined) return Math.floor(now / DAY) * DAY;
  if (typeof value === 'number') return value;
  const ms = /^\d+$/.test(value) ? Number(value) : Date.parse(value);
  if (!Number.isFinite(ms)) throw new ConfigError(`invalid option seedTime: "${value}" is neither milliseconds nor an ISO date`);
  return ms;
}

/** The object without its undefined entries, so that merging layers never erases a value. */
export const withoutUndefined = <T extends object>(o: T): Partial<T> =>
  Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;

/** Options from the environment (flags override them). */
export function optionsFromEnv(env: NodeJS.ProcessEnv): ConfigOptions {
  const int = (name: string): number | undefined => {
    const raw = env[name];
    if (raw === undefined || raw === '') return undefined;
    if (!/^\d+$/.test(raw)) throw new ConfigError(`environment variable ${name} must be a whole number, got "${raw}"`);
    return Number(raw);
  };
  return {
    port: int('PORT'),
    host: env.HOST || undefined,
    seed: int('SEED'),
    seedTime: env.SEED_TIME || undefined,
    fixtures: env.FIXTURES_DIR || undefined,
    data: env.DATA_FILE || undefined,
    seedCache: env.GUURU_EMULATOR_SEED_CACHE === '0' ? false : undefined,
    webhookUrl: env.WEBHOOK_URL || undefined,
    webhookAttempts: int('WEBHOOK_ATTEMPTS'),
    webhookBackoffMs: int('WEBHOOK_BACKOFF_MS'),
    webhookTimeoutMs: int('WEBHOOK_TIMEOUT_MS'),
    deliveryLogSize: int('DELIVERY_LOG_SIZE'),
    requestLogSize: int('REQUEST_LOG_SIZE'),
    logFormat: (env.LOG_FORMAT || undefined) as LogFormat | undefined,
    logLevel: (env.LOG_LEVEL || undefined) as LogLevel | undefined,
    gurusupWebhookUrl: env.GURUSUP_WEBHOOK_URL || undefined,
    scenarios: env.SCENARIOS_DIR ? [env.SCENARIOS_DIR] : undefined,
    adminToken: env.ADMIN_TOKEN || undefined,
    allowedHosts: env.ALLOWED_HOSTS ? env.ALLOWED_HOSTS.split(',').map((h) => h.trim()).filter(Boolean) : undefined,
    cors: env.CORS_ORIGINS ? env.CORS_ORIGINS.split(',').map((o) => o.trim()).filter(Boolean) : undefined,
    corsControl: env.CORS_CONTROL === '1' || env.CORS_CONTROL === 'true' ? true : undefined,
    maxTenants: int('MAX_TENANTS'),
    maxChats: int('MAX_CHATS'),
    maxMessages: int('MAX_MESSAGES'),
    maxTenantMb: int('MAX_TENANT_MB'),
    maxStoredMb: int('MAX_STORED_MB'),
    headersTimeoutMs: int('HEADERS_TIMEOUT_MS'),
    requestTimeoutMs: int('REQUEST_TIMEOUT_MS'),
    maxQueryCost: int('MAX_QUERY_COST'),
    maxAliases: int('MAX_ALIASES'),
    maxDirectives: int('MAX_DIRECTIVES'),
    maxTokens: int('MAX_TOKENS'),
    maxDepth: int('MAX_DEPTH'),
  };
}
