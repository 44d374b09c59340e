import { afterEach, describe, expect, it } from 'vitest';
import { FIELD_LIMITS } from '../../../src/domain/field-limits.js';
import { startEmulator, type TestEmulator } from '../../helpers/emulator.js';

// Issue 22, finding 1: memory is bounded by bytes, not only by counts. Every stored text has a
// maximum length, and each tenant and the whole process a byte budget refused with LIMIT_REACHED
// before it is passed, so that no sequence of requests with the public token can exhaust the heap.

let t: TestEmulator | undefined;
afterEach(async () => {
  await t?.stop();
  t = undefined;
});

const MIB = 2 ** 20;

const control = async (method: string, path: string, body?: unknown) => {
  const res = await fetch(`${t!.url}/_emulator${path}`, {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, size: text.length, body: text === '' ? undefined : (JSON.parse(text) as any) };
};

const gurusup = async (body: unknown, key = 'demo-api-key') => {
  const res = await fetch(`${t!.url}/gurusup/messages`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-api-key': key },
    body: JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as any };
};

const PERSONA = 'mutation($i: PersonaInput!) { createPersona(input: $i) }';

/** A persona with every field at its longest: the fattest one the API still accepts. */
const fatPersona = (n: number) => ({
  providerId: `p-${n}-`.padEnd(FIELD_LIMITS['persona.providerId'], 'p'),
  name: 'N'.repeat(FIELD_LIMITS['persona.name']),
  email: `${'e'.repeat(FIELD_LIMITS['persona.email'] - 12)}@example.com`,
  photoUrl: `https://example.com/${'x'.repeat(FIELD_LIMITS['persona.photoUrl'] - 20)}`,
});

/** The API still serves a small read with the demo token: the process is alive and answering. */
const stillServes = async () => {
  const read = await t!.gql('{ partner { id } }');
  expect(read.body).toEqual({ data: { partner: { id: 'guuru-qa' } } });
  expect((await control('GET', '/health')).status).toBe(200);
};

describe('field limits', () => {
  it('refuses each text over its limit naming the field and the limit, without quoting it back, and stores nothing', async () => {
    t = await startEmulator();
    const tenant = t.emulator.store.tenant('guuru-qa')!;
    const before = {
      personas: tenant.data.personas.length,
      chats: tenant.data.chats.length,
      threads: tenant.data.gurusup!.threads.length,
    };
    const huge = 'N'.repeat(900 * 1024);

    const name = await t.gql(PERSONA, { i: { providerId: 'fat', name: 'N'.repeat(FIELD_LIMITS['persona.name'] + 1) } });
    expect(name.body.errors![0]!.extensions).toMatchObject({ code: 'BAD_USER_INPUT', argumentName: 'input.name' });
    expect(name.body.errors![0]!.message).toBe(
      `input.name is ${FIELD_LIMITS['persona.name'] + 1} characters long; the limit is ${FIELD_LIMITS['persona.name']}.`,
    );
    const fat = await t.gql(PERSONA, { i: { providerId: 'fat', name: huge } });
    expect(fat.body.errors![0]!.extensions!.code).toBe('BAD_USER_INPUT');
    expect(JSON.stringify(fat.body).length).toBeLessThan(2_000);
    expect(
      (await t.gql(PERSONA, { i: { providerId: 'fat', name: 'ok', photoUrl: `https://x.example/${huge}` } })).body
        .errors![0]!.extensions!.argumentName,
    ).toBe('input.photoUrl');

    const page = await t.gql('mutation($i: PageUpdateInput!) { updatePage(input: $i) { page { id } } }', {
      i: { id: tenant.data.pages[0]!.id, title: { en: huge } },
    });
    expect(page.body.errors![0]!.extensions).toMatchObject({ code: 'BAD_USER_INPUT', argumentName: 'input.title.en' });
    expect(page.body.errors![0]!.message).toContain(`the limit is ${FIELD_LIMITS['page.title']}`);

    const question = await control('POST', '/tenants/guuru-qa/chats', {
      question: 'Q'.repeat(FIELD_LIMITS['chat.question'] + 1),
    });
    expect(question.status).toBe(400);
    expect(question.body).toMatchObject({ code: 'INVALID_ARGUMENT', argumentName: 'question' });
    expect(question.body.message).toContain(`the limit is ${FIELD_LIMITS['chat.question']}`);

    const body = await gurusup({ body: huge, thread_fid: 'fat-thread', user_fid: 'u' });
    expect(body.status).toBe(400);
    expect(body.body.message).toContain(`the limit is ${FIELD_LIMITS['gurusup.body']}`);
    const subject = await gurusup({ body: 'hi', thread_fid: 'fat-thread', user_fid: 'u', subject: huge });
    expect(subject.status).toBe(400);
    expect(subject.body.message).toMatch(/^subject is \d+ characters long; the limit is 1000\.$/);

    expect(tenant.data.personas).toHaveLength(before.personas);
    expect(tenant.data.chats).toHaveLength(before.chats);
    expect(tenant.data.gurusup!.threads).toHaveLength(before.threads);
    expect(tenant.data.pages[0]!.title.en).not.toBe(huge);
  });

  it('a webhook URL over 2 KB is refused naming the limit; nothing is subscribed', async () => {
    t = await startEmulator();
    const long = `http://127.0.0.1:9/${'u'.repeat(2_100)}`;
    const refused = await control('PUT', '/webhooks', { url: long });
    expect(refused.status).toBe(400);
    expect(refused.body.message).toContain('the limit is 2048');
    expect(refused.size).toBeLessThan(2_000);
    const perEvent = await control('PUT', '/webhooks', { events: { 'chat-closed': { url: long } } });
    expect(perEvent.status).toBe(400);
    expect((await control('PUT', '/gurusup', { webhookUrl: long })).status).toBe(400);
    expect((await control('GET', '/webhooks')).body.events['chat-closed'].url).toBe('');
  });
});

describe('a reset forgets what it removed', () => {
  it('the webhook settings of tenants a reset removed are gone: a tenant made again with the same id starts fresh', async () => {
    t = await startEmulator();
    expect((await control('POST', '/tenants', { id: 'again' })).status).toBe(201);
    expect((await control('PUT', '/tenants/again/webhooks', { url: 'http://127.0.0.1:9/old' })).status).toBe(200);
    expect(
      (await control('PUT', '/tenants/again/gurusup', { webhookUrl: 'http://127.0.0.1:9/old-gurusup' })).status,
    ).toBe(200);
    expect((await control('PUT', '/webhooks', { url: 'http://127.0.0.1:9/built-in' })).status).toBe(200);
    expect((await control('POST', '/reset')).status).toBe(200);
    expect((await control('POST', '/tenants', { id: 'again' })).status).toBe(201);
    expect((await control('GET', '/tenants/again/webhooks')).body.events['chat-closed'].url).toBe('');
    expect((await control('GET', '/tenants/again/gurusup')).body.webhookUrl).toBe('');
    // The built-in tenant's settings are configuration a reset keeps.
    expect((await control('GET', '/webhooks')).body.events['chat-closed'].url).toBe('http://127.0.0.1:9/built-in');
  });
});

describe('errors quote at most a short prefix of the input', () => {
  it('sendChatMessage with 900 KiB beside chatId, or as the chatId, answers in a few KB', async () => {
    t = await startEmulator();
    const huge = 'N'.repeat(900 * 1024);
    const send = 'mutation($i: ChatMessageInput!) { sendChatMessage(input: $i) }';
    for (const input of [
      { chatId: 'missing', text: huge, posting: { type: 'text', text: 'hi' } },
      { chatId: huge, posting: { type: 'text', text: 'hi' } },
    ]) {
      const res = await fetch(`${t.url}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: 'Bearer demo-token' },
        body: JSON.stringify({ query: send, variables: { i: input } }),
      });
      const text = await res.text();
      expect(text.length).toBeLessThan(4_000);
      const answer = JSON.parse(text) as { errors: { message: string }[] };
      expect(answer.errors[0]!.message).toMatch(/characters\)/);
    }
    // REST: a long snapshot name, or thousands of long unknown keys, are not echoed either.
    const keys = Object.fromEntries(
      Array.from({ length: 2_000 }, (_, i) => [`unknown-key-${i}-${'k'.repeat(200)}`, 1]),
    );
    const unknownKeys = await control('POST', '/snapshots', { name: 'ok', ...keys });
    expect(unknownKeys.status).toBe(400);
    expect(unknownKeys.size).toBeLessThan(4_000);
    const snapshot = await control('POST', '/snapshots', { name: huge.slice(0, 200_000) });
    expect(snapshot.status).toBe(400);
    expect(snapshot.size).toBeLessThan(2_000);
  });

  it('the request journal keeps a long variable as a prefix with its size', async () => {
    t = await startEmulator();
    const huge = 'N'.repeat(500 * 1024);
    await t.gql(PERSONA, { i: { providerId: 'journal', name: huge } });
    const [entry] = t.emulator.requests.list({ operationName: 'createPersona' }).slice(-1);
    const kept = (entry!.variables as { i: { name: string } }).i.name;
    expect(kept.length).toBeLessThan(1_100);
    expect(kept).toMatch(/^N+… \(512000 characters\)$/);
    expect(JSON.stringify(entry).length).toBeLessThan(8_000);
  });
});

describe('byte budgets', () => {
  it('the fat-persona repro: refused with LIMIT_REACHED before the tenant budget is passed, the process alive, others served', async () => {
    // A small budget so a few hundred requests reach it; the mechanism is the one of the repro.
    t = await startEmulator({ maxTenantMb: 2 });
    const { store } = t.emulator;
    const created = await control('POST', '/tenants', {});
    const token: string = created.body.token;
    const tenant = store.tenant(created.body.id)!;
    const rssBefore = process.memoryUsage.rss();
    let refused: any;
    let n = 0;
    // Without a byte budget this loop would end at the 20,000-persona count cap: 60 MB kept.
    for (; n < 2_000 && !refused; n++) {
      const res = await t.gql(PERSONA, { i: fatPersona(n) }, token);
      if (res.body.errors) refused = res.body.errors[0];
    }
    expect(refused?.extensions?.code).toBe('LIMIT_REACHED');
    expect(refused.message).toContain('--max-tenant-mb 2');
    expect(tenant.bytes).toBeLessThanOrEqual(2 * MIB);
    const personas = tenant.data.personas.length;
    // Refused again, and nothing stored by the refusals.
    expect((await t.gql(PERSONA, { i: fatPersona(n + 1) }, token)).body.errors![0]!.extensions!.code).toBe(
      'LIMIT_REACHED',
    );
    expect(tenant.data.personas).toHaveLength(personas);
    // Renaming an existing persona to a name of the same length still works (no growth).
    expect(
      (await t.gql(PERSONA, { i: { ...fatPersona(0), name: 'M'.repeat(FIELD_LIMITS['persona.name']) } }, token)).body
        .errors,
    ).toBeUndefined();
    // The demo tenant has its own budget: served and still writable.
    await stillServes();
    expect((await t.gql(PERSONA, { i: { providerId: 'other-client', name: 'Other' } })).body.errors).toBeUndefined();
    // Stated bound: the whole sequence grows this process by far less than 200 MiB.
    expect(process.memoryUsage.rss() - rssBefore).toBeLessThan(200 * MIB);
    // A reset of the tenant gives its room back.
    expect((await control('POST', `/tenants/${tenant.id}/reset`)).status).toBe(200);
    expect((await t.gql(PERSONA, { i: fatPersona(n + 2) }, token)).body.errors).toBeUndefined();
  });

  it('chat questions, messages and Gurusup bodies count toward the same budget', async () => {
    t = await startEmulator({ maxTenantMb: 2 });
    const tenant = t.emulator.store.tenant('guuru-qa')!;
    const text = 'T'.repeat(FIELD_LIMITS['message.text']);
    const fill = async (send: (i: number) => Promise<{ status: number; body: any }>) => {
      for (let i = 0; i < 500; i++) {
        const res = await send(i);
        if (res.status === 409) return res;
        expect(res.status, JSON.stringify(res.body).slice(0, 300)).toBeLessThan(300);
      }
      throw new Error('never refused');
    };
    const questions = await fill(() => control('POST', '/tenants/guuru-qa/chats', { question: text }));
    expect(questions.body).toMatchObject({ code: 'LIMIT_REACHED' });
    expect(questions.body.message).toContain('--max-tenant-mb 2');
    expect(tenant.bytes).toBeLessThanOrEqual(2 * MIB);
    await control('POST', '/tenants/guuru-qa/reset');

    const chat = await control('POST', '/tenants/guuru-qa/chats', { question: 'Hello?' });
    expect(chat.status).toBe(201);
    const messages = await fill(() => control('POST', `/tenants/guuru-qa/chats/${chat.body.id}/messages`, { text }));
    expect(messages.body.code).toBe('LIMIT_REACHED');
    const fresh = t.emulator.store.tenant('guuru-qa')!;
    expect(fresh.bytes).toBeLessThanOrEqual(2 * MIB);
    await control('POST', '/tenants/guuru-qa/reset');

    const bodies = await fill((i) => gurusup({ body: text, thread_fid: `thread-${i % 3}`, user_fid: 'u' }));
    expect(bodies.body.code).toBe('LIMIT_REACHED');
    expect(t.emulator.store.tenant('guuru-qa')!.bytes).toBeLessThanOrEqual(2 * MIB);
    await stillServes();
  });

  it('the process budget spans tenants and snapshots: --max-stored-mb', async () => {
    t = await startEmulator({ maxStoredMb: 3 });
    const { store } = t.emulator;
    const created = await control('POST', '/tenants', {});
    expect(created.status).toBe(201);
    const text = 'T'.repeat(FIELD_LIMITS['gurusup.body']);
    let refused: any;
    for (let i = 0; i < 500 && !refused; i++) {
      const res = await gurusup({ body: text, thread_fid: `t-${i}`, user_fid: 'u' }, created.body.gurusupApiKey);
      if (res.status !== 201) refused = res;
    }
    expect(refused.status).toBe(409);
    expect(refused.body.message).toContain('--max-stored-mb 3');
    expect(store.storedBytes()).toBeLessThanOrEqual(3 * MIB);
    // Every tenant is held to it now, and neither a new tenant nor a snapshot fits.
    const demo = await gurusup({ body: text, thread_fid: 'demo', user_fid: 'u' });
    expect(demo.status).toBe(409);
    expect((await control('POST', '/tenants', {})).body.code).toBe('LIMIT_REACHED');
    expect((await control('POST', '/snapshots', { name: 'all' })).body.code).toBe('LIMIT_REACHED');
    const health = await control('GET', '/health');
    expect(health.body.memory.storedLimitMiB).toBe(3);
    expect(health.body.memory.storedMiB).toBeLessThanOrEqual(3);
    await stillServes();
    // Deleting the tenant gives the room back.
    expect((await control('DELETE', `/tenants/${created.body.id}`)).status).toBe(204);
    expect((await gurusup({ body: text, thread_fid: 'demo', user_fid: 'u' })).status).toBe(201);
  });
});
