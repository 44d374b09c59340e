import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, optionsFromEnv, resolveConfig } from '../../../src/config/config.js';
import { createEmulator, silentLogger, type Emulator, type EmulatorOptions } from '../../../src/index.js';
import { testOptions } from '../../helpers/emulator.js';

const APP = 'http://app.example.test:5173';
const OTHER = 'https://evil.example';
const QUERY = JSON.stringify({ query: '{ partner { id } }' });

const emulators: Emulator[] = [];
const make = async (options: EmulatorOptions) => {
  const emulator = await createEmulator({ ...testOptions(), logger: silentLogger, ...options });
  emulators.push(emulator);
  return emulator.app;
};
afterAll(() => Promise.all(emulators.map((e) => e.stop())));

/** What a browser sends before a cross-origin POST with JSON and credentials headers. */
const preflight = (app: Emulator['app'], path: string, origin: string, headers = 'authorization,content-type') =>
  request(app)
    .options(path)
    .set('Origin', origin)
    .set('Access-Control-Request-Method', 'POST')
    .set('Access-Control-Request-Headers', headers);

describe('CORS off (the default)', () => {
  let app: Emulator['app'];
  beforeAll(async () => {
    app = await make({});
  });

  it('sends no CORS header: a page on another origin cannot read the APIs', async () => {
    const pre = await preflight(app, '/graphql', APP);
    expect(pre.headers['access-control-allow-origin']).toBeUndefined();
    const res = await request(app)
      .post('/graphql')
      .set('Origin', APP)
      .set('Authorization', 'Bearer demo-token')
      .set('Content-Type', 'application/json')
      .send(QUERY);
    expect(res.body).toEqual({ data: { partner: { id: 'guuru-qa' } } });
    expect(res.headers['access-control-allow-origin']).toBeUndefined();
  });
});

describe('--cors ORIGIN', () => {
  let app: Emulator['app'];
  beforeAll(async () => {
    app = await make({ cors: [APP, 'https://studio.apollographql.com'] });
  });

  it('answers the GraphQL preflight before authentication, allowing the method and headers asked for', async () => {
    const pre = await preflight(app, '/graphql', APP);
    expect(pre.status).toBe(204);
    expect(pre.headers['access-control-allow-origin']).toBe(APP);
    expect(pre.headers['access-control-allow-methods']).toContain('POST');
    expect(pre.headers['access-control-allow-headers']).toBe('authorization,content-type');
    expect(pre.headers.vary).toMatch(/Origin/);
  });

  it('lets the page read GraphQL answers, errors included (a missing token)', async () => {
    const ok = await request(app)
      .post('/graphql')
      .set('Origin', APP)
      .set('Authorization', 'Bearer demo-token')
      .set('Content-Type', 'application/json')
      .send(QUERY);
    expect(ok.body).toEqual({ data: { partner: { id: 'guuru-qa' } } });
    expect(ok.headers['access-control-allow-origin']).toBe(APP);
    const unauthenticated = await request(app)
      .post('/graphql')
      .set('Origin', APP)
      .set('Content-Type', 'application/json')
      .send(QUERY);
    expect(unauthenticated.body.errors[0].extensions.code).toBe('UNAUTHENTICATED');
    expect(unauthenticated.headers['access-control-allow-origin']).toBe(APP);
  });

  it('covers the Gurusup API under both base paths, with its x-api-key header', async () => {
    for (const path of ['/gurusup/threads', '/gurusup/api/v1/messages']) {
      const pre = await preflight(app, path, 'https://studio.apollographql.com', 'x-api-key,content-type');
      expect(pre.status, path).toBe(204);
      expect(pre.headers['access-control-allow-origin']).toBe('https://studio.apollographql.com');
      expect(pre.headers['access-control-allow-headers']).toBe('x-api-key,content-type');
    }
    const threads = await request(app).get('/gurusup/threads').set('Origin', APP).set('x-api-key', 'demo-api-key');
    expect(threads.status).toBe(200);
    expect(threads.headers['access-control-allow-origin']).toBe(APP);
  });

  it('gives an origin not in the list no CORS header, and its preflight a 403 that names the flag', async () => {
    const pre = await preflight(app, '/graphql', OTHER);
    expect(pre.status).toBe(403);
    expect(pre.headers['access-control-allow-origin']).toBeUndefined();
    expect(pre.body.message).toContain(`--cors ${OTHER}`);
    const res = await request(app)
      .post('/graphql')
      .set('Origin', OTHER)
      .set('Authorization', 'Bearer demo-token')
      .set('Content-Type', 'application/json')
      .send(QUERY);
    expect(res.headers['access-control-allow-origin']).toBeUndefined();
  });

  it('leaves the control API alone: no CORS headers, and the guard still refuses the page', async () => {
    const pre = await preflight(app, '/_emulator/tenants', APP);
    expect(pre.headers['access-control-allow-origin']).toBeUndefined();
    const res = await request(app).get('/_emulator/tenants').set('Origin', APP);
    expect(res.status).toBe(403);
    expect(res.body.code).toBe('FORBIDDEN_ORIGIN');
    expect(res.headers['access-control-allow-origin']).toBeUndefined();
  });
});

describe('--cors ORIGIN --cors-control', () => {
  it('lets that origin use the control API, still behind the admin token; other origins stay refused', async () => {
    const app = await make({ cors: [APP], corsControl: true, adminToken: 'control-token-1' });
    // The preflight carries no token: answered before the guard asks for one.
    const pre = await request(app)
      .options('/_emulator/tenants')
      .set('Origin', APP)
      .set('Access-Control-Request-Method', 'POST')
      .set('Access-Control-Request-Headers', 'authorization,content-type');
    expect(pre.status).toBe(204);
    expect(pre.headers['access-control-allow-origin']).toBe(APP);
    const without = await request(app).get('/_emulator/tenants').set('Origin', APP);
    expect(without.status).toBe(401);
    expect(without.headers['access-control-allow-origin']).toBe(APP);
    const created = await request(app)
      .post('/_emulator/tenants')
      .set('Origin', APP)
      .set('Authorization', 'Bearer control-token-1')
      .send({ id: 'from-a-page' });
    expect(created.status).toBe(201);
    expect(created.headers['access-control-allow-origin']).toBe(APP);
    expect(created.headers['access-control-expose-headers']).toContain('Location');
    const other = await request(app)
      .get('/_emulator/tenants')
      .set('Origin', OTHER)
      .set('Authorization', 'Bearer control-token-1');
    expect(other.status).toBe(403);
    expect(other.body.code).toBe('FORBIDDEN_ORIGIN');
  });
});

describe('--cors *', () => {
  it('allows any origin for the APIs', async () => {
    const app = await make({ cors: ['*'] });
    const pre = await preflight(app, '/graphql', OTHER);
    expect(pre.status).toBe(204);
    expect(pre.headers['access-control-allow-origin']).toBe('*');
  });
});

describe('configuration', () => {
  const resolve = (options: EmulatorOptions) => () => resolveConfig(options, 0);
  it('reads CORS_ORIGINS and CORS_CONTROL', () => {
    expect(optionsFromEnv({ CORS_ORIGINS: `${APP}, https://b.test`, CORS_CONTROL: '1' })).toMatchObject({
      cors: [APP, 'https://b.test'],
      corsControl: true,
    });
    expect(optionsFromEnv({})).toMatchObject({ cors: undefined, corsControl: undefined });
  });

  it('takes an origin with a trailing slash as browsers send it; refuses one with a path, --cors-control without origins, and * for the control API', () => {
    expect(resolveConfig({ cors: ['http://app.test/'] }, 0).cors).toEqual(['http://app.test']);
    expect(resolve({ cors: ['app.test'] })).toThrow(ConfigError);
    expect(resolve({ cors: ['http://app.test/path'] })).toThrow(/cors\.0: an origin such as http:\/\/localhost:5173/);
    expect(resolve({ corsControl: true })).toThrow(/--cors-control needs --cors ORIGIN/);
    expect(resolve({ cors: ['*'], corsControl: true })).toThrow(/not \*/);
    expect(resolve({ cors: [APP], corsControl: true })).not.toThrow();
  });
});
