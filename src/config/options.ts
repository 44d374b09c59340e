import { z } from 'zod';
import { LOG_FORMATS, LOG_LEVELS } from '../kernel/logger.js';

/**
 * The one table of start options. Each option is written here once: its key (as createEmulator()
 * and a config file take it), its flag, its environment variable, its schema, its default and its
 * one-line doc. The zod schema (config.ts), the environment mapping, the CLI's flags (cli/main.ts),
 * the config file's keys (file.ts) and the table in docs/configuration.md all come from it.
 */

/** How an environment variable's text becomes the option's value. */
export type EnvForm =
  /** a whole number */
  | 'int'
  /** the text as it is */
  | 'text'
  /** one value taken as a list of one */
  | 'one'
  /** comma-separated values */
  | 'list'
  /** `1` or `true` turns it on */
  | 'on'
  /** `0` turns it off */
  | 'off';

/** How the CLI reads the flag's value. */
export type FlagForm =
  /** a whole number */
  | 'int'
  /** the text as it is */
  | 'text'
  /** one value taken as a list of one */
  | 'one'
  /** repeatable, each value added to the list */
  | 'repeat'
  /** repeatable, each value comma-separated */
  | 'repeat-list'
  /** no value: present turns it on */
  | 'switch'
  /** an optional value (`--virtual-clock [iso]`) */
  | 'optional'
  /** one of `choices` */
  | 'choice';

export interface OptionSpec<S extends z.ZodType = z.ZodType> {
  schema: S;
  /** `--name`; absent when only a config file or createEmulator() sets it. */
  flag?: string;
  /** One-letter alias (`-p`). */
  short?: string;
  /** The value's placeholder in help and docs (`N`, `URL`). */
  arg?: string;
  form?: FlagForm;
  choices?: readonly string[];
  env?: string;
  envForm?: EnvForm;
  /** The default in words, for help and docs. */
  default: string;
  /** What it does, in one line (help and docs). */
  doc: string;
  /** A path: relative in a config file means relative to the file's folder. */
  path?: boolean;
}

const option = <S extends z.ZodType>(spec: OptionSpec<S>): OptionSpec<S> => spec;

/** The GraphQL limits' defaults, also the option defaults below (see docs/graphql-api.md#limits). */
export const DEFAULT_GRAPHQL_LIMITS = { cost: 500_000, aliases: 30, directives: 50, tokens: 5_000, depth: 12 } as const;

/** `*` or an origin (scheme://host[:port], no path), as browsers send it in `Origin` (a trailing slash is dropped). */
const CORS_ORIGIN = /^(\*|[a-z][a-z0-9+.-]*:\/\/[^/\s?#]+)\/?$/i;

const whole = (min: number, max: number) => z.number().int().min(min).max(max);

/** The emulator's options: createEmulator(), flags, environment and config files all end in their schemas. */
export const OPTIONS = {
  port: option({
    schema: whole(0, 65_535).default(4000),
    flag: '--port',
    short: '-p',
    arg: 'N',
    form: 'int',
    env: 'PORT',
    envForm: 'int',
    default: '4000',
    doc: 'TCP port; `0` picks a free one',
  }),
  host: option({
    schema: z.string().min(1).default('127.0.0.1'),
    flag: '--host',
    short: '-H',
    arg: 'H',
    env: 'HOST',
    default: '127.0.0.1',
    doc: 'interface to listen on (the Docker image sets `0.0.0.0`)',
  }),
  seed: option({
    schema: whole(0, 2 ** 31 - 1).default(1),
    flag: '--seed',
    arg: 'N',
    form: 'int',
    env: 'SEED',
    envForm: 'int',
    default: '1',
    doc: 'random seed of the built-in data',
  }),
  seedTime: option({
    schema: z.union([z.number().int().nonnegative(), z.string().min(1)]).optional(),
    flag: '--seed-time',
    arg: 'ISO|ms',
    env: 'SEED_TIME',
    default: 'today 00:00 UTC',
    doc: 'the "now" of the seed data (every seeded timestamp is before it)',
  }),
  fixtures: option({
    schema: z.string().min(1).optional(),
    path: true,
    flag: '--fixtures',
    arg: 'DIR',
    env: 'FIXTURES_DIR',
    default: '`fixtures/`',
    doc: 'folder with `tenants.json` and `content.json`',
  }),
  data: option({
    schema: z.string().min(1).optional(),
    path: true,
    flag: '--data',
    arg: 'FILE',
    env: 'DATA_FILE',
    default: 'in memory',
    doc: 'keep state in a JSON file across restarts',
  }),
  bodyLimit: option({
    schema: z
      .string()
      .regex(/^\d+(b|kb|mb)$/i, 'a size such as 1mb or 512kb')
      .default('1mb'),
    flag: '--body-limit',
    arg: 'SIZE',
    default: '1mb',
    doc: 'largest request body',
  }),
  bulkChats: option({
    schema: whole(0, 5_000_000).default(0),
    flag: '--bulk-chats',
    arg: 'N',
    form: 'int',
    default: '0',
    doc: 'add N light-weight chats to the first tenant (benchmarks)',
  }),
  seedCache: option({
    schema: z.boolean().default(true),
    env: 'GUURU_EMULATOR_SEED_CACHE',
    envForm: 'off',
    default: 'on',
    doc: 'keep generated seed data in `node_modules/.cache/guuru-emulator` (`0` turns it off)',
  }),
  fastLane: option({
    schema: z.boolean().default(true),
    env: 'GUURU_EMULATOR_FAST_LANE',
    envForm: 'off',
    default: 'on',
    doc: 'answer repeated GraphQL queries through a compiled fast path, byte for byte what Apollo answers (`0` sends every request through Apollo)',
  }),
  webhookUrl: option({
    // 2048: the bound of every webhook URL (FIELD_LIMITS['webhook.url'] in src/domain/field-limits.ts).
    schema: z
      .url({ protocol: /^https?$/, error: 'an http(s) URL such as http://localhost:8000/webhooks' })
      .max(2_048, 'at most 2048 characters')
      .optional(),
    flag: '--webhook-url',
    arg: 'URL',
    env: 'WEBHOOK_URL',
    default: 'none',
    doc: 'subscribe every GUURU webhook event of every partner to this URL',
  }),
  webhookAttempts: option({
    schema: whole(1, 50).default(5),
    flag: '--webhook-attempts',
    arg: 'N',
    form: 'int',
    env: 'WEBHOOK_ATTEMPTS',
    envForm: 'int',
    default: '5',
    doc: 'delivery attempts per event, the first included',
  }),
  webhookBackoffMs: option({
    schema: whole(0, 3_600_000).default(1_000),
    flag: '--webhook-backoff',
    arg: 'MS',
    form: 'int',
    env: 'WEBHOOK_BACKOFF_MS',
    envForm: 'int',
    default: '1000',
    doc: 'delay before the first retry; doubled each retry (max 60 s), with jitter',
  }),
  webhookTimeoutMs: option({
    schema: whole(1, 600_000).default(10_000),
    flag: '--webhook-timeout',
    arg: 'MS',
    form: 'int',
    env: 'WEBHOOK_TIMEOUT_MS',
    envForm: 'int',
    default: '10000',
    doc: "longest wait for a receiver's response (wall-clock)",
  }),
  // 32: 2 loopback connections of 16 keep the receiver and the emulator busy at once (one request per
  // connection let them take turns, each idle half the time), and as many deliveries in flight as 128
  // did (same rate); fewer live requests keep the API's latency while a queue drains within 2x idle
  // (128: 2.4–2.8x; bench/README.md). Each chat's events still go one at a time.
  webhookConcurrency: option({
    schema: whole(1, 1_000).default(32),
    flag: '--webhook-concurrency',
    arg: 'N',
    form: 'int',
    env: 'WEBHOOK_CONCURRENCY',
    envForm: 'int',
    default: '32',
    doc: "requests in flight per receiver URL, each of another chat (each chat's events stay in order)",
  }),
  webhookPipelining: option({
    schema: whole(1, 100).default(16),
    flag: '--webhook-pipelining',
    arg: 'N',
    form: 'int',
    env: 'WEBHOOK_PIPELINING',
    envForm: 'int',
    default: '16',
    doc: 'requests sent on one connection before its first answer (HTTP/1.1 pipelining; `1` for a receiver that cannot)',
  }),
  deliveryLogSize: option({
    schema: whole(0, 1_000_000).default(1_000),
    flag: '--delivery-log-size',
    arg: 'N',
    form: 'int',
    env: 'DELIVERY_LOG_SIZE',
    envForm: 'int',
    default: '1000',
    doc: 'finished deliveries kept in the delivery log',
  }),
  requestLogSize: option({
    schema: whole(0, 1_000_000).default(1_000),
    flag: '--request-log-size',
    arg: 'N',
    form: 'int',
    env: 'REQUEST_LOG_SIZE',
    envForm: 'int',
    default: '1000',
    doc: 'API requests kept in the request journal (`GET /_emulator/requests`)',
  }),
  logFormat: option({
    schema: z.enum(LOG_FORMATS).default('pretty'),
    flag: '--log-format',
    arg: LOG_FORMATS.join('|'),
    form: 'choice',
    choices: LOG_FORMATS,
    env: 'LOG_FORMAT',
    default: 'pretty',
    doc: 'log entries as readable lines (coloured on a terminal) or JSON lines',
  }),
  logLevel: option({
    schema: z.enum(LOG_LEVELS).default('info'),
    flag: '--log-level',
    arg: 'L',
    form: 'choice',
    choices: LOG_LEVELS,
    env: 'LOG_LEVEL',
    default: 'info',
    doc: `least severe entries logged: ${LOG_LEVELS.map((l) => `\`${l}\``).join(', ')}`,
  }),
  gurusupWebhookUrl: option({
    schema: z
      .url({ protocol: /^https?$/, error: 'an http(s) URL such as http://localhost:8000/gurusup' })
      .max(2_048, 'at most 2048 characters')
      .optional(),
    flag: '--gurusup-webhook-url',
    arg: 'URL',
    env: 'GURUSUP_WEBHOOK_URL',
    default: 'none',
    doc: "every organisation's Gurusup send-message events to this URL",
  }),
  scenarios: option({
    schema: z.array(z.string().min(1)).default([]),
    path: true,
    flag: '--scenarios',
    arg: 'DIR',
    form: 'one',
    env: 'SCENARIOS_DIR',
    envForm: 'one',
    default: 'none',
    doc: 'also load the scenario files of this folder',
  }),
  adminToken: option({
    schema: z.string().min(8, 'at least 8 characters').max(500).regex(/^\S+$/, 'no spaces').optional(),
    flag: '--admin-token',
    arg: 'TOKEN',
    env: 'ADMIN_TOKEN',
    default: 'none (made at start on a non-loopback `--host`)',
    doc: 'token the control API and dashboard require (see [who may use it](control-api.md#who-may-use-it))',
  }),
  allowedHosts: option({
    schema: z
      .array(
        z
          .string()
          .min(1)
          .regex(/^[^\s/:]+$|^\[[0-9a-fA-F:.]+\]$/, 'a host name without scheme or port'),
      )
      .default([]),
    flag: '--allow-host',
    arg: 'NAME',
    form: 'repeat',
    env: 'ALLOWED_HOSTS',
    envForm: 'list',
    default: 'none',
    doc: 'another name the control API accepts in `Host` (repeatable)',
  }),
  cors: option({
    // A trailing slash is dropped: browsers send the origin without one.
    schema: z
      .array(
        z
          .string()
          .trim()
          .regex(CORS_ORIGIN, 'an origin such as http://localhost:5173 (scheme, host and port, no path), or *')
          .transform((v) => v.replace(/\/$/, '')),
      )
      .default([]),
    flag: '--cors',
    arg: 'ORIGIN',
    form: 'repeat-list',
    env: 'CORS_ORIGINS',
    envForm: 'list',
    default: 'none (off)',
    doc: 'let web pages of this origin call the GraphQL and Gurusup APIs; repeatable or comma-separated, `*` for any ([browser tools](#browser-tools-cors))',
  }),
  corsControl: option({
    schema: z.boolean().default(false),
    flag: '--cors-control',
    form: 'switch',
    env: 'CORS_CONTROL',
    envForm: 'on',
    default: 'off',
    doc: 'also let the `--cors` origins use the control API (named origins only, still behind the admin token)',
  }),
  maxTenants: option({
    schema: whole(1, 100_000).default(100),
    flag: '--max-tenants',
    arg: 'N',
    form: 'int',
    env: 'MAX_TENANTS',
    envForm: 'int',
    default: '100',
    doc: 'most tenants kept, the built-in ones included',
  }),
  maxRuns: option({
    schema: whole(1, 100_000).default(100),
    flag: '--max-runs',
    arg: 'N',
    form: 'int',
    env: 'MAX_RUNS',
    envForm: 'int',
    default: '100',
    doc: 'most scenario runs going on at once (one per CI job playing `third-party-messaging` against its tenant, say)',
  }),
  maxChats: option({
    schema: whole(1, 100_000_000).default(20_000),
    flag: '--max-chats',
    arg: 'N',
    form: 'int',
    env: 'MAX_CHATS',
    envForm: 'int',
    default: '20000',
    doc: 'most chats per tenant (seeded included, `--bulk-chats` not); also Gurusup threads and personas per tenant',
  }),
  maxMessages: option({
    schema: whole(1, 100_000_000).default(10_000),
    flag: '--max-messages',
    arg: 'N',
    form: 'int',
    env: 'MAX_MESSAGES',
    envForm: 'int',
    default: '10000',
    doc: 'most messages per chat or Gurusup thread',
  }),
  maxTenantMb: option({
    schema: whole(1, 1_000_000).default(64),
    flag: '--max-tenant-mb',
    arg: 'N',
    form: 'int',
    env: 'MAX_TENANT_MB',
    envForm: 'int',
    default: '64',
    doc: 'most MiB of data one tenant keeps, its seed included (about its size as JSON)',
  }),
  maxStoredMb: option({
    schema: whole(1, 1_000_000).default(256),
    flag: '--max-stored-mb',
    arg: 'N',
    form: 'int',
    env: 'MAX_STORED_MB',
    envForm: 'int',
    default: '256',
    doc: 'most MiB of data all tenants and snapshots keep together',
  }),
  headersTimeoutMs: option({
    schema: whole(100, 3_600_000).default(10_000),
    flag: '--headers-timeout',
    arg: 'MS',
    form: 'int',
    env: 'HEADERS_TIMEOUT_MS',
    envForm: 'int',
    default: '10000',
    doc: "longest a client may take to send a request's headers; then 408 and the socket closed",
  }),
  requestTimeoutMs: option({
    schema: whole(100, 3_600_000).default(30_000),
    flag: '--request-timeout',
    arg: 'MS',
    form: 'int',
    env: 'REQUEST_TIMEOUT_MS',
    envForm: 'int',
    default: '30000',
    doc: 'longest a client may take to send a whole request (headers and body); then 408',
  }),
  maxQueryCost: option({
    schema: whole(1, 1_000_000_000).default(DEFAULT_GRAPHQL_LIMITS.cost),
    flag: '--max-query-cost',
    arg: 'N',
    form: 'int',
    env: 'MAX_QUERY_COST',
    envForm: 'int',
    default: String(DEFAULT_GRAPHQL_LIMITS.cost),
    doc: 'highest estimated GraphQL query cost (see [GraphQL limits](graphql-api.md#limits))',
  }),
  maxAliases: option({
    schema: whole(0, 100_000).default(DEFAULT_GRAPHQL_LIMITS.aliases),
    flag: '--max-aliases',
    arg: 'N',
    form: 'int',
    env: 'MAX_ALIASES',
    envForm: 'int',
    default: String(DEFAULT_GRAPHQL_LIMITS.aliases),
    doc: 'most aliases in one GraphQL operation',
  }),
  maxDirectives: option({
    schema: whole(0, 100_000).default(DEFAULT_GRAPHQL_LIMITS.directives),
    flag: '--max-directives',
    arg: 'N',
    form: 'int',
    env: 'MAX_DIRECTIVES',
    envForm: 'int',
    default: String(DEFAULT_GRAPHQL_LIMITS.directives),
    doc: 'most directives in one GraphQL operation',
  }),
  maxTokens: option({
    schema: whole(100, 10_000_000).default(DEFAULT_GRAPHQL_LIMITS.tokens),
    flag: '--max-tokens',
    arg: 'N',
    form: 'int',
    env: 'MAX_TOKENS',
    envForm: 'int',
    default: String(DEFAULT_GRAPHQL_LIMITS.tokens),
    doc: 'most tokens in one GraphQL document',
  }),
  maxDepth: option({
    schema: whole(1, 1_000).default(DEFAULT_GRAPHQL_LIMITS.depth),
    flag: '--max-depth',
    arg: 'N',
    form: 'int',
    env: 'MAX_DEPTH',
    envForm: 'int',
    default: String(DEFAULT_GRAPHQL_LIMITS.depth),
    doc: 'deepest GraphQL selection',
  }),
};

/** The start command's own options (not emulator options): flags, and config-file keys where `file` is set. */
export const START_OPTIONS = {
  config: option({
    schema: z.string().min(1),
    flag: '--config',
    short: '-c',
    arg: 'FILE',
    default: '`guuru-emulator.config.{json,yaml,yml}` in the working directory',
    doc: 'read options from this JSON or YAML file; flags and env override it ([config file](#config-file))',
  }),
  virtualClock: option({
    schema: z.union([z.boolean(), z.string().min(1)]),
    flag: '--virtual-clock',
    arg: '[ISO]',
    form: 'optional',
    default: 'system clock',
    doc: 'time moves only through `POST /_emulator/clock/advance`',
  }),
  scenario: option({
    schema: z.string().min(1),
    flag: '--scenario',
    arg: 'NAME',
    default: 'none',
    doc: 'run this scenario once listening',
  }),
};

/** Start options a config file may hold (a file cannot name another file). */
export const FILE_START_KEYS = ['virtualClock', 'scenario'] as const;

export type OptionKey = keyof typeof OPTIONS;
export type StartOptionKey = keyof typeof START_OPTIONS;

/** Every option with a flag, in the table's order (the emulator's, then the start command's). */
export function flaggedOptions(): { key: string; spec: OptionSpec }[] {
  return [...Object.entries(OPTIONS), ...Object.entries(START_OPTIONS)]
    .filter(([, spec]) => spec.flag !== undefined)
    .map(([key, spec]) => ({ key, spec: spec as OptionSpec }));
}

/** The commander attribute of a flag (`--webhook-backoff` → `webhookBackoff`). */
export const flagAttribute = (flag: string): string =>
  flag.replace(/^--/, '').replace(/-([a-z0-9])/g, (_, c: string) => c.toUpperCase());

/** The rows of docs/configuration.md's option table, generated from OPTIONS and START_OPTIONS. */
export function optionsMarkdownTable(): string {
  const rows = ['| flag | env | default | meaning |', '|---|---|---|---|'];
  const envCell = (spec: OptionSpec): string => {
    if (!spec.env) return '';
    if (spec.envForm === 'list') return `\`${spec.env}\` (comma-separated)`;
    if (spec.envForm === 'on') return `\`${spec.env}=1\``;
    if (spec.envForm === 'off') return `\`${spec.env}=0\``;
    return `\`${spec.env}\``;
  };
  const code = (s: string): string => (/^`|^[a-z]+ ?\(|^(none|on|off|in memory|today|system)/.test(s) ? s : `\`${s}\``);
  for (const [key, spec] of [...Object.entries(OPTIONS), ...Object.entries(START_OPTIONS)] as [string, OptionSpec][]) {
    const flag = spec.flag
      ? `\`${spec.flag}${spec.arg ? ` ${spec.arg.replace(/\|/g, '\\|')}` : ''}\``
      : `(\`${key}\` in a config file)`;
    rows.push(`| ${flag} | ${envCell(spec)} | ${code(spec.default)} | ${spec.doc} |`);
  }
  return rows.join('\n');
}
