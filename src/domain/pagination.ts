import { invalidArgument } from './errors.js';

/** The page size when a client omits `first` (documented on the Pagination page). */
export const DEFAULT_PAGE_SIZE = 10;
/** The largest `first` accepted (the vendor examples use 100; the docs name no maximum). */
export const MAX_PAGE_SIZE = 100;

export type CursorKey = (string | number)[];

export interface PageRequest {
  first?: number | null;
  after?: string | null;
}

export interface Edge<T> {
  cursor: string;
  node: T;
}

export interface Page<T> {
  edges: Edge<T>[];
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
}

export interface Ordering<T> {
  /** Names the connection, so a cursor of one list is refused by another. */
  kind: string;
  /** The item's position key in this order; unique and stable while the item lives. */
  key: (item: T) => CursorKey;
  /** Orders two keys exactly as the list is sorted. */
  compare: (a: CursorKey, b: CursorKey) => number;
}

/** Opaque cursor: base64url of the list kind and the position key. Never depends on page size. */
export function encodeCursor(kind: string, key: CursorKey): string {
  return Buffer.from(JSON.stringify([kind, ...key])).toString('base64url');
}

export function decodeCursor(kind: string, cursor: string, argumentName = 'after'): CursorKey {
  const refuse = () =>
    invalidArgument(
      argumentName,
      `Argument "${argumentName}" is not a cursor of this list: pass an endCursor or edge cursor that this connection returned.`,
    );
  if (!/^[A-Za-z0-9_-]+$/.test(cursor)) throw refuse();
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw refuse();
  }
  if (!Array.isArray(parsed) || parsed[0] !== kind || parsed.length < 2) throw refuse();
  const key = parsed.slice(1) as unknown[];
  if (!key.every((k) => typeof k === 'string' || (typeof k === 'number' && Number.isFinite(k)))) throw refuse();
  return key as CursorKey;
}

export function pageSize(first: number | null | undefined, argumentName = 'first'): number {
  if (first === null || first === undefined) return DEFAULT_PAGE_SIZE;
  if (!Number.isInteger(first) || first < 0 || first > MAX_PAGE_SIZE) {
    throw invalidArgument(
      argumentName,
      `Argument "${argumentName}" must be an integer from 0 to ${MAX_PAGE_SIZE}, got ${first}.`,
    );
  }
  return first;
}

export const compareKeys = (a: CursorKey, b: CursorKey): number => {
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const x = a[i];
    const y = b[i];
    if (x === y) continue;
    if (x === undefined) return -1;
    if (y === undefined) return 1;
    if (typeof x === 'number' && typeof y === 'number') return x - y;
    return String(x) < String(y) ? -1 : 1;
  }
  return 0;
};

export const descending = (compare: (a: CursorKey, b: CursorKey) => number) => (a: CursorKey, b: CursorKey) =>
  compare(b, a);

/**
 * One page of `items[from..to)`, which must be sorted by `order`. The start is found by binary
 * search, so the cost depends on the page size, not on how deep the cursor is.
 * With `reverse`, the window is walked from its end (for a descending view of an ascending array).
 */
export function paginate<T>(
  items: readonly T[],
  request: PageRequest,
  order: Ordering<T>,
  window: { from?: number; to?: number; reverse?: boolean } = {},
): Page<T> {
  const first = pageSize(request.first);
  const from = window.from ?? 0;
  const to = window.to ?? items.length;
  const afterKey =
    request.after === null || request.after === undefined ? undefined : decodeCursor(order.kind, request.after);
  const edges: Edge<T>[] = [];
  const at = (i: number) => items[i] as T;
  if (!window.reverse) {
    let start = from;
    if (afterKey) start = lowerBound(from, to, (i) => order.compare(order.key(at(i)), afterKey) <= 0);
    for (let i = start; i < to && edges.length < first; i++) edges.push(edgeOf(at(i), order));
    return { edges, pageInfo: pageInfo(edges, start + edges.length < to) };
  }
  // Reversed: items are ascending in array order while `order.compare` is descending.
  let end = to; // exclusive
  if (afterKey) end = lowerBound(from, to, (i) => order.compare(order.key(at(i)), afterKey) > 0);
  for (let i = end - 1; i >= from && edges.length < first; i--) edges.push(edgeOf(at(i), order));
  return { edges, pageInfo: pageInfo(edges, end - edges.length > from) };
}

/**
 * One page of the members of `items` (sorted by `order`) that an index finds: `next(i)` is the first
 * member at or after position i, `previous(i)` the last before it (-1: none). The same page as
 * `paginate` over the members alone, at a cost in the page size rather than in `items.length`.
 */
export function paginateIndexed<T>(
  items: readonly T[],
  request: PageRequest,
  order: Ordering<T>,
  members: { next(from: number): number; previous(before: number): number },
  reverse = false,
): Page<T> {
  const first = pageSize(request.first);
  const afterKey =
    request.after === null || request.after === undefined ? undefined : decodeCursor(order.kind, request.after);
  const edges: Edge<T>[] = [];
  const at = (i: number) => items[i] as T;
  if (!reverse) {
    let i = members.next(
      afterKey ? lowerBound(0, items.length, (j) => order.compare(order.key(at(j)), afterKey) <= 0) : 0,
    );
    while (i >= 0 && edges.length < first) {
      edges.push(edgeOf(at(i), order));
      i = members.next(i + 1);
    }
    return { edges, pageInfo: pageInfo(edges, i >= 0) };
  }
  let i = members.previous(
    afterKey ? lowerBound(0, items.length, (j) => order.compare(order.key(at(j)), afterKey) > 0) : items.length,
  );
  while (i >= 0 && edges.length < first) {
    edges.push(edgeOf(at(i), order));
    i = members.previous(i);
  }
  return { edges, pageInfo: pageInfo(edges, i >= 0) };
}

/** First index in [lo, hi) where `before(i)` is false; `before` must be true then false. */
export function lowerBound(lo: number, hi: number, before: (i: number) => boolean): number {
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (before(mid)) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function edgeOf<T>(node: T, order: Ordering<T>): Edge<T> {
  return { cursor: encodeCursor(order.kind, order.key(node)), node };
}

function pageInfo<T>(edges: Edge<T>[], hasNextPage: boolean): Page<T>['pageInfo'] {
  return { hasNextPage, endCursor: edges.length > 0 ? (edges[edges.length - 1] as Edge<T>).cursor : null };
}
