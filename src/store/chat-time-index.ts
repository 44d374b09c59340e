/** Blocks of 2^LEAF_BITS positions are scanned directly: below that a tree node costs more than it saves. */
const LEAF_BITS = 4;

/**
 * The chats' creation times by position in creation order, for date-filtered pages when the dates
 * are not in creation order (a virtual clock behind the seed time, a state file from elsewhere).
 * Finds the next (or previous) position whose time is in a window from any position in
 * O(log² n), whatever the order of the dates: a segment tree over positions whose nodes above the
 * leaf blocks keep their times sorted, so a node with nothing in the window is skipped whole.
 * Positions are only appended (chats are never removed nor re-dated); an append inserts the time
 * into one node per level.
 */
export class ChatTimeIndex {
  private readonly times: number[] = [];
  /** nodes[level][k]: the sorted times of positions [k·2^level, (k+1)·2^level), for levels above LEAF_BITS. */
  private readonly nodes: number[][][] = [];
  /** The smallest level whose single node covers every position. */
  private top = LEAF_BITS;

  constructor(times: readonly number[] = []) {
    this.times.push(...times);
    while (this.times.length > 2 ** this.top) this.top += 1;
    // Built bottom-up by merging children: O(n log n) however the times are ordered.
    for (let level = LEAF_BITS + 1; level <= this.top; level++) {
      const size = 2 ** level;
      const row: number[][] = [];
      for (let k = 0; k * size < this.times.length; k++) {
        if (level === LEAF_BITS + 1) row.push(this.times.slice(k * size, (k + 1) * size).sort((a, b) => a - b));
        else row.push(merge(this.nodes[level - 1]?.[2 * k] ?? [], this.nodes[level - 1]?.[2 * k + 1] ?? []));
      }
      this.nodes[level] = row;
    }
  }

  get size(): number {
    return this.times.length;
  }

  /** Adds the time of the next position (the chat just created). */
  append(time: number): void {
    const position = this.times.length;
    if (position >= 2 ** this.top) {
      // One more level, whose single node holds every time so far (once per doubling).
      this.top += 1;
      this.nodes[this.top] = [[...(this.nodes[this.top - 1]?.[0] ?? this.times.slice().sort((a, b) => a - b))]];
    }
    this.times.push(time);
    for (let level = LEAF_BITS + 1; level <= this.top; level++) {
      const row = (this.nodes[level] ??= []);
      const k = position >> level;
      const node = (row[k] ??= []);
      node.splice(firstAtLeast(node, time), 0, time);
    }
  }

  /** The first position ≥ `from` whose time is in [lo, hi), or -1. */
  next(from: number, lo: number, hi: number): number {
    return from >= this.times.length ? -1 : this.forward(this.top, 0, Math.max(0, from), lo, hi);
  }

  /** The last position < `before` whose time is in [lo, hi), or -1. */
  previous(before: number, lo: number, hi: number): number {
    return before <= 0 ? -1 : this.backward(this.top, 0, Math.min(before, this.times.length), lo, hi);
  }

  private forward(level: number, k: number, from: number, lo: number, hi: number): number {
    const start = k * 2 ** level;
    const end = Math.min(start + 2 ** level, this.times.length);
    if (end <= from || start >= end) return -1;
    if (level <= LEAF_BITS) {
      for (let i = Math.max(start, from); i < end; i++) if (inWindow(this.times[i] as number, lo, hi)) return i;
      return -1;
    }
    if (!this.holds(level, k, lo, hi)) return -1;
    const left = this.forward(level - 1, 2 * k, from, lo, hi);
    return left >= 0 ? left : this.forward(level - 1, 2 * k + 1, from, lo, hi);
  }

  private backward(level: number, k: number, before: number, lo: number, hi: number): number {
    const start = k * 2 ** level;
    const end = Math.min(start + 2 ** level, this.times.length, before);
    if (start >= end) return -1;
    if (level <= LEAF_BITS) {
      for (let i = end - 1; i >= start; i--) if (inWindow(this.times[i] as number, lo, hi)) return i;
      return -1;
    }
    if (!this.holds(level, k, lo, hi)) return -1;
    const right = this.backward(level - 1, 2 * k + 1, before, lo, hi);
    return right >= 0 ? right : this.backward(level - 1, 2 * k, before, lo, hi);
  }

  /** Whether the node has any time in [lo, hi) (binary search in its sorted times). */
  private holds(level: number, k: number, lo: number, hi: number): boolean {
    const node = this.nodes[level]?.[k];
    if (!node) return false;
    const at = firstAtLeast(node, lo);
    return at < node.length && (node[at] as number) < hi;
  }
}

const inWindow = (time: number, lo: number, hi: number): boolean => time >= lo && time < hi;

/** First index of the sorted `list` whose value is ≥ `value`. */
function firstAtLeast(list: readonly number[], value: number): number {
  let lo = 0;
  let hi = list.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((list[mid] as number) < value) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function merge(a: readonly number[], b: readonly number[]): number[] {
  const out = new Array<number>(a.length + b.length);
  let i = 0;
  let j = 0;
  let o = 0;
  while (i < a.length && j < b.length)
    out[o++] = (a[i] as number) <= (b[j] as number) ? (a[i++] as number) : (b[j++] as number);
  while (i < a.length) out[o++] = a[i++] as number;
  while (j < b.length) out[o++] = b[j++] as number;
  return out;
}
