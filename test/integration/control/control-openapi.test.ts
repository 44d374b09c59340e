import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import express, { type Router } from 'express';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createEmulator, silentLogger, type Emulator } from '../../../src/index.js';
import { contractViolations, readAnswers } from '../../helpers/control-contract.js';
import { recordAnswers } from '../../../src/control/answer-recorder.js';
import { testOptions } from '../../helpers/emulator.js';

let emulator: Emulator;
beforeAll(async () => {
  emulator = await createEmulator({ ...testOptions(), logger: silentLogger, seedTime: Date.UTC(2026, 10, 22) });
});
afterAll(() => emulator.stop());

type Layer = { route?: { path: string; methods: Record<string, boolean> }; handle: Router & { stack?: Layer[] } };

/** Every route of a router and the routers mounted in it, as "METHOD /path/{param}". */
function routesOf(stack: Layer[]): string[] {
  return stack.flatMap((layer) => {
    if (layer.route)
      return Object.keys(layer.route.methods)
        .filter((m) => m !== '_all')
        .map((m) => `${m.toUpperCase()} ${layer.route!.path.replace(/:(\w+)/g, '{$1}')}`);
    return layer.handle.stack ? routesOf(layer.handle.stack) : [];
  });
}

describe('GET /_emulator/openapi.json', () => {
  it('is an OpenAPI 3.1 document of every control route, served without the admin token', async () => {
    const guarded = await createEmulator({ ...testOptions(), logger: silentLogger, adminToken: 'secret-token-1' });
    const res = await request(guarded.app).get('/_emulator/openapi.json');
    await guarded.stop();
    expect(res.status).toBe(200);
    expect(res.body.openapi).toBe('3.1.0');
    expect(res.body.servers).toEqual([{ url: expect.stringMatching(/\/_emulator$/) }]);

    // The routes Express has, against the operations the document has: none missing, none invented.
    // (The control API's router is made on its first request.)
    await request(emulator.app).get('/_emulator/health');
    const appStack = (emulator.app as unknown as { router: { stack: Layer[] } }).router.stack;
    const control = appStack.find((l) => l.handle.stack && routesOf(l.handle.stack).includes('GET /health'))!;
    const actual = new Set(routesOf(control.handle.stack!).map((r) => r.replace('{action}', '*')));
    const documented = Object.entries(res.body.paths as Record<string, object>).flatMap(([path, methods]) =>
      Object.keys(methods).map((m) => `${m.toUpperCase()} ${path}`),
    );
    const actions = documented.filter((r) =>
      /^POST \/tenants\/\{id\}\/chats\/\{chatId\}\/(?!activity|scenario$)[a-z-]+$/.test(r),
    );
    expect(actions.length).toBeGreaterThanOrEqual(9);
    const described = new Set([
      ...documented.filter((r) => !actions.includes(r)),
      'POST /tenants/{id}/chats/{chatId}/*',
    ]);
    // The dashboard's files are served by their own router under /_emulator/ui.
    described.delete('GET /ui/{file}');
    expect([...actual].sort()).toEqual([...described].sort());
  });

  it("describes request bodies with the routes' own schemas", async () => {
    const doc = (await request(emulator.app).get('/_emulator/openapi.json')).body;
    const trigger = doc.paths['/trigger'].post.requestBody.content['application/json'].schema;
    expect(trigger).toMatchObject({ type: 'object', required: ['event'], additionalProperties: false });
    expect(trigger.properties.target).toMatchObject({ type: 'string', format: 'uri' });
    expect(doc.paths['/tenants/{id}/chats'].get.parameters.map((p: { name: string }) => p.name)).toEqual([
      'id',
      'status',
      'language',
      'before',
      'limit',
    ]);
    expect(
      doc.paths['/tenants/{id}/chats/{chatId}/rate'].post.requestBody.content['application/json'].schema,
    ).toMatchObject({ required: ['rating'] });
  });
});

describe('the contract check of the test suite', () => {
  it('records the answers of an emulator started with GUURU_EMULATOR_RECORD_CONTROL, and passes them', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'guuru-answers-'));
    const before = process.env.GUURU_EMULATOR_RECORD_CONTROL;
    process.env.GUURU_EMULATOR_RECORD_CONTROL = dir;
    try {
      const recorded = await createEmulator({ ...testOptions(), logger: silentLogger });
      await request(recorded.app).get('/_emulator/health');
      await request(recorded.app).post('/_emulator/tenants').send({ id: 'contract-a' });
      await request(recorded.app).get('/_emulator/tenants/nope');
      await request(recorded.app).get('/_emulator/nowhere');
      await recorded.stop();
      const answers = readAnswers(dir);
      expect(answers.map((a) => `${a.method} ${a.path} ${a.status}`)).toEqual([
        'GET /_emulator/health 200',
        'POST /_emulator/tenants 201',
        'GET /_emulator/tenants/nope 404',
        'GET /_emulator/nowhere 404',
      ]);
      expect(JSON.parse(answers[1]!.json!).id).toBe('contract-a');
      const doc = (await request(emulator.app).get('/_emulator/openapi.json')).body;
      expect(contractViolations(doc, answers)).toEqual([]);
    } finally {
      if (before === undefined) delete process.env.GUURU_EMULATOR_RECORD_CONTROL;
      else process.env.GUURU_EMULATOR_RECORD_CONTROL = before;
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('records JSON written with write()/end() (the MCP endpoint), so a wrong MCP answer fails the check', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'guuru-answers-'));
    try {
      const app = express();
      app.use('/_emulator', recordAnswers(dir));
      app.post('/_emulator/mcp', (_req, res) => {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.write('{"jsonrpc":"2.0",');
        res.end('"id":1,"result":{}}');
      });
      app.get('/_emulator/mcp', (_req, res) => {
        res.writeHead(405, { 'content-type': 'application/json' }).end('{"nope":true}');
      });
      await request(app).post('/_emulator/mcp').send({});
      await request(app).get('/_emulator/mcp');
      const answers = readAnswers(dir);
      expect(answers.map((a) => a.json)).toEqual(['{"jsonrpc":"2.0","id":1,"result":{}}', '{"nope":true}']);
      const doc = (await request(emulator.app).get('/_emulator/openapi.json')).body;
      expect(contractViolations(doc, answers)).toEqual([
        expect.stringMatching(/^GET \/_emulator\/mcp → 405: body must have required property 'statusCode'/),
      ]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('fails on an answer the document does not allow, and on a document that does not fit the answers', async () => {
    const doc = (await request(emulator.app).get('/_emulator/openapi.json')).body;
    const health = (await request(emulator.app).get('/_emulator/health')).body;
    const answer = (status: number, body: unknown, path = '/_emulator/health', method = 'GET') => ({
      method,
      path,
      status,
      contentType: 'application/json; charset=utf-8',
      json: JSON.stringify(body),
    });
    expect(contractViolations(doc, [answer(200, health)])).toEqual([]);
    // A field missing, a field added, a wrong type, an undocumented status, an undocumented route.
    const { version: _v, ...withoutVersion } = health;
    expect(contractViolations(doc, [answer(200, withoutVersion)])).toEqual([
      expect.stringMatching(/GET \/_emulator\/health → 200: body must have required property 'version'/),
    ]);
    expect(contractViolations(doc, [answer(200, { ...health, extra: 1 })])[0]).toMatch(
      /must NOT have additional properties/,
    );
    expect(contractViolations(doc, [answer(200, { ...health, tenants: 'two' })])[0]).toMatch(/tenants must be integer/);
    expect(contractViolations(doc, [answer(418, { statusCode: 418, error: 'x', message: 'y' })])[0]).toMatch(
      /status not documented/,
    );
    expect(contractViolations(doc, [answer(200, {}, '/_emulator/made-up')])[0]).toMatch(/no such operation/);
    expect(contractViolations(doc, [answer(404, { oops: true }, '/_emulator/made-up')])[0]).toMatch(
      /error body: body must have required property 'statusCode'/,
    );
    expect(contractViolations(doc, [{ ...answer(200, health), contentType: 'text/html' }])[0]).toMatch(
      /content type "text\/html" not documented/,
    );
    // The same answer against a broken document: the schema asks for a field the emulator does not send.
    const broken = structuredClone(doc);
    broken.components.schemas.Health.required.push('region');
    expect(contractViolations(broken, [answer(200, health)])[0]).toMatch(/must have required property 'region'/);
    // Repeats are counted, not listed again.
    expect(contractViolations(doc, [answer(200, withoutVersion), answer(200, withoutVersion)])[0]).toMatch(/\(×2\)$/);
  });
});

describe('the global setup', () => {
  it('sets a failing exit code when an answer of the run does not match, and lets a clean run pass', async () => {
    const { default: setup } = await import('../../control-contract.setup.js');
    const before = { env: process.env.GUURU_EMULATOR_RECORD_CONTROL, exitCode: process.exitCode };
    const quiet = vi.spyOn(console, 'error').mockImplementation(() => undefined);
    const log = vi.spyOn(console, 'log').mockImplementation(() => undefined);
    try {
      for (const [body, expected] of [
        [{ status: 'ok' }, 1],
        [(await request(emulator.app).get('/_emulator/health')).body, before.exitCode],
      ] as const) {
        process.exitCode = before.exitCode;
        const teardown = setup();
        const dir = process.env.GUURU_EMULATOR_RECORD_CONTROL!;
        writeFileSync(
          join(dir, 'test.jsonl'),
          `${JSON.stringify({ method: 'GET', path: '/_emulator/health', status: 200, contentType: 'application/json', json: JSON.stringify(body) })}\n`,
        );
        teardown();
        expect(process.exitCode).toBe(expected);
        expect(existsSync(dir)).toBe(false);
      }
      expect(quiet.mock.calls.join('\n')).toMatch(
        /1 control-API answer\(s\) of the test run do not match[\s\S]*GET \/_emulator\/health → 200: body must have required property/,
      );
    } finally {
      process.exitCode = before.exitCode;
      process.env.GUURU_EMULATOR_RECORD_CONTROL = before.env;
      quiet.mockRestore();
      log.mockRestore();
    }
  });
});
