import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { optionsFromEnv } from '../../../src/config/config.js';
import { DEFAULT_GRAPHQL_LIMITS } from '../../../src/index.js';
import { startEmulator, type GraphQLResult, type TestEmulator } from '../../helpers/emulator.js';

const aliases = (n: number, body: string) => Array.from({ length: n }, (_, i) => `a${i}: ${body}`).join(' ');

/** The cost attacks of issue 12, shaped to stay under the alias limit so the cost limit is what refuses them. */
const ATTACKS: Record<string, string> = {
  // experts(first: 100) → partners → chats(first: 100), 20 times over.
  'experts × partners × chats': `{ partner { ${aliases(20, 'experts(first: 100) { edges { node { partners { edges { node { chats(first: 100) { edges { node { id question } } } } } } } } }')} } }`,
  // 30 aliases of chats(first: 100) → messages(first: 100).
  'chats × messages': `{ partner { ${aliases(30, 'chats(first: 100) { edges { node { id messages(first: 100) { edges { node { id createdAt } } } } } }')} } }`,
};

const expectRefusal = (res: GraphQLResult, reason: string, flag: string) => {
  expect(res.status).toBe(400);
  expect(res.body.data).toBeUndefined();
  const error = res.body.errors![0]!;
  expect(error.extensions).toMatchObject({ code: 'GRAPHQL_VALIDATION_FAILED', reason });
  expect(error.message).toContain(`limit of ${String(error.extensions!.limit)} exceeded`);
  expect(error.message).toContain(flag);
  expect(JSON.stringify(res.body)).not.toMatch(/\n\s+at |stacktrace/);
};

describe('GraphQL limits (defaults)', () => {
  let t: TestEmulator;
  beforeAll(async () => {
    t = await startEmulator();
  });
  afterAll(() => t.stop());

  for (const [name, query] of Object.entries(ATTACKS)) {
    it(`refuses the cost attack "${name}" before running it, serving a small query meanwhile`, async () => {
      const rssBefore = process.memoryUsage().rss;
      const bombs = Array.from({ length: 20 }, () => t.gql(query));
      const small = t.gql('{ partner { id } }');
      const [smallRes, ...bombRes] = await Promise.all([small, ...bombs]);
      expect(smallRes!.body.data).toEqual({ partner: { id: 'guuru-qa' } });
      for (const res of bombRes) expectRefusal(res, 'MAX_COST', '--max-query-cost');
      expect(bombRes[0]!.body.errors![0]!.extensions!.found).toBeGreaterThan(DEFAULT_GRAPHQL_LIMITS.cost);
      // Nothing ran: 20 refusals leave the memory where it was (each attack, run, took hundreds of MB).
      expect(process.memoryUsage().rss - rssBefore).toBeLessThan(64 * 1024 * 1024);
    });
  }

  it('counts page sizes given as variables, and left-out ones at their default', async () => {
    const query = `query Export($n: Int, $m: Int) { partner { ${aliases(20, 'chats(first: $n) { edges { node { id messages(first: $m) { edges { node { id } } } } } }')} } }`;
    expectRefusal(await t.gql(query, { n: 100, m: 100 }), 'MAX_COST', '--max-query-cost');
    const small = await t.gql(query, { n: 2, m: 2 });
    expect(small.body.errors).toBeUndefined();
    expect(small.body.data!.partner.a0.edges).toHaveLength(2);
    // A variable without a value counts as the largest page.
    expectRefusal(await t.gql(query), 'MAX_COST', '--max-query-cost');
  });

  it('accepts the heaviest documented read: 100 chats with their expert and 100 messages each', async () => {
    const res = await t.gql(
      `{ partner { chats(first: 100) { edges { node { id status acceptedAt closedAt expert { id name } messages(first: 100) { edges { node { id type createdAt ... on TextMessage { text } author { __typename } } } } } } } } }`,
    );
    expect(res.body.errors).toBeUndefined();
    expect(res.body.data!.partner.chats.edges.length).toBeGreaterThan(0);
  });

  it('refuses too many aliases, directives and tokens, each naming its limit and flag', async () => {
    expectRefusal(await t.gql(`{ partner { ${aliases(31, 'id')} } }`), 'MAX_ALIASES', '--max-aliases');
    expect((await t.gql(`{ partner { ${aliases(30, 'id')} } }`)).body.errors).toBeUndefined();
    expectRefusal(
      await t.gql(`{ partner { id ${'@include(if: true) '.repeat(51)} } }`),
      'MAX_DIRECTIVES',
      '--max-directives',
    );
    const tokens = await t.gql(`{ partner { ${'id '.repeat(5_001)} } }`);
    expect(tokens.status).toBe(400);
    expect(tokens.body.errors![0]).toMatchObject({
      extensions: { code: 'GRAPHQL_VALIDATION_FAILED', reason: 'MAX_TOKENS', limit: 5_000 },
    });
    expect(tokens.body.errors![0]!.message).toContain('--max-tokens');
  });

  it('answers a 5,000-fragment chain and thousands of nested levels as client errors', async () => {
    const chain = (n: number) =>
      `{ partner { ...F0 } } ${Array.from({ length: n }, (_, i) => `fragment F${i} on Partner { id ...F${i + 1} }`).join(' ')} fragment F${n} on Partner { id }`;
    const long = await t.gql(chain(5_000));
    expect(long.status).toBe(400);
    expect(long.body.errors![0]!.extensions!.code).toBe('GRAPHQL_VALIDATION_FAILED');
    const nested = await t.gql(
      `{ partner { chats(after: ${'['.repeat(3_000)}1${']'.repeat(3_000)}) { edges { cursor } } } }`,
    );
    expect(nested.status).toBe(400);
    expect(nested.body.errors![0]).toMatchObject({ extensions: { code: 'GRAPHQL_PARSE_FAILED', reason: 'MAX_DEPTH' } });
    expect(nested.body.errors![0]!.message).toMatch(/nests too deeply/);
  });

  it('refuses a subscription operation as a client error that points to webhooks', async () => {
    const res = await t.gql('subscription { partner { id } }');
    expect(res.status).toBe(400);
    expect(res.body.errors![0]).toMatchObject({
      extensions: { code: 'GRAPHQL_VALIDATION_FAILED', reason: 'SUBSCRIPTIONS_UNSUPPORTED' },
    });
    expect(res.body.errors![0]!.message).toMatch(/no subscriptions.*webhooks/);
  });
});

describe('GraphQL limits (configured)', () => {
  it('takes each limit from its option', async () => {
    const t = await startEmulator({ maxQueryCost: 40, maxAliases: 1, maxDirectives: 0, maxTokens: 100, maxDepth: 5 });
    try {
      const cheap = await t.gql('{ partner { chats(first: 1) { edges { node { id } } } } }');
      expect(cheap.body.errors).toBeUndefined();
      const dear = await t.gql('{ partner { chats(first: 10) { edges { node { id } } } } }');
      expect(dear.body.errors![0]!.extensions).toMatchObject({ reason: 'MAX_COST', limit: 40 });
      expect((await t.gql('{ partner { a: id b: id } }')).body.errors![0]!.extensions).toMatchObject({
        reason: 'MAX_ALIASES',
        limit: 1,
      });
      expect((await t.gql('{ partner { id @skip(if: false) } }')).body.errors![0]!.extensions).toMatchObject({
        reason: 'MAX_DIRECTIVES',
        limit: 0,
      });
      expect((await t.gql(`{ partner { ${'id '.repeat(101)} } }`)).body.errors![0]!.extensions).toMatchObject({
        reason: 'MAX_TOKENS',
        limit: 100,
      });
      expect(
        (await t.gql('{ partner { community { experts { edges { node { expertId } } } } } }')).body.errors![0]!
          .extensions,
      ).toMatchObject({ reason: 'MAX_DEPTH' });
    } finally {
      await t.stop();
    }
  });

  it('reads the limits from the environment', () => {
    expect(
      optionsFromEnv({
        MAX_QUERY_COST: '1000',
        MAX_ALIASES: '5',
        MAX_DIRECTIVES: '6',
        MAX_TOKENS: '700',
        MAX_DEPTH: '8',
      }),
    ).toMatchObject({
      maxQueryCost: 1000,
      maxAliases: 5,
      maxDirectives: 6,
      maxTokens: 700,
      maxDepth: 8,
    });
  });
});
