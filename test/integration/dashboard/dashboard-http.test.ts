import { get, type IncomingHttpHeaders } from 'node:http';
import { gunzipSync } from 'node:zlib';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exampleOperations } from '../../../src/dashboard/examples.js';
import type { LiveEvent } from '../../../src/control/live-events.js';
import { startEmulator, type TestEmulator } from '../../helpers/emulator.js';
import { startWebhookSink, type WebhookSink } from '../../helpers/webhook-sink.js';

// The dashboard's HTTP side: content negotiation on / and /graphql, the built files, and the
// control routes the pages read (chat list, chat activity, Gurusup threads, the live stream).
let t: TestEmulator;
let sink: WebhookSink;
beforeAll(async () => {
  t = await startEmulator();
  sink = await startWebhookSink();
});
afterAll(async () => {
  await t.stop();
  await sink.close();
});

const BROWSER_ACCEPT = 'text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8';
const configOf = (html: string) =>
  JSON.parse(/<script type="application\/json" id="emulator-config">(.*?)<\/script>/s.exec(html)?.[1] ?? 'null');

describe('GET / by Accept', () => {
  it('gives a browser the dashboard page', async () => {
    const res = await request(t.emulator.app).get('/').set('Accept', BROWSER_ACCEPT);
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/html/);
    expect(res.text).toMatch(/<script type="module" src="\/_emulator\/ui\/dashboard-[\w-]+\.js">/);
    expect(res.text).toMatch(/<link rel="stylesheet" href="\/_emulator\/ui\/dashboard-[\w-]+\.css">/);
    // Nothing from elsewhere: every src and href is a path on the emulator.
    expect(res.text).not.toMatch(/(src|href)="(https?:)?\/\//);
  });

  it.each([['*/*'], ['application/json'], [undefined]])('keeps the JSON index for Accept %s', async (accept) => {
    const req = request(t.emulator.app).get('/');
    const res = await (accept === undefined ? req.unset('Accept') : req.set('Accept', accept));
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/^application\/json/);
    expect(res.body).toMatchObject({ name: 'guuru-emulator', graphql: '/graphql', control: '/_emulator' });
  });
});

describe('the built files', () => {
  const assetOf = async (page: string, kind: 'js' | 'css') => {
    const html = (await request(t.emulator.app).get(page).set('Accept', BROWSER_ACCEPT)).text;
    return new RegExp(`/_emulator/ui/[\\w-]+\\.${kind}`).exec(html)?.[0] as string;
  };

  it('are served gzip-compressed to clients that accept it, cacheable for good', async () => {
    const js = await assetOf('/', 'js');
    // Raw bytes (fetch and supertest would decompress them).
    const res = await new Promise<{ headers: IncomingHttpHeaders; body: Buffer; status?: number }>(
      (resolve, reject) => {
        get(`${t.url}${js}`, { headers: { 'accept-encoding': 'gzip, br' } }, (r) => {
          const chunks: Buffer[] = [];
          r.on('data', (c: Buffer) => chunks.push(c));
          r.on('end', () => resolve({ headers: r.headers, body: Buffer.concat(chunks), status: r.statusCode }));
        }).on('error', reject);
      },
    );
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/javascript/);
    expect(res.headers['content-encoding']).toBe('gzip');
    expect(res.headers['cache-control']).toContain('immutable');
    const plain = await request(t.emulator.app).get(js).set('Accept-Encoding', 'identity');
    expect(plain.headers['content-encoding']).toBeUndefined();
    expect(gunzipSync(res.body).toString('utf8')).toBe(plain.text);
  });

  it('answers an unknown file with the control API 404, never a file from elsewhere on disk', async () => {
    for (const path of [
      '/_emulator/ui/nope.js',
      '/_emulator/ui/..%2Fmanifest.json',
      '/_emulator/ui/%2e%2e/%2e%2e/package.json',
    ]) {
      const res = await request(t.emulator.app).get(path);
      expect(res.status).toBe(404);
      expect(res.body.message).toMatch(/No control endpoint/);
    }
  });
});

describe('GET /graphql in a browser', () => {
  it('opens the bundled GraphiQL with the demo token and the documented examples', async () => {
    const res = await request(t.emulator.app).get('/graphql').set('Accept', BROWSER_ACCEPT);
    expect(res.status).toBe(200);
    expect(res.text).toMatch(/<script type="module" src="\/_emulator\/ui\/graphiql-[\w-]+\.js">/);
    const markup = res.text.replace(/<script type="application\/json"[^]*?<\/script>/, '');
    expect(markup).not.toMatch(/apollo|cdn|(src|href)="(https?:)?\/\//i);
    const config = configOf(res.text);
    expect(config.token).toBe('demo-token');
    expect(config.examples.map((e: { title: string }) => e.title)).toEqual(
      expect.arrayContaining([
        'Chat state',
        'Fetch Chats',
        'Fetch Payouts',
        'acceptChat',
        'sendChatMessage',
        'closeChat',
      ]),
    );
  });

  it('still serves API clients: a GET query with JSON Accept runs', async () => {
    const res = await request(t.emulator.app)
      .get('/graphql')
      .query({ query: '{ partner { id } }' })
      .set('Accept', 'application/json')
      .set('Authorization', 'Bearer demo-token')
      .set('apollo-require-preflight', 'true');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ data: { partner: { id: 'guuru-qa' } } });
  });

  it('preloads examples that run as they are against the seeded data, in order', async () => {
    const fresh = await startEmulator();
    try {
      const html = (await request(fresh.emulator.app).get('/graphql').set('Accept', BROWSER_ACCEPT)).text;
      const examples = configOf(html).examples as ReturnType<typeof exampleOperations>;
      for (const example of examples) {
        const res = await fresh.gql(example.query, example.variables);
        expect({ title: example.title, errors: res.body.errors }).toEqual({ title: example.title, errors: undefined });
      }
    } finally {
      await fresh.stop();
    }
  });
});

describe('control routes the pages read', () => {
  it('lists chats newest first, filtered by status and language', async () => {
    const all = await request(t.emulator.app).get('/_emulator/tenants/guuru-qa/chats?limit=5');
    expect(all.status).toBe(200);
    expect(all.body.chats).toHaveLength(5);
    const seqs = all.body.chats.map((c: { seq: number }) => c.seq);
    expect([...seqs].sort((a, b) => b - a)).toEqual(seqs);
    expect(all.body.total).toBe(t.emulator.store.tenant('guuru-qa')!.data.chats.length);
    expect(all.body.chats[0]).not.toHaveProperty('messages.0');

    const rated = await request(t.emulator.app).get(
      '/_emulator/tenants/guuru-qa/chats?status=rated,closed&language=de&limit=500',
    );
    expect(rated.body.chats.length).toBeGreaterThan(0);
    expect(
      rated.body.chats.every(
        (c: { status: string; language: string }) => ['rated', 'closed'].includes(c.status) && c.language === 'de',
      ),
    ).toBe(true);
    expect(rated.body.languages).toEqual(expect.arrayContaining(['en', 'de']));

    const next = await request(t.emulator.app).get(`/_emulator/tenants/guuru-qa/chats?limit=5&before=${seqs[4]}`);
    expect(next.body.chats[0].seq).toBeLessThan(seqs[4]);
  });

  it('refuses a bad filter with a 400 that names it, and an unknown tenant with a 404', async () => {
    const bad = await request(t.emulator.app).get('/_emulator/tenants/guuru-qa/chats?status=opened');
    expect(bad.status).toBe(400);
    expect(bad.body.message).toMatch(/status/);
    expect((await request(t.emulator.app).get('/_emulator/tenants/nope/chats')).status).toBe(404);
  });

  it("records a chat's steps with the webhooks each one caused", async () => {
    await request(t.emulator.app).put('/_emulator/webhooks').send({ url: sink.url });
    const created = await request(t.emulator.app)
      .post('/_emulator/tenants/guuru-qa/chats')
      .send({ question: 'Where is my parcel?', requestedExperts: ['api'] });
    const id = created.body.id as string;
    await request(t.emulator.app).post(`/_emulator/tenants/guuru-qa/chats/${id}/accept`).send({});
    await request(t.emulator.app)
      .post(`/_emulator/tenants/guuru-qa/chats/${id}/messages`)
      .send({ from: 'user', text: 'Hello?' });
    const activity = await request(t.emulator.app).get(`/_emulator/tenants/guuru-qa/chats/${id}/activity`);
    expect(activity.status).toBe(200);
    expect(activity.body.chat.id).toBe(id);
    const steps = activity.body.steps as {
      event: string;
      from?: string;
      to: string;
      actor: string;
      deliveries: string[];
    }[];
    expect(steps.map((s) => [s.event, s.to])).toEqual([
      ['chat.created', 'created'],
      ['chat.assigned', 'assigned'],
      ['chat.accepted', 'open'],
      ['message.created', 'open'],
    ]);
    expect(steps[0]!.deliveries).toEqual([]);
    for (const [i, event] of [
      [1, 'chat-assigned'],
      [2, 'chat-opened'],
      [3, 'message-created'],
    ] as const) {
      expect(steps[i]!.deliveries).toHaveLength(1);
      const delivery = await request(t.emulator.app).get(`/_emulator/deliveries/${steps[i]!.deliveries[0]}`);
      expect(delivery.body).toMatchObject({ event, chatId: id });
    }
    await request(t.emulator.app).put('/_emulator/webhooks').send({ url: '' });
  });

  it('lists deliveries as summaries on request (no headers, no body)', async () => {
    await request(t.emulator.app).put('/_emulator/webhooks').send({ url: sink.url });
    await request(t.emulator.app)
      .post('/_emulator/tenants/guuru-qa/chats')
      .send({ question: 'Summary?', requestedExperts: ['api'] });
    await request(t.emulator.app).post('/_emulator/deliveries/flush').send({});
    const full = await request(t.emulator.app).get('/_emulator/deliveries?limit=1');
    const summary = await request(t.emulator.app).get('/_emulator/deliveries?limit=1&summary=true');
    expect(full.body.deliveries[0]).toHaveProperty('rawBody');
    expect(summary.body.deliveries[0]).toEqual({
      id: full.body.deliveries[0].id,
      source: 'guuru',
      tenantId: 'guuru-qa',
      event: 'chat-assigned',
      chatId: full.body.deliveries[0].chatId,
      url: sink.url,
      status: 'delivered',
      createdAt: full.body.deliveries[0].createdAt,
      attempts: 1,
      lastStatusCode: 200,
    });
    await request(t.emulator.app).put('/_emulator/webhooks').send({ url: '' });
  });

  it("lists a tenant's Gurusup threads with their messages", async () => {
    const res = await request(t.emulator.app).get('/_emulator/tenants/guuru-qa/gurusup/threads');
    expect(res.status).toBe(200);
    expect(res.body.threads.length).toBe(t.emulator.store.tenant('guuru-qa')!.data.gurusup!.threads.length);
    expect(res.body.threads[0].messages[0]).toHaveProperty('thread_fid');
  });
});

describe('GET /_emulator/events', () => {
  /** Reads the stream until `until` is satisfied by the events seen so far. */
  async function readEvents(
    act: () => Promise<unknown>,
    until: (events: LiveEvent[]) => boolean,
  ): Promise<LiveEvent[]> {
    const controller = new AbortController();
    const res = await fetch(`${t.url}/_emulator/events`, { signal: controller.signal });
    expect(res.headers.get('content-type')).toMatch(/^text\/event-stream/);
    const reader = res.body!.getReader();
    const decoder = new TextDecoder();
    const seen: LiveEvent[] = [];
    let buffer = '';
    let acted = false;
    try {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) throw new Error('stream ended');
        buffer += decoder.decode(value, { stream: true });
        let end: number;
        while ((end = buffer.indexOf('\n\n')) >= 0) {
          const message = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          if (/^event: hello/m.test(message) && !acted) {
            acted = true;
            await act();
          }
          const data = /^data: (.*)$/m.exec(message)?.[1];
          if (data && !/^event:/m.test(message)) seen.push(...(JSON.parse(data) as LiveEvent[]));
        }
        if (until(seen)) return seen;
      }
    } finally {
      controller.abort();
    }
  }

  it('pushes chat changes, deliveries and their attempts, once per object per window', async () => {
    await request(t.emulator.app).put('/_emulator/webhooks').send({ url: sink.url });
    let chatId = '';
    const events = await readEvents(
      async () => {
        const created = await request(t.emulator.app)
          .post('/_emulator/tenants/guuru-qa/chats')
          .send({ question: 'Live?', requestedExperts: ['api'] });
        chatId = created.body.id;
        await request(t.emulator.app).post(`/_emulator/tenants/guuru-qa/chats/${chatId}/accept`).send({});
      },
      (seen) =>
        seen.some(
          (e) => e.type === 'delivery' && e.delivery.event === 'chat-opened' && e.delivery.status === 'delivered',
        ),
    );
    const chat = events.filter((e) => e.type === 'chat' && e.chat.id === chatId);
    expect(chat.at(-1)).toMatchObject({
      type: 'chat',
      tenantId: 'guuru-qa',
      chat: { id: chatId, status: 'open', question: 'Live?' },
    });
    const opened = events.filter((e) => e.type === 'delivery' && e.delivery.event === 'chat-opened').at(-1);
    expect(opened).toMatchObject({
      delivery: { chatId, status: 'delivered', attempts: 1, lastStatusCode: 200, url: sink.url },
    });
    // A summary: no headers or body on the stream.
    expect(opened).not.toHaveProperty('delivery.body');
    await request(t.emulator.app).put('/_emulator/webhooks').send({ url: '' });
  });

  it('counts journaled API requests (one small event per window, however many requests)', async () => {
    const events = await readEvents(
      async () => {
        await Promise.all([
          t.gql('{ partner { id } }'),
          t.gql('{ partner { id } }'),
          t.gql('{ partner { id } }', undefined, 'bad-token'),
        ]);
      },
      (seen) =>
        seen.filter((e) => e.type === 'requests').reduce((n, e) => n + (e.type === 'requests' ? e.count : 0), 0) >= 3,
    );
    const counted = events.filter((e) => e.type === 'requests');
    expect(counted.length).toBeLessThanOrEqual(3);
    expect(counted.reduce((n, e) => n + (e.type === 'requests' ? e.failed : 0), 0)).toBe(1);
  });

  it("names the chats the window's requests were about, so only those chats' pages read their calls again", async () => {
    const chatId = t.emulator.store.tenant('guuru-qa')!.data.chats[0]!.id;
    const events = await readEvents(
      async () => {
        await t.gql('mutation Close($id: ID!) { closeChat(id: $id) { id } }', { id: chatId });
        await t.gql('{ partner { id } }');
      },
      (seen) =>
        seen.filter((e) => e.type === 'requests').reduce((n, e) => n + (e.type === 'requests' ? e.count : 0), 0) >= 2,
    );
    const named = events.flatMap((e) => (e.type === 'requests' ? (e.chatIds ?? ['(any)']) : []));
    expect(named).toEqual([chatId]);
  });

  it('tells listeners to read again after a reset', async () => {
    const events = await readEvents(
      () => request(t.emulator.app).post('/_emulator/tenants').send({ id: 'live-a' }),
      (seen) => seen.some((e) => e.type === 'tenants'),
    );
    expect(events).toContainEqual({ type: 'tenants', event: 'tenant.created', tenantId: 'live-a' });
  });
});
