import { existsSync, readFileSync } from 'node:fs';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { yaml } from '../kernel/yaml.js';
import { z } from 'zod';
import { ConfigError, optionSchema, type ConfigOptions } from './config.js';
import { FILE_START_KEYS, flagAttribute, OPTIONS, START_OPTIONS, type OptionSpec } from './options.js';

/** Looked for in the working directory when no --config is given, in this order (only one may exist). */
export const CONFIG_FILE_NAMES = [
  'guuru-emulator.config.json',
  'guuru-emulator.config.yaml',
  'guuru-emulator.config.yml',
] as const;

/** What the CLI's `start` takes from a file besides the emulator's options. */
export interface FileStartOptions {
  /** `true` or an ISO date: run on a virtual clock (`--virtual-clock`). */
  virtualClock?: boolean | string;
  /** A scenario to run once listening (`--scenario`). */
  scenario?: string;
}

export interface ConfigFile {
  /** The file read. */
  path: string;
  options: ConfigOptions;
  start: FileStartOptions;
}

/** Keys of the CLI's start command that are not emulator options. */
const START_KEYS: Record<string, z.ZodType> = Object.fromEntries(
  FILE_START_KEYS.map((key) => [key, START_OPTIONS[key].schema]),
);

/** Flags whose name differs from the option they set: the file takes the flag's spelling too. */
const FLAG_ALIASES: Record<string, string> = Object.fromEntries(
  Object.entries(OPTIONS as Record<string, OptionSpec>)
    .filter(([key, spec]) => spec.flag !== undefined && flagAttribute(spec.flag) !== key)
    .map(([key, spec]) => [flagAttribute(spec.flag as string), key]),
);

/** Options that are paths: relative ones are read from the config file's folder, as a person reading the file expects. */
const PATH_KEYS = (Object.entries(OPTIONS) as [string, OptionSpec][])
  .filter(([, spec]) => spec.path)
  .map(([key]) => key);

/** Options that are lists: a single value is taken as a list of one (as the flag takes one). */
const LIST_KEYS = new Set(
  (Object.entries(OPTIONS) as [string, OptionSpec][])
    .filter(([, spec]) => spec.schema instanceof z.ZodDefault && spec.schema.unwrap() instanceof z.ZodArray)
    .map(([key]) => key),
);

/** Every key a file may use: each emulator option (one table, options.ts) and the start command's own. */
const fieldSchemas = (): Record<string, z.ZodType> => ({
  ...(optionSchema.shape as Record<string, z.ZodType>),
  ...START_KEYS,
});

const camel = (key: string): string => key.replace(/-([a-z0-9])/g, (_, c: string) => c.toUpperCase());

/** Edit distance (insertions, deletions, substitutions, swaps of neighbours), case-insensitive. */
function distance(a: string, b: string): number {
  const x = a.toLowerCase();
  const y = b.toLowerCase();
  const d: number[][] = Array.from({ length: x.length + 1 }, (_, i) =>
    Array.from({ length: y.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)),
  );
  const at = (i: number, j: number) => d[i]?.[j] ?? 0;
  for (let i = 1; i <= x.length; i++) {
    for (let j = 1; j <= y.length; j++) {
      let best = Math.min(at(i - 1, j) + 1, at(i, j - 1) + 1, at(i - 1, j - 1) + (x[i - 1] === y[j - 1] ? 0 : 1));
      if (i > 1 && j > 1 && x[i - 1] === y[j - 2] && x[i - 2] === y[j - 1]) best = Math.min(best, at(i - 2, j - 2) + 1);
      (d[i] as number[])[j] = best;
    }
  }
  return at(x.length, y.length);
}

/** The known key a typo most likely meant (at most a third of its letters off). */
function nearest(key: string, keys: string[]): string | undefined {
  const [best] = keys.map((k) => ({ k, d: distance(key, k) })).sort((p, q) => p.d - q.d);
  return best && best.d <= Math.max(1, Math.floor(key.length / 3)) ? best.k : undefined;
}

/**
 * Checks a config file's object: its keys are the options' (camelCase, as in docs/configuration.md)
 * or the flags' (kebab-case, as on the command line); each value is validated by that option's own
 * schema. Every mistake is reported at once, one line each naming the file and the key. Nothing is
 * defaulted here: defaults apply after env and flags are merged.
 */
export function parseConfigObject(value: unknown, path: string): ConfigFile {
  if (value === null || value === undefined) return { path, options: {}, start: {} };
  if (typeof value !== 'object' || Array.isArray(value))
    throw new ConfigError(
      `${path}: expected an object of options (e.g. port: 4000), got ${Array.isArray(value) ? 'a list' : typeof value}`,
    );
  const fields = fieldSchemas();
  const known = Object.keys(fields);
  const options: Record<string, unknown> = {};
  const start: Record<string, unknown> = {};
  const problems: string[] = [];
  let keysListed = false;
  for (const [rawKey, rawValue] of Object.entries(value)) {
    const key = FLAG_ALIASES[camel(rawKey)] ?? camel(rawKey);
    const field = fields[key];
    if (!field) {
      const guess = nearest(key, known);
      // The list of keys once, after the first unknown one: it is long.
      const list = keysListed ? '' : `. Keys: ${known.join(', ')} (or their --flag spellings, e.g. webhook-url).`;
      keysListed = true;
      problems.push(`${path}: unknown key "${rawKey}"${guess ? ` (did you mean "${guess}"?)` : ''}${list}`);
      continue;
    }
    const listed = LIST_KEYS.has(key) && typeof rawValue === 'string' ? [rawValue] : rawValue;
    const parsed = field.safeParse(listed, { jitless: true });
    if (!parsed.success) {
      for (const issue of parsed.error.issues) {
        const at = issue.path.length ? `${rawKey}.${issue.path.join('.')}` : rawKey;
        problems.push(`${path}: ${at}: ${issue.message} (got ${JSON.stringify(rawValue)})`);
      }
      continue;
    }
    (Object.hasOwn(START_KEYS, key) ? start : options)[key] = parsed.data;
  }
  if (problems.length > 0) throw new ConfigError(problems.join('\n'));
  const base = dirname(path);
  const local = (p: string) => (isAbsolute(p) ? p : resolve(base, p));
  for (const key of PATH_KEYS) {
    const v = options[key];
    if (typeof v === 'string') options[key] = local(v);
    else if (Array.isArray(v)) options[key] = v.map((p: string) => local(p));
  }
  return { path, options: options as ConfigOptions, start: start as FileStartOptions };
}

/** Reads `explicit` (--config), else the one guuru-emulator.config.{json,yaml,yml} of `cwd`, else nothing. */
export function loadConfigFile(explicit: string | undefined, cwd: string): ConfigFile | undefined {
  let path: string;
  if (explicit !== undefined) {
    path = resolve(cwd, explicit);
    if (!existsSync(path)) throw new ConfigError(`--config: ${explicit} does not exist`);
  } else {
    const found = CONFIG_FILE_NAMES.map((name) => join(cwd, name)).filter((p) => existsSync(p));
    if (found.length === 0) return undefined;
    if (found.length > 1) throw new ConfigError(`${found.join(' and ')} both exist: keep one, or choose with --config`);
    path = found[0] as string;
  }
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new ConfigError(`cannot read ${path}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
  let value: unknown;
  try {
    value = path.endsWith('.json') ? JSON.parse(text) : yaml().parse(text);
  } catch (error) {
    throw new ConfigError(
      `${path} is not valid ${path.endsWith('.json') ? 'JSON' : 'YAML'}: ${(error as Error).message.split('\n')[0]}`,
    );
  }
  return parseConfigObject(value, path);
}
