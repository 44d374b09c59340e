// The import rules of src/, stated once (docs/architecture.md points here). `npm run lint` runs
// dependency-cruiser with them; a new import that breaks one fails the build.
//
//   kernel   clock, random, logger, paths, version, config: imported by anyone, imports no folder
//   store/   the data model and persistence: imports only the kernel
//   domain/  every state change and rule: imports store/ and the kernel, never an adapter
//   journal/ the request journal (an observation seam): imports only the kernel
//   adapters graphql/ gurusup/ webhooks/ scenarios/ verify/: each imports domain/, store/, journal/,
//            the kernel and http-errors.ts, never another adapter
//   faces    control/ and dashboard/ (the operator's view of every part) may also import adapters
//   root     emulator.ts, main.ts, index.ts, the *-cli.ts commands, testing/: compose everything
const ADAPTERS = ['graphql', 'gurusup', 'webhooks', 'scenarios', 'verify'];
const FACES = ['control', 'dashboard'];
const folder = (names) => `^src/(${names.join('|')})/`;

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
      comment: 'The kernel (clock, random, logger, paths, version, config) is imported by everyone, so it imports none of the folders.',
      from: { path: '^src/[^/]+[.]ts$', pathNot: '^src/(emulator|main|index|[a-z-]+-cli)[.]ts$|^src/http-errors[.]ts$' },
      to: { path: '^src/[^/]+/' },
    },
    {
      name: 'store-imports-only-the-kernel',
      severity: 'error',
      comment: 'store/ holds data and persistence; rules belong in domain/, wire formats in adapters.',
      from: { path: '^src/store/' },
      to: { path: '^src/[^/]+/', pathNot: '^src/store/' },
    },
    {
      name: 'domain-imports-no-adapter',
      severity: 'error',
      comment: 'domain/ knows nothing of HTTP, GraphQL, webhooks or scenarios: adapters call it and listen to its events.',
      from: { path: '^src/domain/' },
      to: { path: `${folder([...ADAPTERS, ...FACES, 'journal'])}|^src/(http-errors|emulator|main|index)[.]ts$` },
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
      to: { path: '^src/[^/]+/', pathNot: '^src/journal/' },
    },
    {
      name: 'adapters-do-not-import-each-other',
      severity: 'error',
      comment:
        'An adapter (graphql, gurusup, webhooks, scenarios, verify) never imports another one: share through domain/ (commands, events), or let the composition root (emulator.ts) pass a function in.',
      from: { path: `^src/(${ADAPTERS.join('|')})/` },
      to: { path: folder([...ADAPTERS, ...FACES]), pathNot: '^src/$1/' },
    },
    {
      name: 'nothing-imports-the-root',
      severity: 'error',
      comment: 'emulator.ts, main.ts and index.ts compose the parts; no part imports them (testing/ is part of the root: the test helpers start emulators).',
      from: { path: '^src/[^/]+/', pathNot: '^src/testing/' },
      to: { path: '^src/(emulator|main|index)[.]ts$' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '^src/graphql/generated/' },
    tsConfig: { fileName: 'tsconfig.json' },
    tsPreCompilationDeps: true,
    enhancedResolveOptions: { exportsFields: ['exports'], conditionNames: ['import', 'require', 'node', 'default', 'types'], extensions: ['.ts', '.js', '.json'] },
  },
};
