import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createEmulator, silentLogger } from '../../../src/index.js';
import { startEmulator } from '../../helpers/emulator.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'guuru-data-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('--data FILE', () => {
  it('keeps state across a restart', async () => {
    const file = join(dir, 'state.json');
    const first = await startEmulator({ data: file });
    const tenant = await request(first.emulator.app)
      .post('/_emulator/tenants')
      .send({ id: 'kept', token: 'kept-token-123' })
      .expect(201);
    expect(tenant.body.token).toBe('kept-token-123');
    await request(first.emulator.app)
      .post('/_emulator/tenants/guuru-qa/chats')
      .send({ question: 'Will this survive?' })
      .expect(201);
    await first.gql('mutation { createPersona(input: { providerId: "kept-agent", name: "Kept Agent" }) }');
    await request(first.emulator.app)
      .post('/gurusup/messages')
      .set('x-api-key', tenant.body.gurusupApiKey)
      .send({ body: 'Still there?', thread_fid: 'kept-thread', user_fid: 'u' })
      .expect(201);
    await first.stop();

    const saved = JSON.parse(readFileSync(file, 'utf8'));
    expect(saved.format).toBe('guuru-emulator-state');
    expect(saved.version).toBe(2);

    const second = await startEmulator({ data: file, seed: 99 });
    try {
      const kept = await second.gql('{ partner { id } }', undefined, 'kept-token-123');
      expect(kept.body.data!.partner.id).toBe('kept');
      const newest = await second.gql(
        '{ partner { chats(first: 1, orderBy: {field: id, direction: desc}) { edges { node { question } } } } }',
      );
      expect(newest.body.data!.partner.chats.edges[0].node.question).toBe('Will this survive?');
      const persona = await second.gql(
        'mutation { createPersona(input: { providerId: "kept-agent", name: "Kept Agent" }) }',
      );
      expect(second.emulator.store.tenant('guuru-qa')!.personasByProviderId.get('kept-agent')?.id).toBe(
        persona.body.data!.createPersona,
      );
      const threads = await request(second.emulator.app)
        .get('/gurusup/threads')
        .set('x-api-key', tenant.body.gurusupApiKey)
        .expect(200);
      expect(threads.body.at(-1).thread_fid).toBe('kept-thread');
    } finally {
      await second.stop();
    }
  });

  it('refuses a corrupt file and leaves it untouched', async () => {
    const file = join(dir, 'state.json');
    writeFileSync(file, '{"format": "guuru-emulator-state", "tenants": [');
    await expect(createEmulator({ data: file, logger: silentLogger })).rejects.toThrow(
      /refusing to use .*not valid JSON.*never overwrites/,
    );
    expect(readFileSync(file, 'utf8')).toBe('{"format": "guuru-emulator-state", "tenants": [');
  });

  it('refuses a foreign JSON file and one of another format version', async () => {
    const file = join(dir, 'package.json');
    writeFileSync(file, JSON.stringify({ name: 'something-else' }));
    await expect(createEmulator({ data: file, logger: silentLogger })).rejects.toThrow(
      /not a guuru-emulator state file/,
    );
    writeFileSync(file, JSON.stringify({ format: 'guuru-emulator-state', version: 99, tenants: [] }));
    await expect(createEmulator({ data: file, logger: silentLogger })).rejects.toThrow(/version 99/);
    expect(JSON.parse(readFileSync(file, 'utf8')).version).toBe(99);
  });

  it('creates the file at start when it does not exist, and reset is saved too', async () => {
    const file = join(dir, 'new.json');
    const t = await startEmulator({ data: file });
    try {
      expect(existsSync(file)).toBe(true);
      await request(t.emulator.app).post('/_emulator/tenants').send({ id: 'gone' }).expect(201);
      await request(t.emulator.app).post('/_emulator/reset').expect(200);
    } finally {
      await t.stop();
    }
    const saved = JSON.parse(readFileSync(file, 'utf8'));
    expect(saved.tenants.map((x: { id: string }) => x.id)).toEqual(['guuru-qa']);
  });
});
