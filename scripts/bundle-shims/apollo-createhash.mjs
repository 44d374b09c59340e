// Stands in for @apollo/utils.createhash in the CLI bundle. The package picks Node's crypto through
// `module.require`, which a bundled module has not, so bundled it falls back to sha.js: SHA-256 in
// JavaScript on every request (the operation's hash), and ~100 KiB more to load. Same hashes.
import { createHash as nodeCreateHash } from 'node:crypto';

export const createHash = (kind) => nodeCreateHash(kind);
