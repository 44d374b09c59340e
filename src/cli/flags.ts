/** How the commands read their flags' values (commander parsers and `--param` pairs, the run options' flags). */
import { InvalidArgumentError, Option } from 'commander';
import { RUN_OPTIONS, type RunOptionKey } from '../scenarios/run-options.js';
import { UsageError } from './remote.js';

/** A commander parser for a whole-number flag (at most `max`); a bad value is a usage error naming the flag. */
export const wholeNumber = (name: string, max?: number) => (value: string) => {
  if (!/^\d+$/.test(value) || (max !== undefined && Number(value) > max))
    throw new InvalidArgumentError(`${name} must be a whole number${max !== undefined ? ` from 0 to ${max}` : ''}.`);
  return Number(value);
};

/** `--param k=v` pairs; numbers and booleans keep their type. */
export function parseParams(pairs: string[]): Record<string, string | number | boolean> {
  const out: Record<string, string | number | boolean> = {};
  for (const pair of pairs) {
    const eq = pair.indexOf('=');
    if (eq < 1) throw new Error(`--param needs key=value, got "${pair}"`);
    const key = pair.slice(0, eq);
    const raw = pair.slice(eq + 1);
    out[key] = raw === 'true' ? true : raw === 'false' ? false : /^-?\d+(\.\d+)?$/.test(raw) ? Number(raw) : raw;
  }
  return out;
}

/** An http(s) URL flag (`--target`, `--url`); anything else is a usage error naming the flag. */
export function httpUrl(flag: string, value: string): URL {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new UsageError(
      `${flag}: "${value}" is not a URL; use an http(s) URL such as http://127.0.0.1:8000/webhooks.`,
    );
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    throw new UsageError(`${flag}: "${value}" is not an http(s) URL.`);
  return url;
}

/** How `scenario run` reads each run option's flag (the flag and its doc come from the run-option table). */
const FLAG_PARSERS: Record<RunOptionKey, ((value: string, previous: unknown) => unknown) | undefined> = {
  target: undefined,
  speed: (value: string) => {
    const n = Number(value);
    if (value.trim() === '' || !Number.isFinite(n) || n < 0)
      throw new InvalidArgumentError('--speed must be a number ≥ 0.');
    return n;
  },
  seed: wholeNumber('--seed'),
  params: (value: string, all: unknown) => [...(all as string[]), value],
  tenant: undefined,
};

/** The commander option of one run option of scenarios/run-options.ts. */
export function runOption(key: RunOptionKey): Option {
  const option = new Option(RUN_OPTIONS[key].flag, RUN_OPTIONS[key].doc);
  const parse = FLAG_PARSERS[key];
  if (parse) option.argParser(parse);
  // `--param` is repeatable: its values gather in a list.
  return key === 'params' ? option.default([] as string[]) : option;
}
