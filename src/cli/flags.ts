/** How the commands read their flags' values (commander parsers and `--param` pairs). */
import { InvalidArgumentError } from 'commander';
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
