import { describe, expect, it } from 'vitest';
import { listChats, listChatsNewestFirst, type ChatQuery } from '../../../src/domain/partner-reads.js';
import { encodeCursor, type Page } from '../../../src/domain/pagination.js';
import { ChatTimeIndex } from '../../../src/store/chat-time-index.js';
import type { ChatRecord, ChatStatus, TenantData } from '../../../src/store/model.js';
import { Tenant } from '../../../src/store/tenant.js';

// The indexed chat list (orders by position, date windows through ChatTimeIndex) against a plain
// filter-and-sort over the same generated chats: same edges, cursors and pageInfo, byte for byte.

/** A small seeded generator (mulberry32): the same cases on every run. */
function random(seed: number): (n: number) => number {
  let a = seed >>> 0;
  return (n) => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return Math.floor((((t ^ (t >>> 14)) >>> 0) / 4294967296) * n);
  };
}

const DAY = 86_400_000;
type Dating = 'random' | 'behind-seed' | 'sorted' | 'ties';

/** createdAt of the i-th chat of n: the ways dates come to be out of creation order, and not. */
function dateOf(dating: Dating, i: number, n: number, rnd: (n: number) => number): number {
  const base = Date.UTC(2026, 0, 1);
  switch (dating) {
    case 'random':
      return base + rnd(400) * DAY + rnd(DAY);
    case 'behind-seed':
      // Seeded chats over the year before, then a virtual clock set inside that year moves on.
      return i < n / 3 ? base - 300 * DAY + i * 3 * DAY : base - 200 * DAY + i * 600_000;
    case 'sorted':
      return base + i * 60_000;
    case 'ties':
      return base + rnd(5) * DAY;
  }
}

const chat = (seq: number, createdAt: number): ChatRecord =>
  ({
    id: `c${seq}`,
    seq,
    createdAt,
    status: 'created',
    question: 'q',
    language: 'en',
    isAssignedToAgent: false,
    requestedExperts: [],
    user: { id: `u${seq}` },
    messages: [],
  }) as ChatRecord;

const tenantOf = (chats: ChatRecord[]): Tenant =>
  new Tenant({
    id: 't',
    chats,
    experts: [],
    personas: [],
    submissions: [],
    pages: [],
    categories: [],
    communityExperts: [],
    payouts: [],
  } as unknown as TenantData);

/** The reference: filter the window, sort by seq, skip to the cursor, slice. */
function reference(chats: readonly ChatRecord[], q: ChatQuery, afterSeq: number | undefined): Page<ChatRecord> {
  const first = q.first ?? 10;
  const desc = q.direction === 'desc';
  const list = chats
    .filter(
      (c) => (q.startDate == null || c.createdAt >= q.startDate) && (q.endDate == null || c.createdAt < q.endDate),
    )
    .filter((c) => afterSeq === undefined || (desc ? c.seq < afterSeq : c.seq > afterSeq))
    .sort((a, b) => (desc ? b.seq - a.seq : a.seq - b.seq));
  const edges = list.slice(0, first).map((node) => ({ cursor: encodeCursor('chat', [node.seq]), node }));
  return { edges, pageInfo: { hasNextPage: list.length > first, endCursor: edges.at(-1)?.cursor ?? null } };
}

describe('chat list pages, indexed vs a plain sort and filter', () => {
  for (const dating of ['random', 'behind-seed', 'sorted', 'ties'] as const) {
    it(`every order, window, cursor and page size agree (${dating} dates), also as chats are added`, () => {
      const rnd = random(dating.length * 7919);
      const n = 700;
      const all = Array.from({ length: n }, (_, i) => chat(i + 1, dateOf(dating, i, n, rnd)));
      const tenant = tenantOf(all.slice(0, 400));
      expect(tenant.chatsSortedByCreation).toBe(dating === 'sorted');
      let checked = 0;
      for (let round = 0; round < 6; round++) {
        const chats = tenant.data.chats;
        const dates = chats.map((c) => c.createdAt);
        const pick = () =>
          rnd(5) === 0 ? (dates[rnd(dates.length)] as number) + rnd(3) - 1 : (dates[rnd(dates.length)] as number);
        for (let k = 0; k < 150; k++) {
          const direction = rnd(3) === 0 ? undefined : rnd(2) === 0 ? ('asc' as const) : ('desc' as const);
          let startDate = rnd(3) === 0 ? undefined : pick();
          let endDate = rnd(3) === 0 ? undefined : pick();
          if (startDate !== undefined && endDate !== undefined && startDate > endDate)
            [startDate, endDate] = [endDate, startDate];
          const first = [0, 1, 3, 10, 100, undefined][rnd(6)];
          const afterSeq = rnd(4) === 0 ? undefined : rnd(chats.length + 2);
          const query: ChatQuery = {
            first,
            direction,
            startDate,
            endDate,
            after: afterSeq === undefined ? undefined : encodeCursor('chat', [afterSeq]),
          };
          expect(JSON.stringify(listChats(tenant, query)), JSON.stringify({ ...query, afterSeq })).toBe(
            JSON.stringify(reference(chats, query, afterSeq)),
          );
          checked += 1;
        }
        // Walk one window to its end by endCursor, both ways: every member once, in order.
        const startDate = pick();
        const endDate = startDate + 30 * DAY;
        for (const direction of ['asc', 'desc'] as const) {
          const seen: number[] = [];
          let after: string | null | undefined;
          do {
            const page = listChats(tenant, { first: 7, after, direction, startDate, endDate });
            seen.push(...page.edges.map((e) => e.node.seq));
            after = page.pageInfo.hasNextPage ? page.pageInfo.endCursor : undefined;
          } while (after);
          expect(seen).toEqual(
            reference(chats, { first: chats.length, direction, startDate, endDate }, undefined).edges.map(
              (e) => e.node.seq,
            ),
          );
        }
        for (const c of all.slice(tenant.data.chats.length, tenant.data.chats.length + 50)) tenant.addChat(c);
      }
      expect(checked).toBe(900);
    });
  }
});

describe('the newest-first chat list (control API), indexed vs a scan of every chat', () => {
  const STATUSES: ChatStatus[] = ['created', 'assigned', 'open', 'closed', 'rated', 'handover', 'missed'];
  const LANGUAGES = ['en', 'de', 'fr', 'it'];

  /** What the route computed before the index: one pass over every chat, newest first. */
  function scan(
    chats: readonly ChatRecord[],
    statuses: Set<ChatStatus> | undefined,
    language: string | undefined,
    before: number | undefined,
    limit: number,
  ) {
    const page: ChatRecord[] = [];
    const languages = new Set<string>();
    let total = 0;
    for (let i = chats.length - 1; i >= 0; i -= 1) {
      const c = chats[i] as ChatRecord;
      languages.add(c.language);
      if ((statuses && !statuses.has(c.status)) || (language !== undefined && c.language !== language)) continue;
      total += 1;
      if (page.length < limit && (before === undefined || c.seq < before)) page.push(c);
    }
    return { chats: page, total, languages: [...languages].sort() };
  }

  it('same page, total and languages for any filter, as chats are added and change status', () => {
    const rnd = random(7);
    const make = (seq: number) => ({
      ...chat(seq, seq),
      language: LANGUAGES[rnd(LANGUAGES.length)] as string,
      status: STATUSES[rnd(3)] as ChatStatus,
    });
    const tenant = tenantOf(Array.from({ length: 300 }, (_, i) => make(i + 1)));
    for (let round = 0; round < 8; round++) {
      for (let k = 0; k < 100; k++) {
        const statuses = rnd(3) === 0 ? undefined : new Set(STATUSES.filter(() => rnd(3) === 0));
        const language = rnd(3) === 0 ? LANGUAGES[rnd(LANGUAGES.length)] : undefined;
        const before = rnd(3) === 0 ? undefined : rnd(tenant.data.chats.length + 2);
        const limit = 1 + rnd(60);
        const got = listChatsNewestFirst(tenant, { statuses, language, beforeSeq: before, limit });
        expect(got).toEqual(scan(tenant.data.chats, statuses, language, before, limit));
      }
      // Chats change status (the one way: Tenant.setChatStatus), new ones arrive, one in a new language.
      for (let k = 0; k < 80; k++)
        tenant.setChatStatus(
          tenant.data.chats[rnd(tenant.data.chats.length)] as ChatRecord,
          STATUSES[rnd(STATUSES.length)] as ChatStatus,
        );
      for (let k = 0; k < 40; k++)
        tenant.addChat({ ...make(tenant.nextChatSeq()), ...(k === 0 && round === 3 ? { language: 'pt' } : {}) });
    }
    const counts = Object.fromEntries(tenant.chatClasses.countByStatus());
    for (const status of STATUSES)
      expect(counts[status] ?? 0).toBe(tenant.data.chats.filter((c) => c.status === status).length);
  });
});

describe('ChatTimeIndex', () => {
  it('finds the next and previous position in a window from every position, across appends past each power of two', () => {
    const rnd = random(42);
    const times: number[] = [];
    const grown = new ChatTimeIndex();
    for (let n = 0; n <= 140; n++) {
      const built = new ChatTimeIndex(times);
      for (const index of [grown, built]) expect(index.size).toBe(n);
      for (let k = 0; k < 20; k++) {
        const lo = rnd(60);
        const hi = lo + rnd(30);
        const from = rnd(n + 2);
        let next = -1;
        for (let i = Math.max(0, from); i < n; i++)
          if ((times[i] as number) >= lo && (times[i] as number) < hi) {
            next = i;
            break;
          }
        let previous = -1;
        for (let i = Math.min(from, n) - 1; i >= 0; i--)
          if ((times[i] as number) >= lo && (times[i] as number) < hi) {
            previous = i;
            break;
          }
        for (const index of [grown, built]) {
          expect(index.next(from, lo, hi)).toBe(next);
          expect(index.previous(from, lo, hi)).toBe(previous);
        }
      }
      const time = rnd(80);
      times.push(time);
      grown.append(time);
    }
  });
});
