import { createRequire } from 'node:module';
import { defineConfig } from 'vitest/config';

const require = createRequire(import.meta.url);

export default defineConfig({
  resolve: {
    // graphql 16 ships CJS (main) and ESM (module) without an exports map: Node (and so Apollo)
    // loads the CJS build, Vite would pick the ESM one. One realm, or instanceof checks break.
    alias: [{ find: /^graphql$/, replacement: require.resolve('graphql') }],
  },
  test: {
    include: ['test/**/*.test.ts'],
    // Checks every control-API answer of the run against /_emulator/openapi.json at the end.
    globalSetup: ['./test/control-contract.setup.ts'],
    testTimeout: 20_000,
    hookTimeout: 30_000,
    // Two cores: keep file parallelism modest so timing-sensitive e2e tests are not starved.
    maxWorkers: 2,
    reporters: ['default', './test/helpers/summary-reporter.ts'],
  },
});
