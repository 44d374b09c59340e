import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { diff } from '@graphql-inspector/core';
import { buildClientSchema, buildSchema, graphqlSync, getIntrospectionQuery, type IntrospectionQuery } from 'graphql';
import { describe, expect, it } from 'vitest';
import { compareSchemas } from '../../../src/drift/graphql.js';
import { driftExitCode, summarize, type DriftChange } from '../../../src/drift/report.js';

const SDL = readFileSync(join(import.meta.dirname, '../../../schema.graphql'), 'utf8');
const introspectionOf = (sdl: string) =>
  graphqlSync({
    schema: buildSchema(sdl),
    source: getIntrospectionQuery({
      descriptions: true,
      specifiedByUrl: true,
      directiveIsRepeatable: true,
      inputValueDeprecation: true,
    }),
  }).data as unknown as IntrospectionQuery;

describe('the schema comparison of drift', () => {
  it('does not count directive usages, which introspection cannot carry, as drift', async () => {
    const live = introspectionOf(SDL);
    // What the diff library alone says: every @cacheControl usage "removed".
    const raw = await diff(buildSchema(SDL), buildClientSchema(live));
    expect(raw.filter((c) => c.type.startsWith('DIRECTIVE_USAGE_')).length).toBeGreaterThan(5);
    expect(await compareSchemas(SDL, live)).toEqual([]);
  });

  it('still reports a changed directive definition, and a removed type as one change', async () => {
    const withTag = `${SDL}\ntype ChatTag {\n  id: ID!\n  name: String\n}\n`;
    const changes = await compareSchemas(
      withTag,
      introspectionOf(SDL.replace('directive @cacheControl(maxAge: Int, ', 'directive @cacheControl(maxAge: String, ')),
    );
    expect(changes.map((c) => [c.level, c.type, c.path])).toEqual(
      expect.arrayContaining([
        ['breaking', 'DIRECTIVE_ARGUMENT_TYPE_CHANGED', '@cacheControl.maxAge'],
        ['breaking', 'TYPE_REMOVED', 'ChatTag'],
      ]),
    );
    expect(changes).toHaveLength(2);
  });

  it('turns levels into a status and an exit code under --fail-on', () => {
    const change = (level: DriftChange['level']): DriftChange => ({ api: 'graphql', level, type: 'X', message: 'x' });
    const run = (levels: DriftChange['level'][], failOn: DriftChange['level'], error?: string) =>
      summarize({ graphql: { url: 'u', changes: levels.map(change), ...(error ? { error } : {}) } }, failOn);
    expect(run([], 'breaking')).toEqual({ status: 'no-drift', summary: { breaking: 0, dangerous: 0, safe: 0 } });
    expect(run(['safe', 'dangerous'], 'breaking').status).toBe('drift');
    expect(run(['safe', 'dangerous'], 'dangerous').status).toBe('failed');
    expect(run(['breaking'], 'breaking').status).toBe('failed');
    expect(run(['breaking'], 'breaking', 'cannot reach').status).toBe('error');
    expect([
      driftExitCode({ status: 'no-drift' }),
      driftExitCode({ status: 'drift' }),
      driftExitCode({ status: 'failed' }),
      driftExitCode({ status: 'error' }),
    ]).toEqual([0, 0, 1, 2]);
  });
});
