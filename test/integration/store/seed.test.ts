import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createEmulator, silentLogger } from '../../../src/index.js';
import { monthStart, nextMonth } from '../../../src/store/keys.js';
import { FIRST_PAYOUT_MONTH } from '../../../src/store/seed.js';
import { SEED_TIME, startEmulator, testOptions } from '../../helpers/emulator.js';

const snapshotOf = async (options: Parameters<typeof createEmulator>[0]) => {
  const emulator = await createEmulator({ ...testOptions(), logger: silentLogger, seedTime: SEED_TIME, ...options });
  const json = JSON.stringify(emulator.store.snapshot());
  await emulator.stop();
  return json;
};

describe('the built-in seed', () => {
  it('is byte-identical for the same seed (generated or from the seed cache), and different for another seed', async () => {
    const a = await snapshotOf({ seed: 1, seedCache: false });
    const b = await snapshotOf({ seed: 1 });
    const c = await snapshotOf({ seed: 2 });
    expect(a).toBe(b);
    expect(c).not.toBe(a);
  });

  it('holds a realistic partner: 250+ chats over every status, consistent timestamps', async () => {
    const t = await startEmulator();
    try {
      const data = t.emulator.store.tenant('guuru-qa')!.data;
      expect(data.tokens).toEqual(['demo-token']);
      expect(data.webhookSecret).toBe('secr3t');
      expect(data.chats.length).toBeGreaterThanOrEqual(250);
      const statuses = new Set(data.chats.map((c) => c.status));
      expect(statuses).toEqual(new Set(['created', 'assigned', 'open', 'closed', 'rated', 'handover', 'missed']));
      const waitingForApi = data.chats.filter((c) => c.status === 'assigned' && c.requestedExperts.includes('api'));
      expect(waitingForApi.length).toBeGreaterThanOrEqual(3);
      expect(new Set(data.chats.map((c) => c.language)).size).toBeGreaterThanOrEqual(4);
      for (const chat of data.chats) {
        const accepted = ['open', 'closed', 'rated', 'handover'].includes(chat.status);
        expect(chat.acceptedAt !== undefined, `${chat.id} ${chat.status} acceptedAt`).toBe(accepted);
        if (chat.acceptedAt) expect(chat.acceptedAt).toBeGreaterThanOrEqual(chat.createdAt);
        expect(chat.closedAt !== undefined, `${chat.id} ${chat.status} closedAt`).toBe(
          chat.status === 'closed' || (chat.status === 'rated' && !chat.transfer),
        );
        expect(chat.ratedAt !== undefined).toBe(chat.status === 'rated');
        expect(chat.rating !== undefined).toBe(chat.status === 'rated');
        if (chat.status === 'handover') expect(chat.transfer).toBeDefined();
        expect(chat.expertId !== undefined).toBe(accepted || chat.status === 'rated');
        expect(chat.createdAt).toBeLessThanOrEqual(SEED_TIME);
        for (const m of chat.messages) expect(m.createdAt).toBeGreaterThanOrEqual(chat.createdAt);
        expect(chat.messages[0]?.author.kind).toBe('user');
        expect(chat.id).toMatch(/^[A-Za-z0-9_-]{21}$/);
      }
      const pending = data.submissions.filter((s) => s.status === 'pending');
      const reviewed = data.submissions.filter((s) => s.status !== 'pending');
      expect(pending.length).toBeGreaterThan(0);
      expect(pending.every((s) => s.reviewedAt === undefined)).toBe(true);
      expect(reviewed.every((s) => s.reviewedAt !== undefined)).toBe(true);
      expect(
        data.submissions.some((s) => s.id === 'e394e75b-e159-4d7c-a02c-9445da754994' && s.status === 'pending'),
      ).toBe(true);
      const periods = new Set(data.payouts.map((p) => p.period));
      for (let m = FIRST_PAYOUT_MONTH; m <= monthStart(SEED_TIME); m = nextMonth(m))
        expect(periods.has(m), new Date(m).toISOString()).toBe(true);
      expect(data.experts.find((e) => e.id === 'api')?.email).toBe('public@api.guuru.com');
      expect(data.pages.some((p) => Object.keys(p.title).length >= 3)).toBe(true);
      expect(data.personas.map((p) => p.id)).toContain('ab22a12e-cefd-4f67-945b-c215c42202b4');
    } finally {
      await t.stop();
    }
  });

  it('loads another fixtures folder with --fixtures, and refuses a broken one clearly', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'fixtures-'));
    try {
      cpSync('fixtures', dir, { recursive: true });
      const tenants = JSON.parse(readFileSync(join(dir, 'tenants.json'), 'utf8'));
      tenants.tenants[0].id = 'acme';
      tenants.tenants[0].tokens = ['acme-token'];
      tenants.tenants[0].chats = 30;
      writeFileSync(join(dir, 'tenants.json'), JSON.stringify(tenants));
      const t = await startEmulator({ fixtures: dir });
      try {
        const res = await t.gql(
          '{ partner { id chats(first: 100) { edges { node { id } } } } }',
          undefined,
          'acme-token',
        );
        expect(res.body.data!.partner.id).toBe('acme');
        expect(res.body.data!.partner.chats.edges).toHaveLength(30);
        expect((await t.gql('{ partner { id } }')).status).toBe(401);
      } finally {
        await t.stop();
      }
      tenants.tenants[0].tokens = [];
      writeFileSync(join(dir, 'tenants.json'), JSON.stringify(tenants));
      await expect(createEmulator({ ...testOptions(), fixtures: dir, logger: silentLogger })).rejects.toThrow(
        /tenants\.json is invalid: tenants\.0\.tokens/,
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
