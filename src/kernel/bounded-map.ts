/**
 * Entries in the order they came, at most `limit` of them and about `maxBytes` bytes (each entry's
 * size as its owner counts it), the oldest dropped first: what keeps the request journal and the
 * delivery log from growing memory without bound on a long run.
 */
export class BoundedMap<V> {
  private readonly entries = new Map<string, V>();
  private readonly sizes = new Map<string, number>();
  private total = 0;
  /** How many entries were dropped to stay within the bounds. */
  evicted = 0;

  constructor(
    public limit: number,
    readonly maxBytes: number,
  ) {}

  get size(): number {
    return this.entries.size;
  }

  /** The sizes of the kept entries, added up. */
  get bytes(): number {
    return this.total;
  }

  get(id: string): V | undefined {
    return this.entries.get(id);
  }

  /** The kept entries, oldest first. */
  values(): IterableIterator<V> {
    return this.entries.values();
  }

  /** Keeps an entry of `size` bytes, then drops the oldest ones until within the bounds. */
  add(id: string, value: V, size: number): void {
    this.entries.set(id, value);
    this.sizes.set(id, size);
    this.total += size;
    if (this.entries.size <= this.limit && this.total <= this.maxBytes) return;
    for (const old of this.entries.keys()) {
      if (this.entries.size <= this.limit && this.total <= this.maxBytes) break;
      this.entries.delete(old);
      this.total -= this.sizes.get(old) ?? 0;
      this.sizes.delete(old);
      this.evicted += 1;
    }
  }

  /** Forgets every entry; returns how many there were. */
  clear(): number {
    const n = this.entries.size;
    this.entries.clear();
    this.sizes.clear();
    this.total = 0;
    return n;
  }
}
