import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { errorCodes, startEmulator, type TestEmulator } from '../../helpers/emulator.js';

// Every query the vendor pages show, sent as the pages send it.
let t: TestEmulator;
beforeAll(async () => {
  t = await startEmulator();
});
afterAll(() => t.stop());

describe('Queries page', () => {
  it('answers the Chat State example with the documented shape', async () => {
    const res = await t.gql('query { partner { id state { chat { isAvailable } } } }');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ data: { partner: { id: 'guuru-qa', state: { chat: { isAvailable: true } } } } });
  });

  it('lists the 3 most recent chats, newest first, with pageInfo', async () => {
    const res = await t.gql(`query { partner { chats(first: 3, orderBy: {field: id, direction: desc}) {
      edges { node { id createdAt question } } pageInfo { hasNextPage endCursor } } } }`);
    const chats = res.body.data?.partner.chats;
    expect(chats.edges).toHaveLength(3);
    const created = chats.edges.map((e: any) => e.node.createdAt);
    expect([...created].sort((a, b) => b - a)).toEqual(created);
    expect(chats.pageInfo.hasNextPage).toBe(true);
    expect(typeof chats.pageInfo.endCursor).toBe('string');
  });
});

describe('Examples page: Fetch Chats', () => {
  // The example builds its query text by interpolation and omits `after` on the first call.
  const fetchSomeChats = (first: number, after?: string) =>
    t.gql(`
        {
          partner {
            chats(
              first: ${first}
              ${after ? `after: "${after}"` : ''}
              orderBy: {
                field: id
                direction: asc
              }
            ) {
              edges {
                node {
                  status
                  question
                  rating
                  user {
                    name
                    email
                  }
                }
              }
              pageInfo {
                hasNextPage
                endCursor
              }
            }
          }
        }
      `);

  it('fetches every chat incrementally, 100 at a time', async () => {
    const seen: any[] = [];
    let after: string | undefined;
    let hasNextPage: boolean;
    let requests = 0;
    do {
      const { body } = await fetchSomeChats(100, after);
      expect(body.errors).toBeUndefined();
      const { chats } = body.data!.partner;
      chats.edges.forEach(({ node }: any) => seen.push(node));
      after = chats.pageInfo.endCursor;
      hasNextPage = chats.pageInfo.hasNextPage;
      requests++;
    } while (hasNextPage);
    expect(seen.length).toBe(t.emulator.store.tenant('guuru-qa')!.data.chats.length);
    expect(seen.length).toBeGreaterThanOrEqual(250);
    expect(requests).toBe(Math.ceil(seen.length / 100));
    const rated = seen.filter((c) => c.status === 'rated');
    expect(rated.length).toBeGreaterThan(0);
    expect(rated.every((c) => ['good', 'average', 'bad'].includes(c.rating))).toBe(true);
    expect(seen.filter((c) => c.status !== 'rated').every((c) => c.rating === null)).toBe(true);
    expect(seen.every((c) => typeof c.question === 'string' && c.question.length > 0)).toBe(true);
  });

  it('resumes from a persisted cursor and returns only chats created since', async () => {
    const other = await startEmulator();
    try {
      let after: string | undefined;
      let hasNextPage = true;
      while (hasNextPage) {
        const { body } = await fetchSomeChats(100, after);
        after = body.data!.partner.chats.pageInfo.endCursor ?? after;
        hasNextPage = body.data!.partner.chats.pageInfo.hasNextPage;
      }
      const created = await fetch(`${other.url}/_emulator/tenants/guuru-qa/chats`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ question: 'Is the new collection out yet?' }),
      });
      expect(created.status).toBe(201);
      // The cursor came from another emulator with the same seed: positions are the same.
      const next =
        await other.gql(`{ partner { chats(first: 100, after: "${after}", orderBy: {field: id, direction: asc}) {
        edges { node { id question status } } pageInfo { hasNextPage endCursor } } } }`);
      const edges = next.body.data!.partner.chats.edges;
      expect(edges.map((e: any) => e.node.question)).toEqual(['Is the new collection out yet?']);
      expect(edges[0].node.status).toBe('created');
    } finally {
      await other.stop();
    }
  });
});

describe('Examples page: Fetch Payouts', () => {
  const query = `query Payouts($first: Int!, $after: String, $period: Timestamp!) {
      partner {
        payouts(period: $period) {
          experts(first: $first, after: $after) {
            edges {
              node {
                name
                email
                balances {
                  amount
                  currency
                }
                partners {
                  edges {
                    verificationCode
                  }
                }
              }
            }
            pageInfo {
              hasNextPage
              endCursor
            }
          }
        }
      }
    }`;

  it('pages through January 2019 with the PHP variables, every expert with a positive balance', async () => {
    const all: any[] = [];
    let page: any = { pageInfo: { endCursor: null } };
    do {
      const res = await t.gql(query, { period: 1546300800000, first: 100, after: page.pageInfo.endCursor });
      expect(res.body.errors).toBeUndefined();
      page = res.body.data!.partner.payouts.experts;
      all.push(...page.edges.map((e: any) => e.node));
    } while (page.pageInfo.hasNextPage);
    expect(all.length).toBeGreaterThan(0);
    for (const expert of all) {
      expect(expert.balances.length).toBeGreaterThan(0);
      for (const b of expert.balances) {
        expect(Number.isInteger(b.amount)).toBe(true);
        expect(b.amount).toBeGreaterThan(0);
        expect(b.currency).toMatch(/^[A-Z]{3}$/);
      }
      expect(expert.partners.edges).toHaveLength(1);
      expect(expert.partners.edges[0].verificationCode).toMatch(/^[A-Z0-9]{4}-[A-Z0-9]{4}$/);
    }
  });

  it('accepts period on experts (Types page form) with the same answer', async () => {
    const outer = await t.gql(
      '{ partner { payouts(period: 1546300800000) { experts(first: 100) { edges { node { id balance { amount } } } } } } }',
    );
    const inner = await t.gql(
      '{ partner { payouts { experts(first: 100, period: 1546300800000) { edges { node { id balance { amount } } } } } } }',
    );
    expect(inner.body.errors).toBeUndefined();
    expect(inner.body.data).toEqual(outer.body.data);
  });

  it('has payouts for every month from January 2019 to the current month', async () => {
    const months: number[] = [];
    for (
      let d = new Date(Date.UTC(2019, 0, 1));
      d.getTime() <= Date.UTC(2026, 10, 1);
      d.setUTCMonth(d.getUTCMonth() + 1)
    )
      months.push(d.getTime());
    for (const period of [months[0], months[30], months[months.length - 1]]) {
      const res = await t.gql(
        'query P($p: Timestamp!) { partner { payouts(period: $p) { experts { edges { node { id } } } } } }',
        { p: period },
      );
      expect(
        res.body.data!.partner.payouts.experts.edges.length,
        `period ${new Date(period!).toISOString()}`,
      ).toBeGreaterThan(0);
    }
  });

  it('refuses a payouts query without any period, naming the argument', async () => {
    const res = await t.gql('{ partner { payouts { experts(first: 10) { edges { node { id } } } } } }');
    expect(errorCodes(res)).toEqual(['BAD_USER_INPUT']);
    expect(res.body.errors![0]!.message).toMatch(/period/);
    expect(res.body.errors![0]!.extensions!.argumentName).toBe('period');
  });
});

describe('Mutations page selections on the read side', () => {
  it('resolves the acceptChat message selection (id, type, attachment, author ids) on a chat', async () => {
    const res =
      await t.gql(`{ partner { chats(first: 100, orderBy: {field: id, direction: desc}) { edges { node { id status
      messages { edges { node {
        id type createdAt
        ... on TextMessage { text }
        ... on AttachmentMessage { attachment { id filename mimetype url } }
        author { __typename ... on BotAuthor { id } ... on UserAuthor { id } ... on ExpertAuthor { id name } }
      } } } } } } } }`);
    expect(res.body.errors).toBeUndefined();
    const chats = res.body.data!.partner.chats.edges.map((e: any) => e.node);
    const documented = chats.find((c: any) => c.id === 'O2bqy2CsAaS7RBXZrhMOB');
    expect(documented.status).toBe('assigned');
    expect(documented.messages.edges[0].node).toMatchObject({
      id: 'd2d335fd-2377-4534-ba1a-9a01fdf94e9c',
      type: 'text',
      text: 'Hello',
      author: { __typename: 'UserAuthor', id: 'owRNDrixHcNnPMVQUKpv2Lj5TQ82' },
    });
    const nodes = chats.flatMap((c: any) => c.messages.edges.map((e: any) => e.node));
    const typenames = new Set(nodes.map((n: any) => n.author.__typename));
    expect(typenames).toEqual(new Set(['UserAuthor', 'BotAuthor', 'ExpertAuthor']));
    const attachment = nodes.find((n: any) => n.type === 'attachment');
    expect(attachment.attachment.url).toMatch(/^https:\/\/scontentd\.guuru\.com\/partner\/guuru-qa\/attachments\//);
    expect(attachment.attachment.filename).toBeTruthy();
  });

  it('uses the default first of 10 when messages is selected without first, or with null', async () => {
    const res = await t.gql(
      'query M($n: Int) { partner { a: chats { edges { node { id } } } b: chats(first: $n) { edges { node { id } } } } }',
      { n: null },
    );
    expect(res.body.data!.partner.a.edges).toHaveLength(10);
    expect(res.body.data!.partner.b.edges).toHaveLength(10);
  });
});

describe('Pagination page', () => {
  it('refuses the placeholder "opaqueCursor" as a cursor, naming the argument', async () => {
    const res = await t.gql('{ partner { chats(first: 10, after: "opaqueCursor") { edges { node { id } } } } }');
    expect(errorCodes(res)).toEqual(['BAD_USER_INPUT']);
    expect(res.body.errors![0]!.extensions!.argumentName).toBe('after');
  });
});

describe('Types page: the rest of the read side', () => {
  it('lists experts, including the Public API service account', async () => {
    const res = await t.gql(
      '{ partner { experts(first: 100) { edges { node { id name email summary balance { amount currency } } } } } }',
    );
    const experts = res.body.data!.partner.experts.edges.map((e: any) => e.node);
    expect(experts.find((e: any) => e.id === 'api')).toMatchObject({
      email: 'public@api.guuru.com',
      name: 'Public API service account',
    });
    expect(experts.length).toBeGreaterThan(10);
  });

  it('filters submissions by status in every plausible form', async () => {
    const forms = ['[pending]', '["pending"]', '[{status: pending}]', '[{status: [pending]}]'];
    for (const form of forms) {
      const res = await t.gql(
        `{ partner { submissions(filters: ${form}, first: 100) { edges { node { id status reviewedAt expert { id } } } } } }`,
      );
      expect(res.body.errors, form).toBeUndefined();
      const nodes = res.body.data!.partner.submissions.edges.map((e: any) => e.node);
      expect(nodes.length, form).toBeGreaterThan(0);
      expect(nodes.every((n: any) => n.status === 'pending' && n.reviewedAt === null)).toBe(true);
    }
    const viaVariable = await t.gql(
      'query S($f: [SubmissionFilterType]) { partner { submissions(filters: $f, first: 100) { edges { node { status } } } } }',
      {
        f: [{ status: ['approved', 'rejected'] }],
      },
    );
    const statuses = new Set(viaVariable.body.data!.partner.submissions.edges.map((e: any) => e.node.status));
    expect(statuses).toEqual(new Set(['approved', 'rejected']));
    const bad = await t.gql('{ partner { submissions(filters: [archived]) { edges { node { id } } } } }');
    expect(bad.body.errors![0]!.message).toMatch(/pending, approved, rejected/);
  });

  it('orders submissions by reviewedAt with unreviewed last', async () => {
    const res = await t.gql(
      '{ partner { submissions(first: 100, orderBy: {field: reviewedAt, direction: asc}) { edges { node { reviewedAt } } } } }',
    );
    const reviewed = res.body.data!.partner.submissions.edges.map((e: any) => e.node.reviewedAt);
    const firstNull = reviewed.indexOf(null);
    expect(firstNull).toBeGreaterThan(0);
    expect(reviewed.slice(firstNull).every((r: any) => r === null)).toBe(true);
    const times = reviewed.slice(0, firstNull);
    expect([...times].sort((a, b) => a - b)).toEqual(times);
  });

  it('reaches the community and pages through the documented extensions', async () => {
    const res =
      await t.gql(`{ partner { community { id experts(first: 5) { edges { node { id name bio rating joinedAt bestFeedbackComments { comment } } } } } }
      community(partnerId: "guuru-qa") { id } }`);
    expect(res.body.errors).toBeUndefined();
    const members = res.body.data!.partner.community.experts.edges;
    expect(members).toHaveLength(5);
    expect(res.body.data!.community.id).toBe('guuru-qa');
    const one = await t.gql(
      `query C($id: ID!) { community { expert(expertId: $id, partnerId: "guuru-qa") { id name } } }`,
      { id: members[0].node.id },
    );
    expect(one.body.data!.community.expert.name).toBe(members[0].node.name);

    const pages = await t.gql(
      '{ partner { pages(first: 100) { edges { node { id title content languages url createdAt updatedAt isVisible isBotKnowledge } } } page(id: "1993") { id title } } }',
    );
    const nodes = pages.body.data!.partner.pages.edges.map((e: any) => e.node);
    expect(nodes.length).toBeGreaterThan(5);
    expect(nodes.some((p: any) => Object.keys(p.title).length > 1)).toBe(true);
    expect(nodes.some((p: any) => Object.values(p.content).includes(null))).toBe(true);
    expect(pages.body.data!.partner.page.id).toBe('1993');
  });

  it('answers introspection, including the documented-but-undeclared types', async () => {
    const res = await t.gql('{ __schema { types { name } } __type(name: "Expert") { fields { name } } }');
    const names = res.body.data!.__schema.types.map((x: any) => x.name);
    for (const n of [
      'Timestamp',
      'JSON',
      'SubmissionFilterType',
      'SubmissionsConnection',
      'ExpertOrder',
      'UserError',
      'Language',
      'Currency',
      'Node',
    ]) {
      expect(names).toContain(n);
    }
    expect(res.body.data!.__type.fields.map((f: any) => f.name)).toEqual(
      expect.arrayContaining(['balance', 'balances', 'partners']),
    );
  });

  it('accepts 13-digit Timestamp literals and variables for startDate/endDate, [start, end)', async () => {
    const all = t.emulator.store.tenant('guuru-qa')!.data.chats;
    const start = all[100]!.createdAt;
    const end = all[110]!.createdAt;
    const literal = await t.gql(
      `{ partner { chats(first: 100, startDate: ${start}, endDate: ${end}) { edges { node { id createdAt } } } } }`,
    );
    const variable = await t.gql(
      'query W($s: Timestamp, $e: Timestamp) { partner { chats(first: 100, startDate: $s, endDate: $e) { edges { node { id createdAt } } } } }',
      {
        s: start,
        e: end,
      },
    );
    expect(literal.body.data).toEqual(variable.body.data);
    const ids = literal.body.data!.partner.chats.edges.map((e: any) => e.node.id);
    expect(ids).toEqual(all.filter((c) => c.createdAt >= start && c.createdAt < end).map((c) => c.id));
    expect(ids).toHaveLength(10);
    const bad = await t.gql('query W($s: Timestamp) { partner { chats(startDate: $s) { edges { node { id } } } } }', {
      s: 1.5,
    });
    expect(bad.status).toBe(400);
    expect(errorCodes(bad)).toEqual(['BAD_USER_INPUT']);
  });
});
