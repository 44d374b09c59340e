import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
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
    const report = await fuzz({
      baseUrl: t.url,
      schema: buildSchema(),
      ids: await knownIds(t.url),
      requests: REQUESTS,
      seed: SEED,
      concurrency: 6,
    });
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

describe('the fuzzer itself', () => {
  it('reports a server that answers 5xx, shows a stack trace or never answers', async () => {
    // A broken server: the first GraphQL request sent by fetch (its Host has the port; the raw ones' has
    // not) never gets an answer, the others get 500s and stack traces in turn.
    let n = 0;
    let hung = false;
    const server = createServer((req, res) => {
      n += 1;
      req.resume();
      if (!hung && req.url === '/graphql' && req.headers.host?.includes(':')) {
        hung = true;
        return;
      }
      if (n % 2 === 0) res.writeHead(500).end('Internal Server Error');
      else
        res
          .writeHead(400, { 'content-type': 'text/plain' })
          .end('TypeError: x is undefined\n    at handler (/app/dist/main.js:12:3)');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const ids = {
        token: 't',
        gurusupKey: 'k',
        tenant: 'guuru-qa',
        chats: ['c'],
        personas: ['p'],
        submissions: ['s'],
        pages: ['p'],
        experts: ['e'],
        threads: ['t'],
        gurusupMessages: ['m'],
        scenarios: ['happy-path'],
      };
      const report = await fuzz({
        baseUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
        schema: buildSchema(),
        ids,
        requests: 24,
        seed: SEED,
        concurrency: 8,
      });
      expect(report.serverErrors).toBeGreaterThan(0);
      expect(report.stackTraces).toBeGreaterThan(0);
      expect(report.unanswered).toBe(1);
      expect(report.findings.map((f) => f.problem)).toEqual(
        expect.arrayContaining(['5xx', 'stack trace', 'no answer']),
      );
    } finally {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  }, 30_000);
});
