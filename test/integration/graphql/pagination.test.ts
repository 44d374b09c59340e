import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { errorCodes, startEmulator, type TestEmulator } from '../../helpers/emulator.js';

let t: TestEmulator;
beforeAll(async () => {
  t = await startEmulator();
});
afterAll(() => t.stop());

async function walk(direction: 'asc' | 'desc', first: number): Promise<{ ids: string[]; pages: number }> {
  const ids: string[] = [];
  let after: string | null = null;
  let pages = 0;
  for (;;) {
    const res: any = await t.gql(
      `query Walk($first: Int, $after: String, $dir: OrderDirection!) { partner { chats(first: $first, after: $after, orderBy: {field: id, direction: $dir}) {
        edges { cursor node { id } } pageInfo { hasNextPage endCursor } } } }`,
      { first, after, dir: direction },
    );
    expect(res.body.errors).toBeUndefined();
    const conn: any = res.body.data!.partner.chats;
    pages++;
    ids.push(...conn.edges.map((e: any) => e.node.id));
    if (conn.edges.length > 0) expect(conn.pageInfo.endCursor).toBe(conn.edges[conn.edges.length - 1].cursor);
    if (!conn.pageInfo.hasNextPage) break;
    after = conn.pageInfo.endCursor;
  }
  return { ids, pages };
}

describe('cursor pagination over chats', () => {
  it('walks every chat exactly once with first: 7, both ways, desc the reverse of asc', async () => {
    const total = t.emulator.store.tenant('guuru-qa')!.data.chats.length;
    const asc = await walk('asc', 7);
    const desc = await walk('desc', 7);
    expect(asc.ids).toHaveLength(total);
    expect(new Set(asc.ids).size).toBe(total);
    expect(desc.ids).toEqual([...asc.ids].reverse());
    expect(asc.pages).toBe(Math.ceil(total / 7));
  });

  it('orders by id as creation order (createdAt never decreases)', async () => {
    const res = await t.gql('{ partner { chats(first: 100) { edges { node { createdAt } } } } }');
    const times = res.body.data!.partner.chats.edges.map((e: any) => e.node.createdAt);
    expect([...times].sort((a, b) => a - b)).toEqual(times);
  });

  it('keeps a saved cursor valid when new chats arrive, in both directions', async () => {
    const first = await t.gql(
      '{ partner { chats(first: 5, orderBy: {field: id, direction: desc}) { edges { node { id } } pageInfo { endCursor } } } }',
    );
    const savedDesc = first.body.data!.partner.chats.pageInfo.endCursor;
    const firstAsc = await t.gql('{ partner { chats(first: 5) { pageInfo { endCursor } } } }');
    const savedAsc = firstAsc.body.data!.partner.chats.pageInfo.endCursor;
    const expectedDesc = await t.gql(
      `{ partner { chats(first: 5, after: "${savedDesc}", orderBy: {field: id, direction: desc}) { edges { node { id } } } } }`,
    );
    const expectedAsc = await t.gql(`{ partner { chats(first: 5, after: "${savedAsc}") { edges { node { id } } } } }`);

    for (let i = 0; i < 3; i++) {
      const res = await fetch(`${t.url}/_emulator/tenants/guuru-qa/chats`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ question: `New question ${i}`, language: 'de' }),
      });
      expect(res.status).toBe(201);
    }
    const againDesc = await t.gql(
      `{ partner { chats(first: 5, after: "${savedDesc}", orderBy: {field: id, direction: desc}) { edges { node { id } } } } }`,
    );
    const againAsc = await t.gql(`{ partner { chats(first: 5, after: "${savedAsc}") { edges { node { id } } } } }`);
    expect(againDesc.body.data).toEqual(expectedDesc.body.data);
    expect(againAsc.body.data).toEqual(expectedAsc.body.data);
    const newest = await t.gql(
      '{ partner { chats(first: 3, orderBy: {field: id, direction: desc}) { edges { node { question status } } } } }',
    );
    expect(newest.body.data!.partner.chats.edges.map((e: any) => e.node.question)).toEqual([
      'New question 2',
      'New question 1',
      'New question 0',
    ]);
  });

  it('pages messages, experts, submissions and pages with the same cursor rules', async () => {
    const lists = [
      'experts(first: 4, after: $after) { edges { cursor node { id } } pageInfo { hasNextPage endCursor } }',
      'submissions(first: 4, after: $after) { edges { cursor node { id } } pageInfo { hasNextPage endCursor } }',
      'pages(first: 4, after: $after) { edges { cursor node { id } } pageInfo { hasNextPage endCursor } }',
    ];
    for (const list of lists) {
      const name = list.slice(0, list.indexOf('('));
      const seen: string[] = [];
      let after: string | null = null;
      for (;;) {
        const res: any = await t.gql(`query L($after: String) { partner { ${list} } }`, { after });
        expect(res.body.errors, name).toBeUndefined();
        const conn = res.body.data.partner[name];
        seen.push(...conn.edges.map((e: any) => e.node.id));
        if (!conn.pageInfo.hasNextPage) break;
        after = conn.pageInfo.endCursor;
      }
      const all: any = await t.gql(`{ partner { ${name}(first: 100) { edges { node { id } } } } }`);
      expect(seen, name).toEqual(all.body.data.partner[name].edges.map((e: any) => e.node.id));
    }
  });

  it('returns empty edges, a null endCursor and no next page past the end', async () => {
    const last = await t.gql(
      '{ partner { chats(first: 1, orderBy: {field: id, direction: desc}) { pageInfo { endCursor } } } }',
    );
    const cursor = last.body.data!.partner.chats.pageInfo.endCursor;
    const res = await t.gql(
      `{ partner { chats(first: 10, after: "${cursor}") { edges { node { id } } pageInfo { hasNextPage endCursor } } } }`,
    );
    expect(res.body.data!.partner.chats).toEqual({ edges: [], pageInfo: { hasNextPage: false, endCursor: null } });
    const zero = await t.gql(
      '{ partner { chats(first: 0) { edges { node { id } } pageInfo { hasNextPage endCursor } } } }',
    );
    expect(zero.body.data!.partner.chats).toEqual({ edges: [], pageInfo: { hasNextPage: true, endCursor: null } });
  });
});

describe('bad pagination arguments', () => {
  const cases: [string, string, string][] = [
    ['a negative first', '{ partner { chats(first: -1) { edges { node { id } } } } }', 'first'],
    ['first above the maximum of 100', '{ partner { chats(first: 101) { edges { node { id } } } } }', 'first'],
    ['a malformed cursor', '{ partner { chats(after: "%%%") { edges { node { id } } } } }', 'after'],
    [
      'a cursor of another list',
      `{ partner { chats(after: "${Buffer.from('["page",1]').toString('base64url')}") { edges { node { id } } } } }`,
      'after',
    ],
    [
      'a base64 string that is not a cursor',
      `{ partner { chats(after: "${Buffer.from('hello').toString('base64url')}") { edges { node { id } } } } }`,
      'after',
    ],
    [
      'endDate before startDate',
      '{ partner { chats(startDate: 1700000000000, endDate: 1600000000000) { edges { node { id } } } } }',
      'endDate',
    ],
    [
      'messages with a negative first',
      '{ partner { chats(first: 1) { edges { node { messages(first: -5) { edges { node { id } } } } } } } }',
      'first',
    ],
  ];
  for (const [what, query, argumentName] of cases) {
    it(`refuses ${what} with BAD_USER_INPUT naming "${argumentName}"`, async () => {
      const res = await t.gql(query);
      expect(errorCodes(res)).toEqual(['BAD_USER_INPUT']);
      expect(res.body.errors![0]!.extensions!.argumentName).toBe(argumentName);
      expect(res.body.errors![0]!.message).toContain(argumentName);
      expect(JSON.stringify(res.body)).not.toMatch(/stacktrace|\n\s+at /);
    });
  }
});
