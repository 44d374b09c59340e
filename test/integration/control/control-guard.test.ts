import { request as httpRequest } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { optionsFromEnv } from '../../../src/config/config.js';
import { ADMIN_TOKEN_COOKIE, emulatorHostNames } from '../../../src/http/guard.js';
import { startEmulator, type TestEmulator } from '../../helpers/emulator.js';

interface Answer {
  status: number;
  body: any;
  headers: Record<string, string | string[] | undefined>;
}

/** A request with exactly the headers given (fetch will not let a test set Host). */
function send(
  base: string,
  method: string,
  path: string,
  headers: Record<string, string>,
  body?: string,
): Promise<Answer> {
  const url = new URL(path, base);
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      {
        host: url.hostname,
        port: url.port,
        method,
        path: url.pathname + url.search,
        headers: { ...headers, ...(body === undefined ? {} : { 'content-length': String(Buffer.byteLength(body)) }) },
      },
      (res) => {
        let text = '';
        res.on('data', (c: Buffer) => (text += c.toString()));
        res.on('end', () => {
          let parsed: unknown = text;
          try {
            parsed = JSON.parse(text);
          } catch {
            // not JSON
          }
          resolve({ status: res.statusCode ?? 0, body: parsed, headers: res.headers });
        });
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

const ASSIGNED_CHAT = 'O2bqy2CsAaS7RBXZrhMOB';

/** The six state changes a cross-site page managed before (issue 12, finding 4). */
const ATTACKS: [string, string][] = [
  ['POST', '/_emulator/reset'],
  ['POST', '/_emulator/tenants'],
  ['POST', `/_emulator/tenants/guuru-qa/chats/${ASSIGNED_CHAT}/accept`],
  ['POST', `/_emulator/tenants/guuru-qa/chats/${ASSIGNED_CHAT}/close`],
  ['POST', '/_emulator/scenarios/happy-path/runs'],
  ['POST', '/_emulator/deliveries/flush'],
];

describe('the control API refuses what a web page can send', () => {
  let t: TestEmulator;
  let host: string;
  beforeAll(async () => {
    t = await startEmulator({ allowedHosts: ['emulator.internal'] });
    host = new URL(t.url).host;
  });
  afterAll(() => t.stop());

  const unchanged = () => {
    expect(t.emulator.store.tenants().map((x) => x.id)).toEqual(['guuru-qa']);
    expect(t.emulator.store.tenant('guuru-qa')!.chatsById.get(ASSIGNED_CHAT)!.status).toBe('assigned');
    expect(t.emulator.scenarios.runsOf('happy-path')).toEqual([]);
  };

  it('a cross-site text/plain POST (a form or fetch no-cors from another site) changes nothing: 403', async () => {
    for (const [method, path] of ATTACKS) {
      const res = await send(
        t.url,
        method,
        path,
        { host, origin: 'https://evil.example', 'content-type': 'text/plain;charset=UTF-8' },
        '{}',
      );
      expect(res.status, path).toBe(403);
      expect(res.body).toMatchObject({ statusCode: 403, code: 'FORBIDDEN_ORIGIN' });
      expect(res.body.message).toMatch(/evil\.example may not use the emulator's control API/);
    }
    unchanged();
  });

  it('text/plain and form bodies are refused even without an Origin: 415, nothing changed', async () => {
    for (const [method, path] of ATTACKS) {
      for (const type of ['text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x']) {
        const res = await send(t.url, method, path, { host, 'content-type': type }, '{}');
        expect(res.status, `${path} ${type}`).toBe(415);
        expect(res.body.code).toBe('JSON_REQUIRED');
      }
      const untyped = await send(t.url, method, path, { host }, '{}');
      expect(untyped.status, `${path} without Content-Type`).toBe(415);
    }
    unchanged();
  });

  it('a cross-site state change without an Origin (Sec-Fetch-Site: cross-site) changes nothing: 403', async () => {
    for (const [method, path] of ATTACKS) {
      const res = await send(
        t.url,
        method,
        path,
        { host, 'sec-fetch-site': 'cross-site', 'content-type': 'application/json' },
        '{}',
      );
      expect(res.status, path).toBe(403);
      expect(res.body).toMatchObject({ statusCode: 403, code: 'FORBIDDEN_ORIGIN' });
      expect(res.body.message).toMatch(/Sec-Fetch-Site: cross-site/);
    }
    unchanged();
    // The emulator's own pages (same-origin) and reads from anywhere are served.
    expect((await send(t.url, 'GET', '/_emulator/tenants', { host, 'sec-fetch-site': 'cross-site' })).status).toBe(200);
    expect(
      (
        await send(
          t.url,
          'POST',
          '/_emulator/reset',
          { host, 'sec-fetch-site': 'same-origin', 'content-type': 'application/json' },
          '{}',
        )
      ).status,
    ).toBe(200);
  });

  it('a rebound Host (DNS rebinding) reads nothing and changes nothing: 403', async () => {
    const read = await send(t.url, 'GET', '/_emulator/tenants', { host: 'evil.example:4000' });
    expect(read.status).toBe(403);
    expect(read.body.code).toBe('FORBIDDEN_HOST');
    expect(JSON.stringify(read.body)).not.toContain('demo-token');
    expect(read.body.message).toMatch(/--allow-host evil\.example/);
    // Same-origin for the browser (Origin matches Host), still a foreign name.
    const write = await send(
      t.url,
      'POST',
      '/_emulator/reset',
      { host: 'evil.example:4000', origin: 'http://evil.example:4000', 'content-type': 'application/json' },
      '{}',
    );
    expect(write.status).toBe(403);
    unchanged();
  });

  it('an Origin of null (sandboxed frame, file://) is foreign', async () => {
    const res = await send(t.url, 'GET', '/_emulator/tenants', { host, origin: 'null' });
    expect(res.status).toBe(403);
    expect(res.body.code).toBe('FORBIDDEN_ORIGIN');
  });

  it('serves scripts, curl and its own pages: no Origin, same Origin, loopback names, allowed names, body-less POST', async () => {
    const port = new URL(t.url).port;
    expect((await send(t.url, 'GET', '/_emulator/tenants', { host })).status).toBe(200);
    expect((await send(t.url, 'GET', '/_emulator/tenants', { host: `localhost:${port}` })).status).toBe(200);
    expect((await send(t.url, 'GET', '/_emulator/tenants', { host: `[::1]:${port}` })).status).toBe(200);
    expect((await send(t.url, 'GET', '/_emulator/tenants', { host: `emulator.internal:${port}` })).status).toBe(200);
    const ownPage = await send(
      t.url,
      'POST',
      '/_emulator/tenants',
      { host, origin: `http://${host}`, 'content-type': 'application/json' },
      '{"id":"from-own-page"}',
    );
    expect(ownPage.status).toBe(201);
    expect((await send(t.url, 'POST', '/_emulator/reset', { host })).status).toBe(200);
    expect(
      (await send(t.url, 'POST', '/_emulator/reset', { host, 'content-type': 'application/vnd.api+json' }, '{}'))
        .status,
    ).toBe(200);
    unchanged();
  });

  it('leaves the GraphQL and Gurusup APIs to their own credentials, whatever the Origin', async () => {
    const gql = await send(
      t.url,
      'POST',
      '/graphql',
      {
        host,
        origin: 'https://integrator.example',
        'content-type': 'application/json',
        authorization: 'Bearer demo-token',
      },
      '{"query":"{ partner { id } }"}',
    );
    expect(gql.body).toEqual({ data: { partner: { id: 'guuru-qa' } } });
    const threads = await send(t.url, 'GET', '/gurusup/threads', { host: 'api.example', 'x-api-key': 'demo-api-key' });
    expect(threads.status).toBe(200);
  });
});

describe('--admin-token', () => {
  let t: TestEmulator;
  let host: string;
  const TOKEN = 'ci-admin-token-123';
  beforeAll(async () => {
    t = await startEmulator({ adminToken: TOKEN });
    host = new URL(t.url).host;
  });
  afterAll(() => t.stop());

  it('is required on every control route, with a message that says how to pass it', async () => {
    const missing = await send(t.url, 'GET', '/_emulator/tenants', { host });
    expect(missing.status).toBe(401);
    expect(missing.headers['www-authenticate']).toMatch(/^Bearer/);
    expect(missing.body).toMatchObject({ code: 'ADMIN_TOKEN_REQUIRED' });
    expect(missing.body.message).toMatch(/Authorization: Bearer <token>.*X-Admin-Token/);
    const wrong = await send(t.url, 'POST', '/_emulator/reset', { host, authorization: 'Bearer nope-nope-nope' });
    expect(wrong.status).toBe(401);
    expect(wrong.body.message).toMatch(/Wrong admin token/);
    expect(t.emulator.store.tenants()).toHaveLength(1);
  });

  it('is accepted as a bearer token, an X-Admin-Token header or the dashboard cookie', async () => {
    expect((await send(t.url, 'GET', '/_emulator/tenants', { host, authorization: `Bearer ${TOKEN}` })).status).toBe(
      200,
    );
    expect((await send(t.url, 'GET', '/_emulator/tenants', { host, 'x-admin-token': TOKEN })).status).toBe(200);
    expect(
      (await send(t.url, 'GET', '/_emulator/tenants', { host, cookie: `theme=dark; ${ADMIN_TOKEN_COOKIE}=${TOKEN}` }))
        .status,
    ).toBe(200);
  });

  it('is found in whichever header holds it, beside an Admin API bearer token', async () => {
    const both = await send(t.url, 'GET', '/_emulator/tenants', {
      host,
      authorization: 'Bearer demo-token',
      'x-admin-token': TOKEN,
    });
    expect(both.status).toBe(200);
    const cookie = await send(t.url, 'GET', '/_emulator/tenants', {
      host,
      authorization: 'Bearer demo-token',
      cookie: `${ADMIN_TOKEN_COOKIE}=${TOKEN}`,
    });
    expect(cookie.status).toBe(200);
    const neither = await send(t.url, 'GET', '/_emulator/tenants', {
      host,
      authorization: 'Bearer demo-token',
      'x-admin-token': 'not-the-token',
    });
    expect(neither.status).toBe(401);
  });

  it('with the token, any Host name works (a Docker service name), but never a foreign page', async () => {
    expect(
      (
        await send(t.url, 'GET', '/_emulator/tenants', {
          host: 'guuru-emulator:4000',
          authorization: `Bearer ${TOKEN}`,
        })
      ).status,
    ).toBe(200);
    const page = await send(
      t.url,
      'POST',
      '/_emulator/reset',
      { host, origin: 'https://evil.example', authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
      '{}',
    );
    expect(page.status).toBe(403);
  });

  it('keeps the health check and the dashboard files open (a page must load to ask for the token)', async () => {
    expect((await send(t.url, 'GET', '/_emulator/health', { host })).status).toBe(200);
    expect((await send(t.url, 'GET', '/', { host, accept: 'text/html' })).status).toBe(200);
    // A browser opening a control route does not get around the token.
    expect((await send(t.url, 'GET', '/_emulator/tenants', { host, accept: 'text/html' })).status).toBe(401);
  });
});

describe('a non-loopback host', () => {
  it('makes a strong admin token at start when none is given', async () => {
    const t = await startEmulator({ host: '0.0.0.0' });
    try {
      expect(t.emulator.adminToken).toMatch(/^[A-Za-z0-9_-]{32}$/);
      const url = t.url.replace('0.0.0.0', '127.0.0.1');
      expect((await send(url, 'GET', '/_emulator/tenants', { host: new URL(url).host })).status).toBe(401);
      expect(
        (
          await send(url, 'GET', '/_emulator/tenants', {
            host: new URL(url).host,
            authorization: `Bearer ${t.emulator.adminToken}`,
          })
        ).status,
      ).toBe(200);
    } finally {
      await t.stop();
    }
    const other = await startEmulator({ host: '0.0.0.0' });
    expect(other.emulator.adminToken).not.toBe(t.emulator.adminToken);
    await other.stop();
  });

  it('on loopback needs no token unless one is given', async () => {
    const t = await startEmulator();
    expect(t.emulator.adminToken).toBeUndefined();
    await t.stop();
  });

  it('answers to the machine names when bound to every interface, and reads ADMIN_TOKEN and ALLOWED_HOSTS', () => {
    expect(emulatorHostNames('0.0.0.0')).toEqual(expect.arrayContaining(['localhost', '127.0.0.1', '::1']));
    expect(emulatorHostNames('192.168.1.20', ['Dev.Box'])).toEqual(expect.arrayContaining(['192.168.1.20', 'dev.box']));
    expect(optionsFromEnv({ ADMIN_TOKEN: 'abcdefgh12', ALLOWED_HOSTS: 'a.test, b.test' })).toMatchObject({
      adminToken: 'abcdefgh12',
      allowedHosts: ['a.test', 'b.test'],
    });
  });
});
