import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createEmulator, silentLogger } from '../../../src/index.js';
import { SEED_TIME } from '../../helpers/emulator.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'guuru-datafile-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const json = { 'content-type': 'application/json' };

describe('the data file writer', () => {
  it('keeps a write at the cost of the write: a line of the log, not a new snapshot of the whole state', async () => {
    const file = join(dir, 'state.json');
    const emulator = await createEmulator({ logger: silentLogger, seedTime: SEED_TIME, data: file, bulkChats: 5_000 });
    const dataFile = emulator.dataFile!;
    try {
      const snapshot = statSync(file);
      const logBefore = statSync(`${file}.log`).size;
      for (let n = 0; n < 40; n++)
        await request(emulator.app)
          .post('/_emulator/tenants/guuru-qa/chats')
          .set(json)
          .send({ question: `q${n}` })
          .expect(201);
      await dataFile.flushed();
      // 40 chats of one short message each: a few hundred bytes apiece, against a snapshot of megabytes.
      expect(snapshot.size).toBeGreaterThan(2_000_000);
      expect(statSync(`${file}.log`).size - logBefore).toBeLessThan(40 * 1_500);
      expect(statSync(file).mtimeMs).toBe(snapshot.mtimeMs);
      expect(dataFile.compactions).toBe(1);
    } finally {
      await emulator.stop();
    }
  });

  it('saves the generators beside the tenants, and a restart goes on from them', async () => {
    const file = join(dir, 'state.json');
    const first = await createEmulator({ logger: silentLogger, seedTime: SEED_TIME, data: file });
    const tenant = await request(first.app).post('/_emulator/tenants').set(json).send({}).expect(201);
    await first.stop();
    const saved = JSON.parse(readFileSync(file, 'utf8'));
    expect(saved.generators).toMatchObject({ generation: 0, tenantsCreated: 1 });

    const second = await createEmulator({ logger: silentLogger, seedTime: SEED_TIME, data: file });
    try {
      const next = await request(second.app).post('/_emulator/tenants').set(json).send({}).expect(201);
      expect(next.body.id).toMatch(/^tenant-2-/);
      expect(next.body.token).not.toBe(tenant.body.token);
      expect(second.generators.state().generation).toBe(1);
    } finally {
      await second.stop();
    }
  });

  it('a fresh start with the same seed stays deterministic with --data', async () => {
    const ids: string[][] = [];
    for (const name of ['a.json', 'b.json']) {
      const emulator = await createEmulator({ logger: silentLogger, seedTime: SEED_TIME, data: join(dir, name) });
      const chat = await request(emulator.app)
        .post('/_emulator/tenants/guuru-qa/chats')
        .set(json)
        .send({ question: 'same?' })
        .expect(201);
      const tenant = await request(emulator.app).post('/_emulator/tenants').set(json).send({}).expect(201);
      ids.push([chat.body.id, chat.body.messages[0].id, tenant.body.id, tenant.body.token]);
      await emulator.stop();
    }
    expect(ids[0]).toEqual(ids[1]);
  });

  it('refuses a file whose generators entry is damaged, and leaves it untouched', async () => {
    const file = join(dir, 'state.json');
    const emulator = await createEmulator({ logger: silentLogger, seedTime: SEED_TIME, data: file });
    await emulator.stop();
    const saved = JSON.parse(readFileSync(file, 'utf8'));
    saved.generators.streams.domain = 'oops';
    writeFileSync(file, JSON.stringify(saved));
    await expect(createEmulator({ logger: silentLogger, data: file })).rejects.toThrow(
      /"generators" entry is damaged \(streams.domain/,
    );
    expect(JSON.parse(readFileSync(file, 'utf8')).generators.streams.domain).toBe('oops');
  });

  it('refuses a path that cannot hold the file, naming it and the fix', async () => {
    await expect(createEmulator({ logger: silentLogger, data: join(dir, 'missing', 'state.json') })).rejects.toThrow(
      `cannot keep state in ${join(dir, 'missing', 'state.json')}: the folder ${join(dir, 'missing')} does not exist. Create it (mkdir -p ${join(dir, 'missing')})`,
    );
    mkdirSync(join(dir, 'folder'));
    await expect(createEmulator({ logger: silentLogger, data: join(dir, 'folder') })).rejects.toThrow(
      /is a folder\. Pass a file path such as/,
    );
    writeFileSync(join(dir, 'plain'), 'x');
    await expect(createEmulator({ logger: silentLogger, data: join(dir, 'plain', 'state.json') })).rejects.toThrow(
      /plain is not a folder/,
    );
  });
});
