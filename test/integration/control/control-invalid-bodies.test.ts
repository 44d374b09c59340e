import Ajv2020 from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RecordedAnswer } from '../../../src/control/answer-recorder.js';
import { contractViolations } from '../../helpers/control-contract.js';
import { VirtualClock } from '../../../src/index.js';
import { SEED_TIME, startEmulator, type TestEmulator } from '../../helpers/emulator.js';
import { startWebhookSink, type WebhookSink } from '../../helpers/webhook-sink.js';

/**
 * Every control route that takes a body, sent bodies it must refuse: an unknown key, a JSON array,
 * each field with a value of the wrong type, and `{}` where fields are required. Each answer is a 400
 * INVALID_ARGUMENT naming the field, is described by /_emulator/openapi.json, and changes nothing.
 */
type Schema = {
  type?: string | string[];
  properties?: Record<string, Schema>;
  required?: string[];
  additionalProperties?: unknown;
};
type Doc = {
  paths: Record<string, Record<string, { requestBody?: { content: { 'application/json': { schema: Schema } } } }>>;
};

let t: TestEmulator;
let sink: WebhookSink;
let doc: Doc;
/** Real values for the path parameters, so a lookup does not answer before the body is read. */
let params: Record<string, Record<string, string>>;

const control = () => request(t.emulator.app);

beforeAll(async () => {
  // A virtual clock: a refused POST /clock/advance must leave it where it was.
  t = await startEmulator({ clock: new VirtualClock(SEED_TIME + 3_600_000) });
  sink = await startWebhookSink(null);
  doc = (await control().get('/_emulator/openapi.json').expect(200)).body;
  const chat = (
    await control()
      .post('/_emulator/tenants/guuru-qa/chats')
      .send({ question: 'a chat the refused bodies must not touch' })
      .expect(201)
  ).body;
  await control().post('/_emulator/snapshots').send({ name: 'kept' }).expect(201);
  const triggered = (
    await control().post('/_emulator/trigger').send({ event: 'chat-closed', target: sink.url, only: true }).expect(201)
  ).body;
  params = {
    default: { id: 'guuru-qa', chatId: chat.id },
    '/snapshots/{name}/restore': { name: 'kept' },
    '/scenarios/{name}/runs': { name: 'happy-path' },
    '/deliveries/{id}/redeliver': { id: triggered.deliveries[0].id },
  };
});
afterAll(async () => {
  await sink?.close();
  await t?.stop();
});

const ajv = new Ajv2020.default({ strict: false });
addFormats.default(ajv);
/** The first of a few values of other JSON types that the field's schema refuses. */
function wrongValue(schema: Schema): unknown {
  return [12345, 'not-what-it-takes', true, [12345], { nested: true }, null].find(
    (value) => !ajv.validate(schema, value),
  );
}

/** What the state looks like to a client: tenants with their counts, snapshots, deliveries, clock, scenarios. */
async function state(): Promise<unknown> {
  const [tenants, snapshots, deliveries, clock, scenarios, faults, webhooks, gurusup] = await Promise.all(
    ['/tenants', '/snapshots', '/deliveries', '/clock', '/scenarios', '/faults', '/webhooks', '/gurusup'].map(
      async (path) => (await control().get(`/_emulator${path}`).expect(200)).body,
    ),
  );
  return {
    tenants,
    snapshots,
    deliveries: deliveries.deliveries.map((d: { id: string; status: string }) => [d.id, d.status]),
    clock,
    scenarios,
    faults,
    webhooks,
    gurusup,
  };
}

describe('invalid bodies on every control route that takes one', () => {
  it('get a described 400 INVALID_ARGUMENT naming the field, and change nothing', async () => {
    // /mcp speaks JSON-RPC (Streamable HTTP): its refusals are JSON-RPC errors, described on that route and tested in mcp-http.test.ts.
    const operations = Object.entries(doc.paths)
      .filter(([path]) => path !== '/mcp')
      .flatMap(([path, methods]) =>
        Object.entries(methods).flatMap(([method, op]) =>
          op.requestBody ? [{ path, method, schema: op.requestBody.content['application/json'].schema }] : [],
        ),
      );
    expect(operations.length).toBeGreaterThanOrEqual(25);
    const before = await state();
    const answers: RecordedAnswer[] = [];
    const refusals: string[] = [];
    for (const { path, method, schema } of operations) {
      const values = { ...params.default, ...params[path] };
      const url = `/_emulator${path.replace(/\{(\w+)\}/g, (_m, name: string) => encodeURIComponent(values[name] ?? name))}`;
      const bodies: { body: unknown; field: string }[] = [{ body: [], field: '' }];
      if (schema.additionalProperties === false) bodies.push({ body: { notAField: 1 }, field: 'notAField' });
      if ((schema.required ?? []).length > 0) bodies.push({ body: {}, field: schema.required![0]! });
      for (const [name, property] of Object.entries(schema.properties ?? {})) {
        const value = wrongValue(property);
        if (value !== undefined) bodies.push({ body: { [name]: value }, field: name });
      }
      for (const { body, field } of bodies) {
        const res = await control()
          [method as 'post' | 'put'](url)
          .send(body as object);
        answers.push({
          method: method.toUpperCase(),
          path: url,
          status: res.status,
          contentType: res.headers['content-type'],
          json: res.text,
        });
        // It names the field at fault: the one sent wrong, or a required one the body left out.
        const missing = (schema.required ?? []).filter((name) => !(name in (body as object)));
        const named =
          field === '' ||
          [field, ...missing].some(
            (name) => res.body.argumentName === name && (res.body.message as string).includes(name),
          );
        if (res.status !== 400 || res.body.code !== 'INVALID_ARGUMENT' || !named)
          refusals.push(
            `${method.toUpperCase()} ${path} ${JSON.stringify(body)} → ${res.status} ${res.text.slice(0, 200)}`,
          );
      }
    }
    expect(refusals).toEqual([]);
    expect(answers.length).toBeGreaterThan(80);
    expect(contractViolations(doc, answers)).toEqual([]);
    expect(await state()).toEqual(before);
  });

  it('are described even where a route has a 400 of its own (POST /scenarios)', async () => {
    const answers: RecordedAnswer[] = [];
    for (const body of [
      {},
      { files: 'x' },
      { files: [], extra: 1 },
      { files: [{ file: 'a.yaml', yaml: 'name: [' }] },
    ]) {
      const res = await control().post('/_emulator/scenarios').send(body).expect(400);
      answers.push({
        method: 'POST',
        path: '/_emulator/scenarios',
        status: 400,
        contentType: res.headers['content-type'],
        json: res.text,
      });
    }
    expect(JSON.parse(answers[0]!.json!)).toMatchObject({ code: 'INVALID_ARGUMENT', argumentName: 'files' });
    expect(JSON.parse(answers[3]!.json!)).toMatchObject({ scenarios: [], errors: [expect.stringContaining('a.yaml')] });
    expect(contractViolations(doc, answers)).toEqual([]);
  });
});
