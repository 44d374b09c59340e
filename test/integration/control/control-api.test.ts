import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { VirtualClock } from '../../../src/index.js';
import { SEED_TIME, startEmulator, type TestEmulator } from '../../helpers/emulator.js';

let t: TestEmulator;
beforeAll(async () => {
  t = await startEmulator();
});
afterAll(() => t.stop());

describe('control API', () => {
  it('reports health', async () => {
    const res = await request(t.emulator.app).get('/_emulator/health').expect(200);
    expect(res.body).toMatchObject({ status: 'ok', name: 'guuru-emulator', tenants: 1, clock: 'system' });
    // What the process holds, in MiB (the soak bench samples it).
    expect(res.body.memory.rssMiB).toBeGreaterThan(res.body.memory.heapUsedMiB);
    expect(res.body.memory.heapUsedMiB).toBeGreaterThan(1);
  });

  it('creates, shows, lists, resets and deletes tenants', async () => {
    const created = await request(t.emulator.app).post('/_emulator/tenants').send({ id: 'team-a' }).expect(201);
    expect(created.headers.location).toBe('/_emulator/tenants/team-a');
    expect(created.body).toMatchObject({ id: 'team-a', builtIn: false, graphqlUrl: `${t.url}/graphql` });
    expect(created.body.counts.chats).toBeGreaterThanOrEqual(250);
    const shown = await request(t.emulator.app).get('/_emulator/tenants/team-a').expect(200);
    expect(shown.body.token).toBe(created.body.token);
    const list = await request(t.emulator.app).get('/_emulator/tenants').expect(200);
    expect(list.body.tenants.map((x: any) => x.id)).toEqual(['guuru-qa', 'team-a']);

    await request(t.emulator.app).post('/_emulator/tenants/team-a/chats').send({ question: 'extra' }).expect(201);
    const before = (await request(t.emulator.app).get('/_emulator/tenants/team-a')).body.counts.chats;
    const reset = await request(t.emulator.app).post('/_emulator/tenants/team-a/reset').expect(200);
    expect(reset.body.counts.chats).toBe(before - 1);
    expect(reset.body.token).toBe(created.body.token);

    await request(t.emulator.app).post('/_emulator/tenants').send({ id: 'team-a' }).expect(409);
    await request(t.emulator.app).delete('/_emulator/tenants/team-a').expect(204);
    await request(t.emulator.app).get('/_emulator/tenants/team-a').expect(404);
  });

  it('resets everything back to the seed', async () => {
    await request(t.emulator.app).post('/_emulator/tenants').send({ id: 'temp' }).expect(201);
    await request(t.emulator.app)
      .post('/_emulator/tenants/guuru-qa/chats')
      .send({ question: 'to be forgotten' })
      .expect(201);
    const res = await request(t.emulator.app).post('/_emulator/reset').expect(200);
    expect(res.body.tenants.map((x: any) => x.id)).toEqual(['guuru-qa']);
    const newest = await t.gql(
      '{ partner { chats(first: 1, orderBy: {field: id, direction: desc}) { edges { node { question } } } } }',
    );
    expect(newest.body.data!.partner.chats.edges[0].node.question).not.toBe('to be forgotten');
    expect((await t.gql('{ partner { id } }')).body.data!.partner.id).toBe('guuru-qa');
  });

  it('brings a deleted built-in tenant back on reset, even after its id was taken', async () => {
    const before = (await request(t.emulator.app).get('/_emulator/tenants/guuru-qa').expect(200)).body;
    await request(t.emulator.app).delete('/_emulator/tenants/guuru-qa').expect(204);
    expect((await t.gql('{ partner { id } }')).status).toBe(401);
    // A created tenant under the built-in's id, then deleted too: reset still knows the built-in one.
    await request(t.emulator.app).post('/_emulator/tenants').send({ id: 'guuru-qa' }).expect(201);
    await request(t.emulator.app).delete('/_emulator/tenants/guuru-qa').expect(204);
    const res = await request(t.emulator.app).post('/_emulator/reset').expect(200);
    expect(res.body.tenants.map((x: any) => [x.id, x.builtIn, x.token])).toEqual([['guuru-qa', true, before.token]]);
    expect(res.body.tenants[0].webhookSecret).toBe(before.webhookSecret);
    expect((await t.gql('{ partner { id } }')).body.data!.partner.id).toBe('guuru-qa');
  });

  it('refuses bad bodies with a JSON 400 that names the field, changing nothing', async () => {
    const tenants = (await request(t.emulator.app).get('/_emulator/tenants')).body.tenants.length;
    const badId = await request(t.emulator.app).post('/_emulator/tenants').send({ id: 'Not A Slug' }).expect(400);
    expect(badId.body).toMatchObject({ statusCode: 400, error: 'Bad Request' });
    expect(badId.body.message).toMatch(/id/);
    const unknown = await request(t.emulator.app).post('/_emulator/tenants').send({ colour: 'red' }).expect(400);
    expect(unknown.body.message).toMatch(/colour/);
    const malformed = await request(t.emulator.app)
      .post('/_emulator/tenants')
      .set('Content-Type', 'application/json')
      .send('{')
      .expect(400);
    expect(malformed.body.message).toMatch(/not valid JSON/);
    const chat = await request(t.emulator.app)
      .post('/_emulator/tenants/guuru-qa/chats')
      .send({ question: 'x', language: 'tlh' })
      .expect(400);
    expect(chat.body.message).toMatch(/language/);
    expect((await request(t.emulator.app).get('/_emulator/tenants')).body.tenants.length).toBe(tenants);
    const missing = await request(t.emulator.app).get('/_emulator/nothing-here').expect(404);
    expect(missing.body.message).toMatch(/No control endpoint/);
  });

  it('advances a virtual clock, and refuses to on the system clock', async () => {
    await request(t.emulator.app).post('/_emulator/clock/advance').send({ ms: 1000 }).expect(409);
    const clock = new VirtualClock(SEED_TIME + 3_600_000);
    const v = await startEmulator({ clock });
    try {
      const res = await request(v.emulator.app).post('/_emulator/clock/advance').send({ ms: 60_000 }).expect(200);
      expect(res.body.now).toBe(SEED_TIME + 3_660_000);
      const chat = await request(v.emulator.app)
        .post('/_emulator/tenants/guuru-qa/chats')
        .send({ question: 'when?' })
        .expect(201);
      expect(chat.body.createdAt).toBe(SEED_TIME + 3_660_000);
      const q = await v.gql(
        '{ partner { chats(first: 1, orderBy: {field: id, direction: desc}) { edges { node { createdAt } } } } }',
      );
      expect(q.body.data!.partner.chats.edges[0].node.createdAt).toBe(SEED_TIME + 3_660_000);
    } finally {
      await v.stop();
    }
  });
});
