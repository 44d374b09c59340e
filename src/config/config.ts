import { z } from 'zod';
import {
  DEFAULT_GRAPHQL_LIMITS as DEFAULTS,
  OPTIONS,
  type EnvForm,
  type OptionKey,
  type OptionSpec,
} from './options.js';

/** The schema of the emulator's options, built from the one option table (options.ts). */
const schema = z.object(
  Object.fromEntries(Object.entries(OPTIONS).map(([key, spec]) => [key, spec.schema])) as {
    [K in OptionKey]: (typeof OPTIONS)[K]['schema'];
  },
);

/**
 * The plain settings of an emulator (what flags, environment variables and a config file can set;
 * each is described once, in options.ts and docs/configuration.md). createEmulator() also takes the
 * side effects (clock, logger, transport): see EmulatorOptions. Every one has a production default.
 */
export type ConfigOptions = Partial<z.input<typeof schema>>;

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
export const DEFAULT_GRAPHQL_LIMITS: GraphQLLimits = DEFAULTS;

export class ConfigError extends Error {}

const DAY = 86_400_000;

/** The one schema of the emulator's options: flags, environment and config files (file.ts) all end here. */
export { schema as optionSchema };

export type ResolvedConfig = Omit<z.infer<typeof schema>, 'seedTime'> & { seedTime: number };

/** Validates the options and fills the defaults; `now` decides the default seed time. */
export function resolveConfig(options: ConfigOptions, now: number): ResolvedConfig {
  // jitless: one parse per emulator; compiling zod's fast parser for it costs more than it saves.
  const parsed = schema.safeParse(withoutUndefined(options), { jitless: true });
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new ConfigError(`invalid option ${issue?.path.join('.') ?? ''}: ${issue?.message ?? 'invalid'}`);
  }
  if (parsed.data.corsControl && parsed.data.cors.length === 0)
    throw new ConfigError(
      'invalid option corsControl: --cors-control needs --cors ORIGIN (the origins whose pages may use the control API)',
    );
  if (parsed.data.corsControl && parsed.data.cors.includes('*')) {
    throw new ConfigError(
      'invalid option corsControl: the control API can be opened to named origins, not * (any web page could then drive the emulator)',
    );
  }
  if (parsed.data.headersTimeoutMs > parsed.data.requestTimeoutMs) {
    throw new ConfigError(
      `invalid option headersTimeoutMs: ${parsed.data.headersTimeoutMs} is longer than requestTimeoutMs ${parsed.data.requestTimeoutMs} (the headers are part of the request)`,
    );
  }
  return { ...parsed.data, seedTime: parseSeedTime(parsed.data.seedTime, now) };
}

function parseSeedTime(value: number | string | undefined, now: number): number {
  if (value === undefined) return Math.floor(now / DAY) * DAY;
  if (typeof value === 'number') return value;
  const ms = /^\d+$/.test(value) ? Number(value) : Date.parse(value);
  if (!Number.isFinite(ms))
    throw new ConfigError(`invalid option seedTime: "${value}" is neither milliseconds nor an ISO date`);
  return ms;
}

/** The object without its undefined entries, so that merging layers never erases a value. */
export const withoutUndefined = <T extends object>(o: T): Partial<T> =>
  Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;

/** Options from the environment (flags override them), as the option table names and reads them. */
export function optionsFromEnv(env: NodeJS.ProcessEnv): ConfigOptions {
  const options: Record<string, unknown> = {};
  for (const [key, spec] of Object.entries(OPTIONS) as [OptionKey, OptionSpec][]) {
    if (spec.env === undefined) continue;
    // Every variable's option is listed, undefined when unset or empty (merging skips undefined).
    const raw = env[spec.env];
    options[key] = raw === undefined || raw === '' ? undefined : fromEnv(spec.env, spec.envForm ?? 'text', raw);
  }
  return options as ConfigOptions;
}

function fromEnv(name: string, form: EnvForm, raw: string): unknown {
  switch (form) {
    case 'int':
      if (!/^\d+$/.test(raw))
        throw new ConfigError(`environment variable ${name} must be a whole number, got "${raw}"`);
      return Number(raw);
    case 'text':
      return raw;
    case 'one':
      return [raw];
    case 'list':
      return raw
        .split(',')
        .map((v) => v.trim())
        .filter(Boolean);
    case 'on':
      return raw === '1' || raw === 'true' ? true : undefined;
    case 'off':
      return raw === '0' ? false : undefined;
  }
}
