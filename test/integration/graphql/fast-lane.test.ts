import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getNamedType, isLeafType, type GraphQLObjectType } from 'graphql';
import { buildSchema } from '../../../src/graphql/server.js';
import { VirtualClock } from '../../../src/kernel/clock.js';
import { graphqlRequest, type FuzzRequest } from '../../fuzz/arbitraries.js';
import { knownIds } from '../../fuzz/runner.js';
import { DOCUMENTED_MUTATIONS, DOCUMENTED_QUERIES } from '../../helpers/documented-operations.js';
import { SEED_TIME, startEmulator, type TestEmulator } from '../../helpers/emulator.js';

// The fast lane (compiled execution of repeated queries) must answer byte for byte what Apollo
// answers: the same requests, in the same order, go to an emulator with the lane and to one
// without it (the reference executor), each three times (the lane compiles a document on its second
// sight), and every answer and journal entry is compared.

type Sent = Extract<FuzzRequest, { kind: 'graphql' | 'rest' }>;

/** What a client can observe of an answer; Date and the keep-alive headers vary by the second. */
interface Answer {
  status: number;
  headers: [string, string][];
  body: string;
}

const VARYING = new Set(['date', 'connection', 'keep-alive']);

async function send(base: string, request: Sent): Promise<Answer> {
  const res = await fetch(`${base}${request.path}`, {
    method: request.method,
    headers: request.headers,
    ...(request.body !== undefined ? { body: request.body as string } : {}),
  });
  const headers = [...res.headers.entries()].filter(([name]) => !VARYING.has(name));
  return { status: res.status, headers, body: await res.text() };
}

const asRequest = (operation: { query: string; variables?: unknown; operationName?: string }): Sent => ({
  kind: 'graphql',
  method: 'POST',
  path: '/graphql',
  headers: { 'content-type': 'application/json', authorization: 'Bearer demo-token' },
  body: JSON.stringify(operation),
});

/** Sends each request three times to both emulators (same order) and lists every answer that differs. */
async function compare(reference: string, candidate: string, requests: Sent[]): Promise<string[]> {
  const differences: string[] = [];
  for (const [index, request] of requests.entries()) {
    for (let round = 1; round <= 3; round++) {
      const expected = await send(reference, request);
      const actual = await send(candidate, request);
      if (JSON.stringify(expected) !== JSON.stringify(actual))
        differences.push(
          `request ${index} (${String(request.body ?? request.path).slice(0, 120)}), round ${round}:\n  Apollo ${JSON.stringify(expected).slice(0, 400)}\n  lane   ${JSON.stringify(actual).slice(0, 400)}`,
        );
    }
  }
  return differences;
}

/** The request journal without what depends on timing. */
async function journal(base: string): Promise<unknown[]> {
  const { requests } = (await (await fetch(`${base}/_emulator/requests?limit=10000`)).json()) as {
    requests: Record<string, unknown>[];
  };
  return requests.map(({ durationMs: _durationMs, ...entry }) => entry);
}

const fastLane = async (base: string) =>
  ((await (await fetch(`${base}/_emulator/health`)).json()) as { fastLane: { compiled: number; answered: number } })
    .fastLane;

/**
 * Valid queries the way clients vary them: a page of chats, experts or submissions of a generated
 * size and order, with a generated subset of their fields, by literal or by variable.
 */
function validQueries(): fc.Arbitrary<Sent> {
  const schema = buildSchema();
  const leaves = (type: string) =>
    Object.values((schema.getType(type) as GraphQLObjectType).getFields())
      .filter((f) => f.args.length === 0 && isLeafType(getNamedType(f.type)))
      .map((f) => f.name);
  const page = (field: string, node: string, orders: string[]) =>
    fc
      .record({
        fields: fc.subarray(leaves(node), { minLength: 1 }),
        size: fc.integer({ min: 1, max: 100 }),
        order: fc.constantFrom(...orders),
        direction: fc.constantFrom('asc', 'desc'),
        byVariable: fc.boolean(),
        alias: fc.constantFrom('', 'page: '),
      })
      .map(({ fields, size, order, direction, byVariable, alias }) => {
        const first = byVariable ? '$n' : String(size);
        const head = byVariable ? 'query Page($n: Int)' : 'query';
        const query = `${head} { partner { ${alias}${field}(first: ${first}, orderBy: {field: ${order}, direction: ${direction}}) { edges { cursor node { ${fields.join(' ')} } } pageInfo { hasNextPage endCursor } } } }`;
        return asRequest(byVariable ? { query, variables: { n: size } } : { query });
      });
  return fc.oneof(
    page('chats', 'Chat', ['id', 'createdAt']),
    page('experts', 'Expert', ['id']),
    page('submissions', 'Submission', ['id', 'reviewedAt']),
  );
}

let reference: TestEmulator;
let lane: TestEmulator;
let corpus: Sent[];

beforeAll(async () => {
  const options = { requestLogSize: 100_000, seed: 7 };
  reference = await startEmulator({ ...options, fastLane: false, clock: new VirtualClock(SEED_TIME) });
  lane = await startEmulator({ ...options, clock: new VirtualClock(SEED_TIME) });
  const ids = await knownIds(reference.url);
  corpus = fc.sample(graphqlRequest(buildSchema(), ids), { numRuns: 300, seed: 26 }) as Sent[];
  // Both emulators answered knownIds' reads once: the lane's first sightings, the journals alike.
  await knownIds(lane.url);
}, 60_000);
afterAll(async () => {
  await reference?.stop();
  await lane?.stop();
});

describe('GraphQL fast lane: a fresh emulator', () => {
  it('answers its first plain query without Apollo, and compiles a document once it repeats', async () => {
    const options = { seed: 7, clock: new VirtualClock(SEED_TIME) };
    const [fresh, apollo] = await Promise.all([
      startEmulator(options),
      startEmulator({ ...options, fastLane: false, clock: new VirtualClock(SEED_TIME) }),
    ]);
    try {
      const query = asRequest({ query: '{ partner { id } }' });
      expect(await send(fresh.url, query)).toEqual(await send(apollo.url, query));
      expect(await fastLane(fresh.url)).toMatchObject({ compiled: 0, answered: 1 });
      // graphql-jit loads in the background from the second sight on; until then graphql-js answers.
      let sent = 1;
      while ((await fastLane(fresh.url)).compiled === 0 && sent < 200) {
        expect(await send(fresh.url, query)).toEqual(await send(apollo.url, query));
        sent++;
      }
      expect(await fastLane(fresh.url)).toMatchObject({ compiled: 1, answered: sent });
    } finally {
      await Promise.all([fresh.stop(), apollo.stop()]);
    }
  });
});

describe('GraphQL fast lane: byte for byte what Apollo answers', () => {
  it('answers every documented query as Apollo does, and answers the repeats itself', async () => {
    const before = await fastLane(lane.url);
    expect(await compare(reference.url, lane.url, DOCUMENTED_QUERIES.map(asRequest))).toEqual([]);
    const after = await fastLane(lane.url);
    // Most documented queries succeed: each sending goes through the lane (graphql-js first, then compiled).
    expect(after.answered - before.answered).toBeGreaterThanOrEqual(3 * 15);
    expect((await fastLane(reference.url)).answered).toBe(0);
  });

  it('answers every documented mutation, and the queries after them, as Apollo does', async () => {
    const requests = [...DOCUMENTED_MUTATIONS, ...DOCUMENTED_QUERIES].map(asRequest);
    expect(await compare(reference.url, lane.url, requests)).toEqual([]);
  });

  it('answers the fuzz corpus (valid, corrupted, batched, GET, odd headers) as Apollo does', async () => {
    // Mostly refusals (the fuzzer's documents are random): the lane must leave every one to Apollo.
    expect(await compare(reference.url, lane.url, corpus)).toEqual([]);
  }, 120_000);

  it('answers odd bodies (invalid JSON, a BOM, bad UTF-8, whitespace, batches, charsets) as Apollo does', async () => {
    const json = (body: string | Uint8Array, contentType = 'application/json'): Sent => ({
      kind: 'graphql',
      method: 'POST',
      path: '/graphql',
      headers: { 'content-type': contentType, authorization: 'Bearer demo-token' },
      body,
    });
    const q = JSON.stringify({ query: '{ partner { id } }' });
    const odd = [
      json('{"query":'),
      json(`\ufeff${q}`),
      json(
        Uint8Array.from([...Buffer.from('{"query":"{ partner { id } }", "x": "'), 0xff, 0xfe, ...Buffer.from('"}')]),
      ),
      json(`  \n${q}`),
      json(`[${q},${q}]`),
      json('{}'),
      json('"just a string"'),
      json('{"query": "{ partner { id } }"} trailing'),
      json(q, 'application/json; charset=utf-8'),
      json(q, 'APPLICATION/JSON; CHARSET=UTF-8'),
      json(q, 'application/json; charset=latin1'),
      json(q, 'application/json; charset=utf-16'),
      json(JSON.stringify({ query: '{ partner { id } }', variables: 'x' })),
      json(JSON.stringify({ query: '{ partner { id } }', extensions: { persistedQuery: { version: 1 } } })),
      json(JSON.stringify({ query: `{ partner { id name } }`, variables: null, operationName: null })),
      { ...json(q), headers: { 'content-type': 'application/json', authorization: 'demo-token' } },
      { ...json(q), headers: { 'content-type': 'application/json', authorization: 'Bearer nope' } },
      { ...json(q), headers: { ...json(q).headers, accept: 'application/graphql-response+json' } },
      { ...json(q), headers: { ...json(q).headers, accept: 'application/json; callbackSpec=1.0' } },
      { ...json(q), headers: { ...json(q).headers, accept: 'text/html' } },
      { ...json(q), headers: { ...json(q).headers, accept: 'multipart/mixed; deferSpec=20220824, application/json' } },
    ];
    expect(await compare(reference.url, lane.url, odd)).toEqual([]);
  });

  it('answers generated valid queries (page sizes, orders, field subsets, variables) as Apollo does', async () => {
    const before = await fastLane(lane.url);
    const queries = fc.sample(validQueries(), { numRuns: 150, seed: 26 });
    expect(await compare(reference.url, lane.url, queries)).toEqual([]);
    const after = await fastLane(lane.url);
    expect(after.answered - before.answered).toBeGreaterThanOrEqual(2 * 140);
  }, 120_000);

  it('leaves the request journal as Apollo does', async () => {
    const [expected, actual] = await Promise.all([journal(reference.url), journal(lane.url)]);
    expect(actual.length).toBeGreaterThan(1000);
    expect(actual).toEqual(expected);
  });

  it('answers GET /gurusup/threads (both paths, keys, conditional requests) as Express does', async () => {
    const get = (path: string, headers: Record<string, string> = { 'x-api-key': 'demo-api-key' }): Sent => ({
      kind: 'rest',
      method: 'GET',
      path,
      headers,
    });
    // Both asked once more (the journals stay alike); the ETag is the same on both.
    const [tag] = await Promise.all(
      [reference, lane].map(async (e) => (await send(e.url, get('/gurusup/threads'))).headers),
    );
    const etag = tag?.find(([name]) => name === 'etag')?.[1] ?? '';
    const requests = [
      get('/gurusup/threads'),
      get('/gurusup/api/v1/threads'),
      get('/gurusup/threads', { 'x-api-key': ' demo-api-key ' }),
      get('/gurusup/threads', { 'x-api-key': 'wrong' }),
      get('/gurusup/threads', {}),
      get('/gurusup/threads', { 'x-api-key': 'demo-api-key', 'if-none-match': etag }),
      get('/gurusup/threads', { 'x-api-key': 'demo-api-key', 'if-none-match': 'W/"other"' }),
      get('/gurusup/threads?page=2'),
      get('/gurusup/threads/'),
      { ...get('/gurusup/threads'), method: 'HEAD' },
    ];
    expect(await compare(reference.url, lane.url, requests)).toEqual([]);
    const [expected, actual] = await Promise.all([journal(reference.url), journal(lane.url)]);
    expect(actual).toEqual(expected);
  });

  it('the comparison finds differences when there are some (an emulator with another seed)', async () => {
    const other = await startEmulator({ seed: 8, fastLane: false, clock: new VirtualClock(SEED_TIME) });
    try {
      const differences = await compare(reference.url, other.url, DOCUMENTED_QUERIES.slice(0, 6).map(asRequest));
      expect(differences.length).toBeGreaterThan(0);
    } finally {
      await other.stop();
    }
  });
});
