import { appendFileSync, copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createEmulator, silentLogger, type Emulator } from '../../../src/index.js';
import { SEED_TIME } from '../../helpers/emulator.js';

// --data after a crash: the snapshot plus the change log must give back exactly the state in memory.
// A crash is played by copying the two files while the emulator runs (what `kill -9` leaves on disk).

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'guuru-changelog-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const json = { 'content-type': 'application/json' };
/** Every tenant's data as the file would hold it (key order aside). */
const state = (emulator: Emulator): unknown => JSON.parse(JSON.stringify(emulator.store.tenants().map((t) => t.data)));

/** What a kill -9 now would leave: the two files as they are, in a folder of their own. */
async function crashCopy(emulator: Emulator, name: string): Promise<string> {
  await emulator.dataFile!.flushed();
  const file = join(dir, `${name}.json`);
  copyFileSync(emulator.dataFile!.file, file);
  if (existsSync(emulator.dataFile!.logFile)) copyFileSync(emulator.dataFile!.logFile, `${file}.log`);
  return file;
}

const start = (file: string, messages: string[] = []) =>
  createEmulator({
    seedTime: SEED_TIME,
    data: file,
    logger: { ...silentLogger, error: (message: string) => void messages.push(message) },
  });

async function gql(emulator: Emulator, query: string, token = 'demo-token') {
  const res = await request(emulator.app)
    .post('/graphql')
    .set('authorization', `Bearer ${token}`)
    .send({ query })
    .expect(200);
  expect(res.body.errors, JSON.stringify(res.body.errors)).toBeUndefined();
  return res.body.data;
}

describe('the change log of --data', () => {
  it('after a crash, every kind of change is back: chats and their lifecycle, messages, personas, pages, submissions, Gurusup, tenants made, reset, removed and restored', async () => {
    const emulator = await createEmulator({ logger: silentLogger, seedTime: SEED_TIME, data: join(dir, 'live.json') });
    const app = emulator.app;
    try {
      const chat = (
        await request(app)
          .post('/_emulator/tenants/guuru-qa/chats')
          .set(json)
          .send({ question: 'Does it replay?', requestedExperts: ['api'] })
          .expect(201)
      ).body;
      await gql(emulator, `mutation { acceptChat(id: "${chat.id}") { id } }`);
      await gql(
        emulator,
        `mutation { sendChatMessage(input: { chatId: "${chat.id}", posting: { type: "text", text: "Yes, line by line." } }) }`,
      );
      await gql(emulator, `mutation { closeChat(id: "${chat.id}") { id } }`);
      await gql(emulator, 'mutation { createPersona(input: { providerId: "replayed", name: "First Name" }) }');
      await gql(emulator, 'mutation { createPersona(input: { providerId: "replayed", name: "Second Name" }) }');
      await gql(
        emulator,
        'mutation { updatePage(input: { id: "1993", title: { en: "Replayed title" }, isVisible: false }) { page { id } } }',
      );
      const pending = emulator.store.tenant('guuru-qa')!.data.submissions.find((s) => s.status === 'pending')!;
      await gql(emulator, `mutation { approveSubmission(id: "${pending.id}") { id } }`);
      await request(app)
        .post('/gurusup/messages')
        .set('x-api-key', 'demo-api-key')
        .set(json)
        .send({ body: 'Replayed?', thread_fid: 'replay-thread', user_fid: 'u1' })
        .expect(201);
      await request(app)
        .put('/_emulator/tenants/guuru-qa/gurusup')
        .set(json)
        .send({ autoReply: false, language: 'de' })
        .expect(200);
      const made = (await request(app).post('/_emulator/tenants').set(json).send({ id: 'made' }).expect(201)).body;
      await request(app)
        .post('/_emulator/tenants/made/chats')
        .set(json)
        .send({ question: 'In the made tenant' })
        .expect(201);
      await request(app).post('/_emulator/tenants').set(json).send({ id: 'gone' }).expect(201);
      await request(app).delete('/_emulator/tenants/gone').expect(204);
      await request(app).post('/_emulator/snapshots').set(json).send({ name: 'one', tenant: 'made' }).expect(201);
      await request(app).post('/_emulator/tenants/made/chats').set(json).send({ question: 'Rolled back' }).expect(201);
      await request(app).post('/_emulator/snapshots/one/restore').set(json).send({}).expect(200);
      const crashed = await crashCopy(emulator, 'crashed');

      const again = await start(crashed);
      try {
        expect(state(again)).toEqual(state(emulator));
        expect(again.store.tenant('made')!.data.tokens).toEqual([made.token]);
        expect(again.store.tenant('gone')).toBeUndefined();
      } finally {
        await again.stop();
      }

      // A full reset is one line too, and the lines after it apply to the reset state.
      await request(app).post('/_emulator/reset').expect(200);
      await request(app)
        .post('/_emulator/tenants/guuru-qa/chats')
        .set(json)
        .send({ question: 'After the reset' })
        .expect(201);
      const afterReset = await crashCopy(emulator, 'after-reset');
      const third = await start(afterReset);
      try {
        expect(state(third)).toEqual(state(emulator));
        expect(third.store.tenant('made')).toBeUndefined();
      } finally {
        await third.stop();
      }
    } finally {
      await emulator.stop();
    }
  });

  it('a clean stop leaves the state in one file and no log', async () => {
    const file = join(dir, 'state.json');
    const emulator = await createEmulator({ logger: silentLogger, seedTime: SEED_TIME, data: file });
    await request(emulator.app)
      .post('/_emulator/tenants/guuru-qa/chats')
      .set(json)
      .send({ question: 'Kept in the snapshot' })
      .expect(201);
    expect(existsSync(`${file}.log`)).toBe(true);
    await emulator.stop();
    expect(existsSync(`${file}.log`)).toBe(false);
    const saved = JSON.parse(readFileSync(file, 'utf8'));
    expect(saved.version).toBe(2);
    expect(saved.tenants[0].chats.at(-1).question).toBe('Kept in the snapshot');
  });

  it('folds the log into a new snapshot once it outgrows it, losing nothing', async () => {
    const emulator = await createEmulator({ logger: silentLogger, seedTime: SEED_TIME, data: join(dir, 'live.json') });
    const dataFile = emulator.dataFile!;
    try {
      // A reset is one line holding the whole state (about 1.5 MB): a few pass 8 MiB and the snapshot's size.
      for (let i = 0; i < 30 && dataFile.compactions < 2; i++) {
        await request(emulator.app).post('/_emulator/reset').expect(200);
        await request(emulator.app)
          .post('/_emulator/tenants/guuru-qa/chats')
          .set(json)
          .send({ question: `Before the fold ${i}` })
          .expect(201);
        await dataFile.flushed();
      }
      expect(dataFile.compactions).toBe(2);
      await request(emulator.app)
        .post('/_emulator/tenants/guuru-qa/chats')
        .set(json)
        .send({ question: 'After the fold' })
        .expect(201);
      // The fold is written in the background; the copy is taken when the new log exists.
      for (let i = 0; i < 500 && statLog(dataFile.logFile) > 5_000_000; i++)
        await new Promise((resolve) => setTimeout(resolve, 10));
      const crashed = await crashCopy(emulator, 'crashed');
      const again = await start(crashed);
      try {
        expect(state(again)).toEqual(state(emulator));
      } finally {
        await again.stop();
      }
    } finally {
      await emulator.stop();
    }
  });

  it('drops a last line cut off by a crash, saying so', async () => {
    const emulator = await createEmulator({ logger: silentLogger, seedTime: SEED_TIME, data: join(dir, 'live.json') });
    let file: string;
    let before: unknown;
    try {
      await request(emulator.app)
        .post('/_emulator/tenants/guuru-qa/chats')
        .set(json)
        .send({ question: 'Whole line' })
        .expect(201);
      before = state(emulator);
      file = await crashCopy(emulator, 'torn');
    } finally {
      await emulator.stop();
    }
    appendFileSync(`${file}.log`, '{"n":99,"op":"chat","t":"guuru-qa","chat":{"id":"x');
    const messages: string[] = [];
    const again = await start(file, messages);
    try {
      expect(state(again)).toEqual(before);
      expect(messages.join('\n')).toContain(`ignoring the last line of ${file}.log: it was cut off`);
    } finally {
      await again.stop();
    }
  });

  it('refuses a log damaged before its end, naming the line and the way out, and leaves both files untouched', async () => {
    const emulator = await createEmulator({ logger: silentLogger, seedTime: SEED_TIME, data: join(dir, 'live.json') });
    let file: string;
    try {
      for (const question of ['one', 'two'])
        await request(emulator.app).post('/_emulator/tenants/guuru-qa/chats').set(json).send({ question }).expect(201);
      file = await crashCopy(emulator, 'damaged');
    } finally {
      await emulator.stop();
    }
    const lines = readFileSync(`${file}.log`, 'utf8').split('\n');
    lines[1] = '{"n": broken';
    writeFileSync(`${file}.log`, lines.join('\n'));
    const snapshot = readFileSync(file, 'utf8');
    await expect(start(file)).rejects.toThrow(
      `line 2 of ${file}.log is damaged and 1 changes follow it. The emulator never overwrites a file it cannot read; move ${file}.log away`,
    );
    expect(readFileSync(file, 'utf8')).toBe(snapshot);
    expect(readFileSync(`${file}.log`, 'utf8')).toBe(lines.join('\n'));
  });

  it('ignores a log that belongs to another snapshot, saying so', async () => {
    const first = await createEmulator({ logger: silentLogger, seedTime: SEED_TIME, data: join(dir, 'a.json') });
    const second = await createEmulator({ logger: silentLogger, seedTime: SEED_TIME, data: join(dir, 'b.json') });
    try {
      await request(first.app)
        .post('/_emulator/tenants/guuru-qa/chats')
        .set(json)
        .send({ question: 'Only in a' })
        .expect(201);
      const a = await crashCopy(first, 'a-copy');
      const b = await crashCopy(second, 'b-copy');
      copyFileSync(`${a}.log`, `${b}.log`);
      const messages: string[] = [];
      const again = await start(b, messages);
      try {
        expect(state(again)).toEqual(state(second));
        expect(messages.join('\n')).toContain(`ignoring ${b}.log: it does not follow ${b}`);
      } finally {
        await again.stop();
      }
    } finally {
      await Promise.all([first.stop(), second.stop()]);
    }
  });

  it('still loads a version 1 file (written before the change log)', async () => {
    const file = join(dir, 'v1.json');
    const emulator = await createEmulator({ logger: silentLogger, seedTime: SEED_TIME, data: file });
    await request(emulator.app)
      .post('/_emulator/tenants/guuru-qa/chats')
      .set(json)
      .send({ question: 'From version 1' })
      .expect(201);
    const expected = state(emulator);
    await emulator.stop();
    const saved = JSON.parse(readFileSync(file, 'utf8'));
    delete saved.log;
    saved.version = 1;
    writeFileSync(file, JSON.stringify(saved));
    const again = await start(file);
    try {
      expect(state(again)).toEqual(expected);
    } finally {
      await again.stop();
    }
    expect(JSON.parse(readFileSync(file, 'utf8')).version).toBe(2);
  });
});

function statLog(file: string): number {
  try {
    return readFileSync(file).length;
  } catch {
    return 0;
  }
}
