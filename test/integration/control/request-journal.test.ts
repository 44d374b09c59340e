import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startEmulator, type TestEmulator } from '../../helpers/emulator.js';

const CHAT = 'O2bqy2CsAaS7RBXZrhMOB';
const PERSONA = 'ab22a12e-cefd-4f67-945b-c215c42202b4';

let t: TestEmulator;
beforeAll(async () => {
  t = await startEmulator({ requestLogSize: 50 });
});
afterAll(() => t.stop());
beforeEach(async () => {
  await fetch(`${t.url}/_emulator/reset`, { method: 'POST' });
  await fetch(`${t.url}/_emulator/requests`, { method: 'DELETE' });
});

const journal = async (query = '') => {
  const res = await fetch(`${t.url}/_emulator/requests${query}`);
  return { status: res.status, body: (await res.json()) as any };
};

describe('the request journal (GET /_emulator/requests)', () => {
  it('records a GraphQL query with its operation, variables, tenant, status and duration, newest first', async () => {
    await t.gql('query Partner { partner { id } }');
    await t.gql('query Chats($n: Int) { partner { chats(first: $n) { edges { node { id } } } } }', { n: 2 });
    const { body } = await journal();
    expect(body.total).toBe(2);
    const [latest, first] = body.requests;
    expect(first).toMatchObject({
      api: 'graphql',
      method: 'POST',
      route: 'POST /graphql',
      status: 200,
      tenantId: 'guuru-qa',
      operationName: 'Partner',
      operationType: 'query',
      fields: [{ name: 'partner' }],
      chatIds: [],
    });
    expect(latest).toMatchObject({
      operationName: 'Chats',
      variables: { n: 2 },
      query: expect.stringContaining('chats(first: $n)'),
    });
    expect(latest.durationMs).toBeGreaterThanOrEqual(0);
    expect(Number(latest.id)).toBeGreaterThan(Number(first.id));
    expect(latest.errors).toBeUndefined();
    // The control API's own calls are not API traffic.
    expect(body.requests.some((r: any) => r.path.startsWith('/_emulator'))).toBe(false);
  });

  it('records the chat a mutation names and the error a refused call got, per field', async () => {
    const accept = 'mutation Accept($id: ID!) { acceptChat(id: $id, input: { personaId: "' + PERSONA + '" }) { id } }';
    expect((await t.gql(accept, { id: CHAT })).body.errors).toBeUndefined();
    const again = await t.gql(accept, { id: CHAT });
    expect(again.body.errors?.[0]?.extensions?.code).toBe('CHAT_ALREADY_ACCEPTED');
    await t.gql(
      `mutation { reply: sendChatMessage(input: { chatId: "${CHAT}", posting: { type: "text", text: "hi" } }) close: closeChat(id: "${CHAT}") { id } }`,
    );

    const { body } = await journal(`?chatId=${CHAT}`);
    expect(body.requests).toHaveLength(3);
    const [both, refused, accepted] = body.requests;
    expect(accepted.fields).toEqual([{ name: 'acceptChat', chatId: CHAT }]);
    expect(accepted.operationType).toBe('mutation');
    expect(refused.fields[0]).toMatchObject({ name: 'acceptChat', chatId: CHAT, errorCode: 'CHAT_ALREADY_ACCEPTED' });
    expect(refused.errors[0]).toMatchObject({ code: 'CHAT_ALREADY_ACCEPTED', path: ['acceptChat'] });
    expect(both.fields).toEqual([
      { name: 'sendChatMessage', alias: 'reply', chatId: CHAT },
      { name: 'closeChat', alias: 'close', chatId: CHAT },
    ]);
    const failed = await journal('?failed=true');
    expect(failed.body.requests.map((r: any) => r.id)).toEqual([refused.id]);
    const byOperation = await journal('?operation=closeChat');
    expect(byOperation.body.requests.map((r: any) => r.id)).toEqual([both.id]);
  });

  it('records refused credentials and broken documents with their codes', async () => {
    await t.gql('{ partner { id } }', undefined, 'not-a-token');
    await t.gql('{ partner { id ');
    const { body } = await journal();
    const [broken, unauthenticated] = body.requests;
    expect(unauthenticated).toMatchObject({ status: 401, errors: [{ code: 'UNAUTHENTICATED' }] });
    expect(unauthenticated.tenantId).toBeUndefined();
    expect(broken).toMatchObject({ status: 400, tenantId: 'guuru-qa', errors: [{ code: 'GRAPHQL_PARSE_FAILED' }] });
  });

  it('records Gurusup calls under either prefix with the route, the tenant and the error message', async () => {
    await fetch(`${t.url}/gurusup/api/v1/threads`, { headers: { 'x-api-key': 'demo-api-key' } });
    await fetch(`${t.url}/gurusup/messages`, { method: 'POST', headers: { 'x-api-key': 'nope-nope' } });
    const { body } = await journal('?api=gurusup');
    const [refused, listed] = body.requests;
    expect(listed).toMatchObject({
      api: 'gurusup',
      method: 'GET',
      route: 'GET /gurusup/api/v1/threads',
      status: 200,
      tenantId: 'guuru-qa',
    });
    expect(refused).toMatchObject({
      api: 'gurusup',
      status: 401,
      path: '/gurusup/messages',
      errors: [{ code: '401', message: expect.stringContaining('Unknown API key') }],
    });
    expect((await journal('?api=graphql')).body.total).toBe(0);
  });

  it('filters by tenant, answers one entry by id, clears, and limits', async () => {
    const created = (await (
      await fetch(`${t.url}/_emulator/tenants`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: '{}',
      })
    ).json()) as any;
    await t.gql('{ partner { id } }', undefined, created.tokens[0]);
    await t.gql('{ partner { id } }');
    await t.gql('{ partner { id } }');
    const other = await journal(`?tenant=${created.id}`);
    expect(other.body.requests).toHaveLength(1);
    expect(other.body.requests[0].tenantId).toBe(created.id);
    expect((await journal('?limit=1')).body.requests).toHaveLength(1);
    const one = await fetch(`${t.url}/_emulator/requests/${other.body.requests[0].id}`);
    expect(await one.json()).toEqual(other.body.requests[0]);
    const missing = await fetch(`${t.url}/_emulator/requests/999999`);
    expect(missing.status).toBe(404);
    expect(((await missing.json()) as any).message).toMatch(/No request 999999/);
    expect((await journal('?limit=0')).status).toBe(400);
    expect((await journal('?colour=red')).status).toBe(400);
    const cleared = (await (await fetch(`${t.url}/_emulator/requests`, { method: 'DELETE' })).json()) as any;
    expect(cleared.removed).toBe(3);
    expect((await journal()).body.total).toBe(0);
  });

  it('keeps at most requestLogSize entries and tells how many it dropped', async () => {
    for (let i = 0; i < 55; i++) await t.gql('{ partner { id } }');
    const { body } = await journal();
    expect(body.total).toBe(50);
    expect(body.journal).toMatchObject({ kept: 50, limit: 50 });
    expect(body.journal.evicted).toBeGreaterThanOrEqual(5);
  });

  it('tells subscribers about every request as it is answered', async () => {
    const seen: string[] = [];
    const off = t.emulator.requests.subscribe((r) => seen.push(`${r.status} ${r.operationName ?? r.route}`));
    await t.gql('query Ping { partner { id } }');
    await fetch(`${t.url}/gurusup/threads`);
    off();
    await t.gql('query Unheard { partner { id } }');
    expect(seen).toEqual(['200 Ping', '401 GET /gurusup/threads']);
  });
});
