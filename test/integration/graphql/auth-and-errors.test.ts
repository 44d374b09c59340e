import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { errorCodes, startEmulator, type TestEmulator } from '../../helpers/emulator.js';

let t: TestEmulator;
beforeAll(async () => {
  t = await startEmulator();
});
afterAll(() => t.stop());

const noStack = (body: unknown) => expect(JSON.stringify(body)).not.toMatch(/stacktrace|\n\s+at |\.ts:\d+/);

describe('authentication', () => {
  it('refuses a missing token with 401 and UNAUTHENTICATED', async () => {
    const res = await t.gql('{ partner { id } }', undefined, null);
    expect(res.status).toBe(401);
    expect(errorCodes(res)).toEqual(['UNAUTHENTICATED']);
    expect(res.body.errors![0]!.message).toMatch(/Authorization: Bearer/);
    expect(res.body.data).toBeUndefined();
  });

  it('refuses an unknown token with 401 and UNAUTHENTICATED', async () => {
    const res = await t.gql('{ partner { id } }', undefined, 'not-a-token');
    expect(res.status).toBe(401);
    expect(errorCodes(res)).toEqual(['UNAUTHENTICATED']);
  });

  it('accepts the Bearer scheme in any case, and a bare token with a warning header', async () => {
    const lower = await request(t.emulator.app)
      .post('/graphql')
      .set('Authorization', 'bearer demo-token')
      .send({ query: '{ partner { id } }' });
    expect(lower.body.data.partner.id).toBe('guuru-qa');
    const bare = await request(t.emulator.app)
      .post('/graphql')
      .set('Authorization', 'demo-token')
      .send({ query: '{ partner { id } }' });
    expect(bare.body.data.partner.id).toBe('guuru-qa');
    expect(bare.headers['x-emulator-warning']).toMatch(/Bearer/);
  });

  it('answers GET /graphql for queries', async () => {
    const res = await request(t.emulator.app)
      .get('/graphql')
      .query({ query: '{ partner { id } }' })
      .set('Authorization', 'Bearer demo-token');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ data: { partner: { id: 'guuru-qa' } } });
  });
});

describe('tenant isolation', () => {
  it('gives a created tenant its own partner, token and data, invisible to others', async () => {
    const created = await request(t.emulator.app).post('/_emulator/tenants').send({});
    expect(created.status).toBe(201);
    const { id, token } = created.body;
    expect(token).not.toBe('demo-token');
    const mine = await t.gql('{ partner { id chats(first: 100) { edges { node { id } } } } }', undefined, token);
    expect(mine.body.data!.partner.id).toBe(id);
    const theirs = await t.gql('{ partner { id chats(first: 100) { edges { node { id } } } } }');
    expect(theirs.body.data!.partner.id).toBe('guuru-qa');
    const mineIds = new Set(mine.body.data!.partner.chats.edges.map((e: any) => e.node.id));
    expect(theirs.body.data!.partner.chats.edges.some((e: any) => mineIds.has(e.node.id))).toBe(false);

    await request(t.emulator.app).post(`/_emulator/tenants/${id}/chats`).send({ question: 'only mine' }).expect(201);
    const demoNewest = await t.gql(
      '{ partner { chats(first: 1, orderBy: {field: id, direction: desc}) { edges { node { question } } } } }',
    );
    expect(demoNewest.body.data!.partner.chats.edges[0].node.question).not.toBe('only mine');

    const foreign = await t.gql(`{ community(partnerId: "${id}") { id } }`);
    expect(errorCodes(foreign)).toEqual(['FORBIDDEN']);
    const foreignExpert = await t.gql(`{ community { expert(expertId: "api", partnerId: "${id}") { id } } }`);
    expect(errorCodes(foreignExpert)).toEqual(['FORBIDDEN']);
  });
});

describe('bad requests', () => {
  it('reports unknown fields and wrong argument types as validation errors', async () => {
    const unknown = await t.gql('{ partner { id nonsense } }');
    expect(unknown.status).toBe(400);
    expect(errorCodes(unknown)).toEqual(['GRAPHQL_VALIDATION_FAILED']);
    expect(unknown.body.errors![0]!.message).toMatch(/nonsense/);
    const wrongType = await t.gql('{ partner { chats(first: "ten") { edges { node { id } } } } }');
    expect(errorCodes(wrongType)).toEqual(['GRAPHQL_VALIDATION_FAILED']);
    const wrongVariable = await t.gql(
      'query Q($first: Int) { partner { chats(first: $first) { edges { node { id } } } } }',
      { first: 'ten' },
    );
    expect(wrongVariable.status).toBe(400);
    expect(errorCodes(wrongVariable)).toEqual(['BAD_USER_INPUT']);
    noStack(wrongVariable.body);
  });

  it('refuses a syntax error with GRAPHQL_PARSE_FAILED', async () => {
    const res = await t.gql('{ partner { id ');
    expect(res.status).toBe(400);
    expect(errorCodes(res)).toEqual(['GRAPHQL_PARSE_FAILED']);
  });

  it('refuses queries deeper than the documented limit of 12', async () => {
    const deep = `{ partner { experts { edges { node { partners { edges { node { chats { edges { node { messages { edges { node { author { __typename } } } } } } } } } } } } } } }`;
    const res = await t.gql(deep);
    expect(res.status).toBe(400);
    expect(errorCodes(res)).toEqual(['GRAPHQL_VALIDATION_FAILED']);
    expect(res.body.errors![0]!.message).toMatch(/depth limit of 12/);
    const fine = await t.gql(
      `{ partner { experts(first: 1) { edges { node { partners { edges { node { id } } } } } } } }`,
    );
    expect(fine.body.errors).toBeUndefined();
  });

  it('answers malformed JSON with 400 and an oversized body with 413, in GraphQL error shape', async () => {
    const malformed = await request(t.emulator.app)
      .post('/graphql')
      .set('Authorization', 'Bearer demo-token')
      .set('Content-Type', 'application/json')
      .send('{"query": "{ partner { id } }"');
    expect(malformed.status).toBe(400);
    expect(malformed.body.errors[0].extensions.code).toBe('BAD_REQUEST');
    noStack(malformed.body);
    const big = await request(t.emulator.app)
      .post('/graphql')
      .set('Authorization', 'Bearer demo-token')
      .send({ query: `{ partner { id } } # ${'x'.repeat(1_100_000)}` });
    expect(big.status).toBe(413);
    expect(big.body.errors[0].extensions.code).toBe('PAYLOAD_TOO_LARGE');
    const text = await request(t.emulator.app)
      .post('/graphql')
      .set('Authorization', 'Bearer demo-token')
      .set('Content-Type', 'text/plain')
      .send('{ partner { id } }');
    expect(text.status).toBe(415);
    expect(text.body.errors[0].message).toMatch(/application\/json/);
  });

  it('answers unknown routes with a JSON 404', async () => {
    const res = await request(t.emulator.app).get('/nope');
    expect(res.status).toBe(404);
    expect(res.body).toMatchObject({ statusCode: 404, error: 'Not Found' });
    expect(res.body.message).toMatch(/graphql/);
  });

  it('keeps serving after every one of those errors', async () => {
    const res = await t.gql('{ partner { id } }');
    expect(res.body.data!.partner.id).toBe('guuru-qa');
  });
});
