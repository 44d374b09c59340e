import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildSchema } from '../../src/graphql/server.js';
import { startEmulator, type TestEmulator } from '../helpers/emulator.js';
import { fuzz, knownIds } from './runner.js';

// The short fuzz run of every `npm test` (seeded: the same requests each time). The long one is
// `npm run fuzz -- --requests 100000` against the built CLI; its figures are in the README.
const REQUESTS = 1_500;
const SEED = 20_261_122;

describe('fuzz (short, seeded)', () => {
  let t: TestEmulator;
  beforeAll(async () => {
    t = await startEmulator();
  });
  afterAll(() => t.stop());

  it(`${REQUESTS} generated requests (GraphQL from the schema, every REST and control route, malformed HTTP): no 5xx, no stack trace, always an answer`, async () => {
    const report = await fuzz({ baseUrl: t.url, schema: buildSchema(), ids: await knownIds(t.url), requests: REQUESTS, seed: SEED, concurrency: 6 });
    expect(report.findings, JSON.stringify(report.findings.slice(0, 5), null, 2)).toEqual([]);
    expect(report.serverErrors).toBe(0);
    expect(report.stackTraces).toBe(0);
    expect(report.unanswered).toBe(0);
    expect(Object.values(report.byKind).every((n) => n > 100)).toBe(true);
    // Still serving afterwards.
    expect((await fetch(`${t.url}/_emulator/health`)).status).toBe(200);
    expect((await t.gql('{ partner { id } }')).body.data).toBeDefined();
  }, 120_000);
});
