import { describe, expect, it } from 'vitest';
import { DomainError } from '../../../src/domain/errors.js';
import {
  compareKeys,
  decodeCursor,
  descending,
  encodeCursor,
  paginate,
  pageSize,
} from '../../../src/domain/pagination.js';

const items = Array.from({ length: 25 }, (_, i) => ({ seq: i + 1 }));
const asc = { kind: 'n', key: (x: { seq: number }) => [x.seq], compare: compareKeys };
const desc = { ...asc, compare: descending(compareKeys) };

describe('cursors', () => {
  it('round-trip, and are opaque base64url', () => {
    const cursor = encodeCursor('chat', [42]);
    expect(cursor).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(decodeCursor('chat', cursor)).toEqual([42]);
  });

  it('are refused by another list, or when malformed', () => {
    expect(() => decodeCursor('page', encodeCursor('chat', [1]))).toThrow(DomainError);
    for (const bad of [
      '',
      'a b',
      'e30',
      Buffer.from('[1]').toString('base64url'),
      Buffer.from('["chat",{}]').toString('base64url'),
    ]) {
      expect(() => decodeCursor('chat', bad), bad).toThrow(/not a cursor of this list/);
    }
  });
});

describe('paginate', () => {
  it('continues right after the cursor, ascending and reversed', () => {
    const first = paginate(items, { first: 10 }, asc);
    expect(first.edges.map((e) => e.node.seq)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    const next = paginate(items, { first: 10, after: first.pageInfo.endCursor }, asc);
    expect(next.edges[0]?.node.seq).toBe(11);
    const back = paginate(items, { first: 10 }, desc, { reverse: true });
    expect(back.edges.map((e) => e.node.seq)).toEqual([25, 24, 23, 22, 21, 20, 19, 18, 17, 16]);
    const backNext = paginate(items, { first: 10, after: back.pageInfo.endCursor }, desc, { reverse: true });
    expect(backNext.edges.map((e) => e.node.seq)).toEqual([15, 14, 13, 12, 11, 10, 9, 8, 7, 6]);
    const end = paginate(items, { first: 10, after: backNext.pageInfo.endCursor }, desc, { reverse: true });
    expect(end.edges.map((e) => e.node.seq)).toEqual([5, 4, 3, 2, 1]);
    expect(end.pageInfo.hasNextPage).toBe(false);
  });

  it('stays within a window', () => {
    const page = paginate(items, { first: 100 }, asc, { from: 5, to: 8 });
    expect(page.edges.map((e) => e.node.seq)).toEqual([6, 7, 8]);
    expect(page.pageInfo.hasNextPage).toBe(false);
  });

  it('continues correctly when the cursor item is gone (position, not identity)', () => {
    const cursor = encodeCursor('n', [12]);
    const without12 = items.filter((x) => x.seq !== 12);
    expect(paginate(without12, { first: 2, after: cursor }, asc).edges.map((e) => e.node.seq)).toEqual([13, 14]);
  });
});

describe('pageSize', () => {
  it('defaults to 10 for omitted or null, refuses out-of-range values', () => {
    expect(pageSize(undefined)).toBe(10);
    expect(pageSize(null)).toBe(10);
    expect(pageSize(100)).toBe(100);
    expect(() => pageSize(-1)).toThrow(/from 0 to 100/);
    expect(() => pageSize(101)).toThrow(/got 101/);
  });
});
