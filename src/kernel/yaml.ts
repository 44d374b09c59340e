import { createRequire } from 'node:module';

/**
 * The yaml package, loaded from node_modules on first use (require: the callers are synchronous).
 * Only a YAML config file, the scenarios and a recorded session's YAML need it, and parsing its
 * bundled copy was ~4 ms of every `start`.
 */
const requireYaml = createRequire(import.meta.url);
let loaded: typeof import('yaml') | undefined;

export const yaml = (): typeof import('yaml') => (loaded ??= requireYaml('yaml') as typeof import('yaml'));
