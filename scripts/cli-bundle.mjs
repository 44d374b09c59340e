// The CLI bundle's esbuild options (dist/main.js and its chunks), shared by scripts/build.mjs and
// the test that keeps command-only code out of the start path (test/unit/project/start-path.test.ts).
import { existsSync } from 'node:fs';
import { dirname, join, sep } from 'node:path';
import { createRequire } from 'node:module';

/**
 * iconv-lite without its single- and double-byte code pages (tables of Chinese, Japanese, Korean
 * and legacy charsets: 0.5 MiB, a sixth of the start path, and read on the first request). Only
 * body-parser and raw-body use it here, for express.json(), which refuses every charset but utf-*
 * before decoding (415): internal (utf-8, ucs-2…), utf-16, utf-32 and utf-7 stay.
 */
const iconvUnicodeOnly = {
  name: 'iconv-lite-unicode-only',
  setup(build) {
    build.onResolve({ filter: /^\.\/(sbcs|dbcs)-/ }, (args) =>
      args.importer.endsWith(`${sep}iconv-lite${sep}encodings${sep}index.js`)
        ? { path: args.path, namespace: 'iconv-code-page-left-out' }
        : undefined,
    );
    build.onLoad({ filter: /.*/, namespace: 'iconv-code-page-left-out' }, () => ({
      contents: 'module.exports = {};',
      loader: 'js',
    }));
  },
};

/** zod's translations of its messages (z.locales, 60 languages, 0.35 MiB): the emulator answers in English, which zod imports apart. */
const zodEnglishOnly = {
  name: 'zod-english-only',
  setup(build) {
    build.onResolve({ filter: /^\.\.\/locales\/index\.js$/ }, (args) =>
      args.importer.includes(`${sep}zod${sep}v4${sep}`)
        ? { path: args.path, namespace: 'zod-english-only' }
        : undefined,
    );
    build.onLoad({ filter: /.*/, namespace: 'zod-english-only' }, () => ({
      contents: "export { default as en } from 'zod/v4/locales/en.js';",
      loader: 'js',
      resolveDir: process.cwd(),
    }));
  },
};

/**
 * graphql-js as its ES modules (index.mjs, …) for every importer, CommonJS ones too: resolved by
 * its `main` field, the bundle took the CommonJS files, each a wrapper compiled twice, its 500
 * exports copied into a namespace object on load and read through getters on every call (a fifth of
 * the first query's start). One copy for all importers, as graphql-js requires.
 */
const graphqlEsm = {
  name: 'graphql-esm',
  setup(build) {
    const root = dirname(createRequire(import.meta.url).resolve('graphql/package.json'));
    build.onResolve({ filter: /^graphql(\/.*)?$/ }, (args) => {
      const file = join(
        root,
        `${args.path === 'graphql' ? 'index' : args.path.slice('graphql/'.length).replace(/\.m?js$/, '')}.mjs`,
      );
      return existsSync(file) ? { path: file } : undefined;
    });
  },
};

/** mime-types through scripts/bundle-shims/mime-types.cjs (evaluated on first use) for every importer but the shim. */
const mimeTypesOnFirstUse = {
  name: 'mime-types-on-first-use',
  setup(build) {
    const shim = join(process.cwd(), 'scripts', 'bundle-shims', 'mime-types.cjs');
    build.onResolve({ filter: /^mime-types$/ }, (args) => (args.importer === shim ? undefined : { path: shim }));
  },
};

export const CLI_BUNDLE = {
  entryPoints: { main: 'src/cli/entry.ts' },
  outdir: 'dist',
  // Each dynamic import() becomes a chunk loaded when the code runs: the start path parses only what it uses.
  splitting: true,
  chunkNames: 'chunks/cli-[hash]',
  // Dependencies whose bundled form would be slower than the package run from node_modules (see each file).
  alias: {
    '@apollo/utils.createhash': './scripts/bundle-shims/apollo-createhash.mjs',
    '@graphql-tools/schema': './scripts/bundle-shims/graphql-tools-schema.mjs',
  },
  plugins: [iconvUnicodeOnly, zodEnglishOnly, graphqlEsm, mimeTypesOnFirstUse],
  // Less to read and scan at each start (names are kept: stack traces and error messages still read).
  minifyWhitespace: true,
  minifySyntax: true,
  // Inlined CommonJS dependencies still call require() for Node built-ins.
  banner: {
    js: "import { createRequire as __guuruCreateRequire } from 'node:module'; const require = __guuruCreateRequire(import.meta.url);",
  },
};
