// The import rules of src/, stated once (docs/architecture.md points here) as rules between folders.
// `npm run lint` runs dependency-cruiser with them; a new import that breaks one fails the build.
//
//   kernel/   clock, random, generators, logger, paths, version: imported by anyone, imports nothing else
//   config/   the option schema and the config-file reader: imports only kernel/
//   store/    the data model and persistence: imports only kernel/
//   domain/   every state change and rule: imports store/ and kernel/, never an adapter
//   journal/  the request journal (an observation seam): imports only kernel/
//   http/     the HTTP edge (error shape, guard, CORS): imports domain/ (its errors), config/, kernel/
//   adapters  graphql/ gurusup/ webhooks/ scenarios/ verify/: each imports domain/, store/, journal/,
//             http/, config/ and kernel/, never another adapter
//   faces     control/ and dashboard/ (the operator's view of every part) may also import adapters
//   drift/    the comparison of a live API with the emulator (`guuru-emulator drift`): imports only
//             kernel/ (the emulator side, the schema and the Gurusup document, is passed in by cli/);
//             only cli/ imports it
//   root      app/ (the composition root), cli/ (the commands), testing/ (the public test helpers,
//             which start emulators), mcp/ (the MCP server: it acts through testing/'s control
//             client) and the package entry src/index.ts compose everything; no part imports them,
//             app/ imports neither cli/ nor testing/ (it mounts mcp/'s HTTP transport), testing/
//             does not import cli/, mcp/ imports neither app/ nor cli/
const ADAPTERS = ['graphql', 'gurusup', 'webhooks', 'scenarios', 'verify'];
const FACES = ['control', 'dashboard'];
const ROOT = ['app', 'cli', 'testing', 'mcp'];
const folder = (names) => `^src/(${names.join('|')})/`;
/** Anything in src/ outside the given folders (the package entry at the root included). */
const outside = (names) => ({ path: '^src/', pathNot: folder(names) });

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'no-cycles',
      severity: 'error',
      comment: 'Import cycles make start-up order and mocking fragile: move the shared piece down a layer.',
      from: { path: '^src/' },
      to: { circular: true },
    },
    {
      name: 'kernel-imports-no-folder',
      severity: 'error',
      comment:
        'kernel/ (clock, random, generators, logger, paths, version) is imported by everyone, so it imports nothing else of src/.',
      from: { path: '^src/kernel/' },
      to: outside(['kernel']),
    },
    {
      name: 'config-imports-only-the-kernel',
      severity: 'error',
      comment: 'config/ holds plain settings; what they switch on is wired in app/.',
      from: { path: '^src/config/' },
      to: outside(['config', 'kernel']),
    },
    {
      name: 'store-imports-only-the-kernel',
      severity: 'error',
      comment: 'store/ holds data and persistence; rules belong in domain/, wire formats in adapters.',
      from: { path: '^src/store/' },
      to: outside(['store', 'kernel']),
    },
    {
      name: 'domain-imports-no-adapter',
      severity: 'error',
      comment:
        'domain/ knows nothing of HTTP, GraphQL, webhooks or scenarios: adapters call it and listen to its events.',
      from: { path: '^src/domain/' },
      to: outside(['domain', 'store', 'kernel']),
    },
    {
      name: 'domain-imports-no-framework',
      severity: 'error',
      comment: 'domain/ knows nothing of HTTP, GraphQL or persistence libraries.',
      from: { path: '^src/domain/' },
      to: { path: 'node_modules/(express|@apollo|@as-integrations|graphql|lowdb)/' },
    },
    {
      name: 'journal-imports-only-the-kernel',
      severity: 'error',
      comment: 'journal/ only records what adapters tell it.',
      from: { path: '^src/journal/' },
      to: outside(['journal', 'kernel']),
    },
    {
      name: 'http-imports-no-adapter',
      severity: 'error',
      comment:
        'http/ is the shared HTTP edge of every adapter: it maps domain errors and guards requests, and knows no adapter.',
      from: { path: '^src/http/' },
      to: outside(['http', 'domain', 'config', 'kernel']),
    },
    {
      name: 'adapters-do-not-import-each-other',
      severity: 'error',
      comment:
        'An adapter (graphql, gurusup, webhooks, scenarios, verify) never imports another one: share through domain/ (commands, events), or let the composition root (app/) pass a function in.',
      from: { path: folder(ADAPTERS) },
      to: { path: folder([...ADAPTERS, ...FACES]), pathNot: '^src/$1/' },
    },
    {
      name: 'drift-imports-only-the-kernel',
      severity: 'error',
      comment:
        'drift/ compares a live API with what the emulator ships; cli/ passes the emulator side in, so drift/ knows no part of the emulator.',
      from: { path: '^src/drift/' },
      to: outside(['drift', 'kernel']),
    },
    {
      name: 'only-the-commands-import-drift',
      severity: 'error',
      comment: 'drift/ serves the `drift` command; no part of a running emulator needs it.',
      from: { path: '^src/', pathNot: `${folder(['cli', 'drift'])}` },
      to: { path: '^src/drift/' },
    },
    {
      name: 'nothing-imports-the-root',
      severity: 'error',
      comment: 'app/, cli/, testing/, mcp/ and the package entry compose the parts; no part imports them.',
      from: { path: '^src/', pathNot: `${folder(ROOT)}|^src/[^/]+$` },
      to: { path: `${folder(ROOT)}|^src/[^/]+$` },
    },
    {
      name: 'app-imports-no-command',
      severity: 'error',
      comment:
        'app/ builds and runs an emulator; the commands (cli/) and the test helpers (testing/) use it, not the other way round.',
      from: { path: '^src/app/' },
      to: { path: `${folder(['cli', 'testing'])}|^src/[^/]+$` },
    },
    {
      name: 'testing-imports-no-command',
      severity: 'error',
      comment: 'testing/ is a library for test suites: it starts emulators through app/, never through a CLI command.',
      from: { path: '^src/testing/' },
      to: { path: `${folder(['cli'])}|^src/[^/]+$` },
    },
    {
      name: 'mcp-talks-through-the-client',
      severity: 'error',
      comment:
        'mcp/ drives an emulator only through the control API and the Admin API (testing/control-client.ts), so stdio and HTTP share one tool table; app/ mounts it, cli/ serves it on stdio.',
      from: { path: '^src/mcp/' },
      to: { path: `${folder(['app', 'cli'])}|^src/[^/]+$` },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '^src/graphql/generated/' },
    tsConfig: { fileName: 'tsconfig.json' },
    tsPreCompilationDeps: true,
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default', 'types'],
      extensions: ['.ts', '.js', '.json'],
    },
  },
};
