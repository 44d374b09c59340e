// Builds dist/ with esbuild.
// - dist/main.js (the CLI, `npm start`, the Docker image): every dependency inlined, because
//   resolving and loading ~600 modules is most of a cold start (measured: ~850 → ~600 ms); split
//   into chunks at each dynamic import() (dist/chunks/), so what only one command or a rare request
//   needs (MCP, drift, verify --explore, Apollo's optional plugins) is neither parsed nor run at
//   `start` (scripts/cli-bundle.mjs; test/unit/project/start-path.test.ts keeps it so).
// - dist/index.js and dist/testing.js (the library and its test helpers): dependencies stay in
//   node_modules, shared with the caller's.
// - dist/dashboard/ (the web pages served at / and GET /graphql): the Preact dashboard and the
//   GraphiQL IDE, minified, content-hashed, with a gzip copy of each file and a manifest the
//   server reads. Everything a page needs is in there: users run the emulator offline.
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';
import { CLI_BUNDLE } from './cli-bundle.mjs';

const common = {
  bundle: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  sourcemap: true,
  logLevel: 'warning',
};
const DASHBOARD = 'dist/dashboard';

/** One browser page: its entry (TS + the CSS it imports) → hashed files; returns { js, css }. */
async function buildPage(name, entry, jsxImportSource, extra = {}) {
  const result = await build({
    entryPoints: { [name]: entry, ...extra },
    outdir: DASHBOARD,
    entryNames: '[name]-[hash]',
    assetNames: '[name]-[hash]',
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: ['chrome110', 'firefox115', 'safari16'],
    minify: true,
    legalComments: 'linked',
    jsx: 'automatic',
    jsxImportSource,
    define: { 'process.env.NODE_ENV': '"production"' },
    loader: { '.woff': 'file', '.woff2': 'file', '.ttf': 'file', '.svg': 'file' },
    metafile: true,
    logLevel: 'warning',
  });
  const page = {};
  for (const [file, output] of Object.entries(result.metafile.outputs)) {
    if (output.entryPoint && file.endsWith('.js')) {
      const key = Object.entries(extra).find(([, path]) => output.entryPoint === path)?.[0];
      if (key) page[key] = basename(file);
      else page.js = basename(file);
    }
    if (file.endsWith('.css') && output.inputs && !file.endsWith('.map')) page.css = basename(file);
  }
  return { page, files: Object.keys(result.metafile.outputs) };
}

rmSync(DASHBOARD, { recursive: true, force: true });
// Chunk names carry a hash: without this, every build would leave the previous build's chunks behind.
rmSync('dist/chunks', { recursive: true, force: true });
mkdirSync(DASHBOARD, { recursive: true });
const [, , dashboard, graphiql] = await Promise.all([
  build({ ...common, ...CLI_BUNDLE }),
  // Both library entries share one chunk: an app importing `guuru-emulator` and `guuru-emulator/testing` loads the code once.
  build({
    ...common,
    entryPoints: { index: 'src/index.ts', testing: 'src/testing/index.ts' },
    outdir: 'dist',
    packages: 'external',
    splitting: true,
    chunkNames: 'chunks/[name]-[hash]',
  }),
  // The SharedWorker that holds one event stream for all of a browser's dashboard tabs.
  buildPage('dashboard', 'src/dashboard/client/main.tsx', 'preact', { worker: 'src/dashboard/client/live-worker.ts' }),
  buildPage('graphiql', 'src/dashboard/client/graphiql.tsx', 'react'),
]);

// Pre-compressed copies: the server sends them as they are (no compression work per request).
const files = {};
for (const file of [...dashboard.files, ...graphiql.files]) {
  const name = basename(file);
  const body = readFileSync(file);
  const gzip = gzipSync(body, { level: 9 });
  if (gzip.length < body.length && !name.endsWith('.map')) writeFileSync(`${file}.gz`, gzip);
  files[name] = { bytes: body.length, gzip: Math.min(gzip.length, body.length) };
}
writeFileSync(
  join(DASHBOARD, 'manifest.json'),
  JSON.stringify({ dashboard: dashboard.page, graphiql: graphiql.page, files }, null, 2) + '\n',
);
