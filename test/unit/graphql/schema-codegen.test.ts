import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
// @ts-expect-error: a plain .mjs build script without type declarations
import { generateResolverTypes } from '../../../scripts/codegen.mjs';

describe('resolver types', () => {
  it('are generated from schema.graphql and up to date (run npm run codegen after changing the schema)', async () => {
    const committed = readFileSync('src/graphql/generated/resolvers-types.ts', 'utf8');
    expect(await (generateResolverTypes as () => Promise<string>)()).toBe(committed);
  });
});
