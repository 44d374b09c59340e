import { brotliCompressSync, deflateSync, gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, type TestEmulator } from '../../helpers/emulator.js';

// Content-Encoding on request bodies: what is compressed is read, what only claims to be is a 400.
const ENDPOINTS: { path: string; body: unknown; ok: number; headers: Record<string, string> }[] = [
  { path: '/graphql', body: { query: '{ partner { id } }' }, ok: 200, headers: { authorization: 'Bearer demo-token' } },
  { path: '/_emulator/tenants', body: { id: 'zipped' }, ok: 201, headers: {} },
  {
    path: '/gurusup/messages',
    body: { body: 'Hello', thread_fid: 'zip-thread', user_fid: 'u1' },
    ok: 201,
    headers: { 'x-api-key': 'demo-api-key' },
  },
];
const ENCODERS: Record<string, (b: Buffer) => Buffer> = {
  gzip: gzipSync,
  deflate: deflateSync,
  br: brotliCompressSync,
};

describe('compressed request bodies', () => {
  let t: TestEmulator;
  beforeAll(async () => {
    t = await startEmulator();
  });
  afterAll(() => t.stop());

  const post = (path: string, headers: Record<string, string>, body: Buffer) =>
    fetch(`${t.url}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: new Uint8Array(body),
    });

  for (const [encoding, encode] of Object.entries(ENCODERS)) {
    it(`reads a ${encoding} body, and answers 400 to one that only says it is ${encoding}`, async () => {
      for (const endpoint of ENDPOINTS) {
        const raw = Buffer.from(JSON.stringify(endpoint.body));
        const good = await post(endpoint.path, { ...endpoint.headers, 'content-encoding': encoding }, encode(raw));
        expect(good.status, `${endpoint.path} ${encoding}`).toBe(endpoint.ok);
        if (endpoint.path === '/_emulator/tenants')
          await fetch(`${t.url}/_emulator/tenants/zipped`, { method: 'DELETE' });
        for (const lie of [raw, encode(raw).subarray(0, 8)]) {
          const res = await post(endpoint.path, { ...endpoint.headers, 'content-encoding': encoding }, lie);
          expect(res.status, `${endpoint.path} ${encoding}`).toBe(400);
          const text = await res.text();
          expect(text).toContain(`is not what its Content-Encoding (${encoding}) says`);
          expect(text).not.toMatch(/\n\s+at /);
        }
      }
    });
  }

  it('answers 415 to an encoding it does not know', async () => {
    for (const endpoint of ENDPOINTS) {
      const res = await post(
        endpoint.path,
        { ...endpoint.headers, 'content-encoding': 'compress' },
        Buffer.from(JSON.stringify(endpoint.body)),
      );
      expect(res.status).toBe(415);
      const json = (await res.json()) as { message?: string; errors?: { message: string }[] };
      expect(json.message ?? json.errors?.[0]?.message).toMatch(
        /unsupported content encoding "compress".*gzip, deflate or br/,
      );
    }
    expect(t.emulator.store.tenants().map((x) => x.id)).toEqual(['guuru-qa']);
  });
});
