import { createHash } from 'node:crypto';
import Ajv2020 from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startEmulator, type TestEmulator } from '../../helpers/emulator.js';
import { webhookSink, type WebhookSink } from '../../helpers/webhook-sink.js';

const md5 = (s: string) => createHash('md5').update(s).digest('hex');
const KEY = 'demo-api-key';

let t: TestEmulator;
let sink: WebhookSink;
beforeAll(async () => {
  sink = await webhookSink({ secret: null });
  t = await startEmulator({ gurusupWebhookUrl: sink.url });
});
afterAll(async () => {
  await t.stop();
  await sink.close();
});
beforeEach(async () => {
  await fetch(`${t.url}/_emulator/reset`, { method: 'POST' });
  await t.emulator.webhooks.dispatcher.idle();
  sink.received.length = 0;
});

interface Answer {
  status: number;
  headers: Headers;
  body: any;
}

async function call(
  method: string,
  path: string,
  options: { body?: unknown; raw?: string; headers?: Record<string, string>; key?: string | null; base?: string } = {},
): Promise<Answer> {
  const headers: Record<string, string> = { ...options.headers };
  const key = options.key === undefined ? KEY : options.key;
  if (key !== null) headers['x-api-key'] = key;
  let body: string | undefined = options.raw;
  if (options.body !== undefined) {
    body = JSON.stringify(options.body);
    headers['content-type'] ??= 'application/json';
  }
  const res = await fetch(`${t.url}${options.base ?? '/gurusup'}${path}`, { method, headers, body });
  const text = await res.text();
  return { status: res.status, headers: res.headers, body: text === '' ? undefined : JSON.parse(text) };
}

const counts = () => {
  const org = t.emulator.store.tenant('guuru-qa')!.data.gurusup!;
  return { threads: org.threads.length, messages: org.threads.reduce((n, th) => n + th.messages.length, 0) };
};

describe('threads', () => {
  it('lists the seeded threads in creation order, with metadata and no messages', async () => {
    const res = await call('GET', '/threads');
    expect(res.status).toBe(200);
    expect(res.body.length).toBeGreaterThanOrEqual(10);
    for (const thread of res.body) {
      expect(thread.thread).toBe(md5(thread.thread_fid));
      expect(thread.messages).toBeUndefined();
      expect(thread.message_count).toBeGreaterThan(0);
    }
    const created = res.body.map((th: any) => th.created_at);
    expect([...created].sort()).toEqual(created);
    expect(new Set(res.body.map((th: any) => th.lang))).toEqual(new Set(['en', 'es', 'de', 'fr']));
  });

  it('returns one thread with all its messages by md5(thread_fid), in either hex case', async () => {
    const [first] = (await call('GET', '/threads')).body;
    const res = await call('GET', `/threads/${first.thread}`);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ thread: first.thread, thread_fid: first.thread_fid });
    expect(res.body.messages).toHaveLength(first.message_count);
    expect(res.body.messages[0]).toMatchObject({ thread_fid: first.thread_fid, is_customer_support_agent: false });
    expect((await call('GET', `/threads/${first.thread.toUpperCase()}`)).body.thread).toBe(first.thread);
  });

  it('answers 404 for an unknown hash, and explains when given the raw thread_fid', async () => {
    const unknown = await call('GET', `/threads/${md5('nobody')}`);
    expect(unknown.status).toBe(404);
    expect(unknown.body).toMatchObject({ statusCode: 404, error: 'Not Found' });
    const raw = await call('GET', '/threads/some_unique_thread_identifier');
    expect(raw.status).toBe(404);
    expect(raw.body.message).toMatch(/md5\(thread_fid\)/);
  });
});

describe('POST /messages', () => {
  it('stores the message, creates the thread, and returns the automatic reply in the message language', async () => {
    const posted = {
      body: 'Hola, ¿dónde está mi pedido?',
      thread_fid: 'some_unique_thread_identifier',
      user_fid: 'customer-42',
      lang: 'es',
      subject: 'Pedido',
      is_customer_support_agent: false,
    };
    const res = await call('POST', '/messages', { body: posted });
    expect(res.status).toBe(201);
    expect(res.headers.get('x-emulator-reply')).toBe('automatic-reply');
    expect(res.body).toMatchObject({
      thread: '1c9286830999ce076c476943b22dccce',
      thread_fid: posted.thread_fid,
      lang: 'es',
      is_customer_support_agent: true,
      user_fid: 'gurusup-assistant',
    });
    expect(res.body._id).toMatch(/^[0-9a-f]{24}$/);
    expect(res.body.id).toBe(res.body._id);
    expect(Date.parse(res.body.created_at)).toBeGreaterThan(0);

    const list = await call('GET', '/threads');
    const listed = list.body.find((th: any) => th.thread_fid === posted.thread_fid);
    expect(listed).toMatchObject({
      thread: md5(posted.thread_fid),
      message_count: 2,
      user_fid: 'customer-42',
      lang: 'es',
      subject: 'Pedido',
    });
    expect(list.body.at(-1).thread_fid).toBe(posted.thread_fid);
    const detail = await call('GET', `/threads/${md5(posted.thread_fid)}`);
    expect(detail.body.messages.map((m: any) => m.body)).toEqual([posted.body, res.body.body]);
    expect(detail.body.messages[0]).toMatchObject({
      user_fid: 'customer-42',
      subject: 'Pedido',
      is_customer_support_agent: false,
    });
    expect((await call('GET', `/messages/${res.body._id}`)).body).toEqual(res.body);

    // A second message goes into the same thread.
    await call('POST', '/messages', { body: { ...posted, body: 'Gracias' } });
    expect((await call('GET', `/threads/${md5(posted.thread_fid)}`)).body.messages).toHaveLength(4);
  });

  it('replies in the organisation language when the seed has no replies in the message language', async () => {
    const res = await call('POST', '/messages', {
      body: { body: 'Hej, var är min order?', thread_fid: 'sv-1', user_fid: 'u', lang: 'sv' },
    });
    expect(res.body.lang).toBe('en');
  });

  it('gives the same reply for the same seed and input', async () => {
    const other = await startEmulator();
    try {
      const input = { body: 'Where is my order?', thread_fid: 'det-1', user_fid: 'u1', lang: 'en' };
      const a = await call('POST', '/messages', { body: input });
      const b = await fetch(`${other.url}/gurusup/messages`, {
        method: 'POST',
        headers: { 'x-api-key': KEY, 'content-type': 'application/json' },
        body: JSON.stringify(input),
      });
      const bb = (await b.json()) as any;
      expect(bb.body).toBe(a.body.body);
      expect(bb.thread).toBe(a.body.thread);
    } finally {
      await other.stop();
    }
  });

  it('stores an agent message without an automatic reply and returns it', async () => {
    const before = counts();
    const res = await call('POST', '/messages', {
      body: {
        body: 'Your refund is on its way.',
        thread_fid: 'agent-thread',
        user_fid: 'agent-7',
        lang: 'en',
        is_customer_support_agent: true,
      },
    });
    expect(res.status).toBe(201);
    expect(res.headers.get('x-emulator-reply')).toBe('posted-message');
    expect(res.body).toMatchObject({
      body: 'Your refund is on its way.',
      user_fid: 'agent-7',
      is_customer_support_agent: true,
    });
    expect(counts()).toEqual({ threads: before.threads + 1, messages: before.messages + 1 });
  });

  it('returns the posted message when the organisation has the automatic reply off, with status 200 if configured', async () => {
    const put = await fetch(`${t.url}/_emulator/gurusup`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ autoReply: false, postStatus: 200 }),
    });
    expect((await put.json()) as any).toMatchObject({ autoReply: false, postStatus: 200, apiKey: KEY });
    const res = await call('POST', '/messages', { body: { body: 'Hello?', thread_fid: 'quiet', user_fid: 'u' } });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ body: 'Hello?', is_customer_support_agent: false });
    await fetch(`${t.url}/_emulator/gurusup`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ postStatus: 201 }),
    });
  });

  it('refuses bad input with a JSON 4xx naming the problem, storing nothing', async () => {
    const before = counts();
    const deliveries = t.emulator.webhooks.dispatcher.log.list().length;
    const cases: [Parameters<typeof call>[2], number, RegExp][] = [
      [{ raw: '{"body": "x",', headers: { 'content-type': 'application/json' } }, 400, /not valid JSON/],
      [{ raw: 'body=x', headers: { 'content-type': 'application/x-www-form-urlencoded' } }, 415, /application\/json/],
      [{ body: ['x'] }, 400, /JSON object/],
      [{ body: { thread_fid: 't' } }, 400, /body is required/],
      [{ body: { body: 'x' } }, 400, /thread_fid is required/],
      [{ body: { body: 42, thread_fid: 't' } }, 400, /body must be a string, got number/],
      [
        { body: { body: 'x', thread_fid: 't', is_customer_support_agent: 'yes' } },
        400,
        /is_customer_support_agent must be a boolean/,
      ],
      [{ body: { body: 'x', thread_fid: 't', lang: 5 } }, 400, /lang must be a string/],
      [{ body: { body: '   ', thread_fid: 't' } }, 400, /non-empty/],
      [{ body: { body: 'x', thread_fid: '' } }, 400, /thread_fid must be a non-empty/],
      [{ body: { body: 'x'.repeat(1_100_000), thread_fid: 't' } }, 413, /larger than the limit/],
    ];
    for (const [options, status, message] of cases) {
      const res = await call('POST', '/messages', options);
      expect(res.status, JSON.stringify(options).slice(0, 80)).toBe(status);
      expect(res.body).toMatchObject({ statusCode: status, message: expect.stringMatching(message) });
    }
    expect(counts()).toEqual(before);
    expect(t.emulator.webhooks.dispatcher.log.list()).toHaveLength(deliveries);
  });
});

describe('GET /messages/:id', () => {
  it('finds a message by ObjectId (either case), 404 for an unknown one, 400 for a malformed one', async () => {
    const [thread] = (await call('GET', '/threads')).body;
    const { messages } = (await call('GET', `/threads/${thread.thread}`)).body;
    const found = await call('GET', `/messages/${messages[1]._id.toUpperCase()}`);
    expect(found.status).toBe(200);
    expect(found.body).toEqual(messages[1]);
    expect((await call('GET', '/messages/665f1c2e9b1e8a0012a3b4c5')).status).toBe(404);
    const malformed = await call('GET', '/messages/not-an-id');
    expect(malformed.status).toBe(400);
    expect(malformed.body.message).toMatch(/24-hex/);
  });
});

describe('auth, paths and methods', () => {
  it('answers 401 with a JSON error without a key or with a wrong one', async () => {
    for (const key of [null, '', 'wrong-key']) {
      const res = await call('GET', '/threads', { key });
      expect(res.status).toBe(401);
      expect(res.body).toMatchObject({
        statusCode: 401,
        error: 'Unauthorized',
        message: expect.stringMatching(/API key/),
      });
    }
    expect((await call('POST', '/messages', { key: 'wrong', body: { body: 'x', thread_fid: 'y' } })).status).toBe(401);
  });

  it('takes the key in any header casing, with or without X-API-USERNAME, under /gurusup and /gurusup/api/v1', async () => {
    const res = await call('GET', '/threads', {
      key: null,
      headers: { 'x-API-KEY': KEY, 'X-API-USERNAME': 'someone' },
    });
    expect(res.status).toBe(200);
    const v1 = await call('GET', '/threads', { base: '/gurusup/api/v1' });
    expect(v1.body).toEqual(res.body);
  });

  it('answers 405 for a wrong method and 404 JSON for an unknown route', async () => {
    const wrong = await call('DELETE', '/threads');
    expect(wrong.status).toBe(405);
    expect(wrong.headers.get('allow')).toBe('GET');
    expect((await call('GET', '/messages')).status).toBe(405);
    const unknown = await call('GET', '/tickets');
    expect(unknown.status).toBe(404);
    expect(unknown.body.message).toMatch(/GET \/threads/);
  });

  it('gives each created tenant its own key and organisation', async () => {
    const created = (await (
      await fetch(`${t.url}/_emulator/tenants`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: '{}',
      })
    ).json()) as any;
    expect(created.gurusupApiKey).toMatch(/^gs_/);
    await call('POST', '/messages', {
      key: created.gurusupApiKey,
      body: { body: 'Hi', thread_fid: 'own-thread', user_fid: 'u' },
    });
    expect(
      (await call('GET', '/threads', { key: created.gurusupApiKey })).body.map((th: any) => th.thread_fid),
    ).toContain('own-thread');
    expect((await call('GET', '/threads')).body.map((th: any) => th.thread_fid)).not.toContain('own-thread');
    expect((await call('GET', `/threads/${md5('own-thread')}`)).status).toBe(404);
  });
});

describe('send-message webhook', () => {
  it('delivers the automatic reply with the organisation key, and data equal to the API object', async () => {
    const res = await call('POST', '/messages', {
      body: { body: 'Where is my order?', thread_fid: 'wh-1', user_fid: 'u1', lang: 'en' },
    });
    const [received] = await sink.waitFor({ count: 1 });
    expect(received!.headers['x-api-key']).toBe(KEY);
    expect(received!.headers['content-type']).toBe('application/json');
    expect(received!.body).toEqual({ event: 'send_message', data: res.body });
    expect(received!.path).toBe('/webhooks');
  });

  it('delivers messages Gurusup sends through the control API; posting the data back as an agent does not loop', async () => {
    const sent = await fetch(`${t.url}/_emulator/tenants/guuru-qa/gurusup/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ thread_fid: 'outbound-1', body: 'Your parcel ships today.' }),
    });
    expect(sent.status).toBe(201);
    const [received] = await sink.waitFor({ count: 1 });
    expect(received!.body.data).toMatchObject({
      body: 'Your parcel ships today.',
      thread_fid: 'outbound-1',
      is_customer_support_agent: true,
    });
    // "Created in the same way as the original message": the receiver posts it back.
    const echoed = await call('POST', '/messages', { body: received!.body.data });
    expect(echoed.status).toBe(201);
    expect(echoed.headers.get('x-emulator-reply')).toBe('posted-message');
    await t.emulator.webhooks.dispatcher.idle();
    expect(sink.received).toHaveLength(1);
    const log = (await (
      await fetch(`${t.url}/_emulator/deliveries?source=gurusup&chatId=${md5('outbound-1')}`)
    ).json()) as any;
    expect(log.deliveries.map((d: any) => [d.event, d.status])).toEqual([['send_message', 'delivered']]);
  });

  it('sends nothing for customer or agent messages when the automatic reply is off', async () => {
    await fetch(`${t.url}/_emulator/gurusup`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ autoReply: false }),
    });
    await call('POST', '/messages', { body: { body: 'Hi', thread_fid: 'x', user_fid: 'u' } });
    await t.emulator.webhooks.dispatcher.idle();
    expect(sink.received).toHaveLength(0);
  });
});

describe('OpenAPI document', () => {
  it('is served as OpenAPI 3.1 and real responses validate against it', async () => {
    const doc = (await (await fetch(`${t.url}/gurusup/openapi.json`)).json()) as any;
    expect(doc.openapi).toBe('3.1.0');
    expect(Object.keys(doc.paths)).toEqual([
      '/threads',
      '/threads/{threadFidHash}',
      '/messages',
      '/messages/{messageId}',
    ]);
    const ajv = new Ajv2020.default({ strict: false, allErrors: true });
    addFormats.default(ajv);
    ajv.addSchema({ ...doc, $id: 'gurusup' });
    const check = (pointer: string, value: unknown) => {
      const validate = ajv.compile({ $ref: `gurusup#${pointer}` });
      expect(validate(value), `${pointer}: ${JSON.stringify(validate.errors)}`).toBe(true);
    };
    const schema = (path: string, method: string, status: string) =>
      `/paths/${path.replaceAll('/', '~1')}/${method}/responses/${status}/content/application~1json/schema`;

    const list = await call('GET', '/threads');
    check(schema('/threads', 'get', '200'), list.body);
    const detail = await call('GET', `/threads/${list.body[0].thread}`);
    check(schema('/threads/{threadFidHash}', 'get', '200'), detail.body);
    check(schema('/threads/{threadFidHash}', 'get', '404'), (await call('GET', `/threads/${md5('x')}`)).body);
    const posted = await call('POST', '/messages', {
      body: { body: 'Hi', thread_fid: 'oa', user_fid: 'u', subject: 'S' },
    });
    check(schema('/messages', 'post', '201'), posted.body);
    check(schema('/messages', 'post', '400'), (await call('POST', '/messages', { body: {} })).body);
    check(schema('/messages', 'post', '401'), (await call('POST', '/messages', { key: null, body: {} })).body);
    check(schema('/messages/{messageId}', 'get', '200'), (await call('GET', `/messages/${posted.body._id}`)).body);
    check(schema('/messages/{messageId}', 'get', '400'), (await call('GET', '/messages/zzz')).body);
    const [event] = await sink.waitFor({ count: 1 });
    check('/components/schemas/SendMessageEvent', event!.body);
    // And the validator does reject what the document forbids.
    const validate = ajv.compile({ $ref: 'gurusup#/components/schemas/Message' });
    expect(validate({ ...posted.body, extra: 1 })).toBe(false);
  });
});
