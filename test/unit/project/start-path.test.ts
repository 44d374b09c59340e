import { build, type Metafile } from 'esbuild';
import { describe, expect, it } from 'vitest';
import { CLI_BUNDLE } from '../../../scripts/cli-bundle.mjs';

/**
 * What `guuru-emulator start` parses and runs before its first answer is the static import graph
 * of the CLI's entry and its program (everything else is a chunk loaded by a dynamic import when
 * used). Cold start time is mostly that graph's size (docs: bench/README.md), so code that only a
 * command or a rare request needs stays out of it.
 */
const ROOTS = ['src/cli/entry.ts', 'src/cli/main.ts'];

/** Modules the start path must not contain, each with why (a path matches by prefix). */
const KEPT_OUT: { path: string; why: string }[] = [
  ...['scenario', 'trigger', 'verify', 'drift', 'mcp'].map((command) => ({
    path: `src/cli/${command}.ts`,
    why: `the ${command} command's own code: imported when it runs`,
  })),
  { path: 'src/drift/', why: 'the drift command' },
  ...['router', 'openapi', 'chat-routes', 'webhook-routes', 'play-routes', 'scenario-routes'].map((file) => ({
    path: `src/control/${file}.ts`,
    why: "the control API's routes: loaded with its first request (app/http-app.ts)",
  })),
  { path: 'src/mcp/', why: 'MCP: the mcp command and the first /_emulator/mcp request' },
  { path: 'src/graphql/', why: 'the Admin API is made on the first /graphql request' },
  ...['model', 'runner', 'shrink', 'stage', 'trace', 'replay'].map((file) => ({
    path: `src/verify/explore/${file}.ts`,
    why: 'verify --explore, loaded when a verification explores',
  })),
  { path: 'node_modules/graphql/', why: 'graphql-js: the first /graphql request' },
  { path: 'node_modules/@apollo/', why: 'Apollo Server: the first /graphql request' },
  { path: 'node_modules/fast-check/', why: 'verify --explore' },
  { path: 'node_modules/@modelcontextprotocol/', why: 'MCP' },
  { path: 'node_modules/ajv/', why: 'MCP' },
  { path: 'node_modules/@graphql-inspector/', why: 'the drift command' },
  { path: 'node_modules/yaml/', why: 'loaded from node_modules on first use (kernel/yaml.ts): YAML config, scenarios' },
];

/**
 * What the first /graphql request loads (the handler's module and its static imports) when it is a
 * plain query: the fast lane answers it with graphql-js, so Apollo waits for the first request the
 * lane leaves to it, and graphql-jit for the first document seen twice.
 */
const FIRST_QUERY_ROOTS = ['src/graphql/server.ts'];
const KEPT_OUT_OF_FIRST_QUERY: { path: string; why: string }[] = [
  { path: 'src/graphql/apollo.ts', why: 'Apollo Server: the first request the fast lane leaves to it' },
  { path: 'node_modules/@apollo/', why: 'Apollo Server: the first request the fast lane leaves to it' },
  { path: 'node_modules/@as-integrations/', why: "Apollo's Express middleware" },
  { path: 'node_modules/graphql-jit/', why: 'graphql-jit: the first document seen twice' },
  { path: 'node_modules/fast-json-stringify/', why: "graphql-jit's serialiser" },
];

/** Modules the whole bundle leaves out (loaded from node_modules when used, or stood in for by scripts/bundle-shims/). */
const LEFT_OUT: { path: string; why: string }[] = [
  { path: 'node_modules/@faker-js/', why: 'loaded from node_modules when a faker is first made (kernel/random.ts)' },
  { path: 'node_modules/pino/', why: 'loaded from node_modules with the first log entry (kernel/logger.ts)' },
  { path: 'node_modules/pino-pretty/', why: 'loaded from node_modules with the first log entry (kernel/logger.ts)' },
  {
    path: 'node_modules/sha.js/',
    why: "Apollo's hashes on Node's crypto (scripts/bundle-shims/apollo-createhash.mjs)",
  },
  {
    path: 'node_modules/@graphql-tools/',
    why: 'Apollo needs it only for typeDefs (scripts/bundle-shims/graphql-tools-schema.mjs)',
  },
  { path: 'node_modules/graphql/index.js', why: "graphql-js's ES modules only, one copy (scripts/cli-bundle.mjs)" },
  { path: 'node_modules/iconv-lite/encodings/tables/', why: 'code pages express.json() never decodes' },
  { path: 'node_modules/iconv-lite/encodings/sbcs-data-generated', why: 'code pages express.json() never decodes' },
  { path: 'node_modules/zod/v4/locales/ar.js', why: "zod's translations (z.locales): English only" },
];

/** The inputs reachable from `roots` through static imports and require() calls. */
function startPath(metafile: Metafile, roots: string[]): Set<string> {
  const seen = new Set<string>();
  const todo = [...roots];
  for (let file = todo.pop(); file !== undefined; file = todo.pop()) {
    if (seen.has(file)) continue;
    seen.add(file);
    for (const edge of metafile.inputs[file]?.imports ?? [])
      if (!edge.external && (edge.kind === 'import-statement' || edge.kind === 'require-call')) todo.push(edge.path);
  }
  return seen;
}

/** Each module of the start path that should not be there, with the path that brings it in. */
function violations(metafile: Metafile, roots: string[], rules = KEPT_OUT): string[] {
  const reached = startPath(metafile, roots);
  const found: string[] = [];
  for (const rule of rules) {
    const hit = [...reached].find((file) => file.startsWith(rule.path));
    if (hit) found.push(`${hit} (${rule.why}), reached by: ${chainTo(metafile, roots, hit).join(' → ')}`);
  }
  return found;
}

/** The shortest static import chain from a root to `target`. */
function chainTo(metafile: Metafile, roots: string[], target: string): string[] {
  const previous = new Map<string, string | undefined>(roots.map((r) => [r, undefined]));
  const queue = [...roots];
  for (let file = queue.shift(); file !== undefined && file !== target; file = queue.shift()) {
    for (const edge of metafile.inputs[file]?.imports ?? []) {
      if (edge.external || (edge.kind !== 'import-statement' && edge.kind !== 'require-call')) continue;
      if (!previous.has(edge.path)) {
        previous.set(edge.path, file);
        queue.push(edge.path);
      }
    }
  }
  const chain: string[] = [];
  for (let file: string | undefined = target; file !== undefined; file = previous.get(file)) chain.unshift(file);
  return chain;
}

/** Left-out modules the bundle has anyway. */
function bundled(metafile: Metafile): string[] {
  const inputs = Object.keys(metafile.inputs);
  return LEFT_OUT.flatMap((rule) => {
    const hit = inputs.find((file) => file.startsWith(rule.path));
    return hit ? [`${hit} (${rule.why})`] : [];
  });
}

async function cliMetafile(): Promise<Metafile> {
  const { metafile } = await build({
    ...CLI_BUNDLE,
    bundle: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    metafile: true,
    write: false,
    logLevel: 'silent',
  });
  if (!metafile) throw new Error('esbuild wrote no metafile');
  return metafile;
}

describe("the CLI's start path", () => {
  it('loads no command-only code, nor what only the first query, MCP or verify --explore needs', async () => {
    const metafile = await cliMetafile();
    for (const root of ROOTS) expect(Object.keys(metafile.inputs)).toContain(root);
    expect(violations(metafile, ROOTS)).toEqual([]);
    expect(bundled(metafile)).toEqual([]);
  }, 60_000);

  it('mime-types (and mime-db) are evaluated on first use: only the bundle shim imports them', async () => {
    const metafile = await cliMetafile();
    const importers = Object.entries(metafile.inputs)
      .filter(([, input]) => input.imports.some((edge) => edge.path === 'node_modules/mime-types/index.js'))
      .map(([file]) => file);
    expect(importers).toEqual(['scripts/bundle-shims/mime-types.cjs']);
  }, 60_000);

  it("the first query's path loads neither Apollo nor graphql-jit", async () => {
    const metafile = await cliMetafile();
    for (const root of FIRST_QUERY_ROOTS) expect(Object.keys(metafile.inputs)).toContain(root);
    expect(violations(metafile, FIRST_QUERY_ROOTS, KEPT_OUT_OF_FIRST_QUERY)).toEqual([]);
  }, 60_000);

  it('the check names a kept-out module a static import brings in, and the chain that does', () => {
    const metafile: Metafile = {
      inputs: {
        'src/cli/main.ts': {
          bytes: 1,
          imports: [
            { path: 'src/app/emulator.ts', kind: 'import-statement', original: '../app/emulator.js' },
            { path: 'src/mcp/server.ts', kind: 'dynamic-import', original: '../mcp/server.js' },
          ],
        },
        'src/app/emulator.ts': {
          bytes: 1,
          imports: [{ path: 'node_modules/fast-check/lib/fast-check.js', kind: 'import-statement' }],
        },
        'src/mcp/server.ts': { bytes: 1, imports: [] },
        'node_modules/fast-check/lib/fast-check.js': { bytes: 1, imports: [] },
        'node_modules/sha.js/index.js': { bytes: 1, imports: [] },
      },
      outputs: {},
    };
    expect(violations(metafile, ['src/cli/main.ts'])).toEqual([
      'node_modules/fast-check/lib/fast-check.js (verify --explore), reached by: src/cli/main.ts → src/app/emulator.ts → node_modules/fast-check/lib/fast-check.js',
    ]);
    expect(bundled(metafile)).toEqual([
      "node_modules/sha.js/index.js (Apollo's hashes on Node's crypto (scripts/bundle-shims/apollo-createhash.mjs))",
    ]);
  });
});
