/** Something that can run out of time: its deadline on performance.now()'s scale, and what to do then. */
export interface Expiring {
  readonly deadline: number;
  expire(): void;
}

/** Slots of a new ring (doubled when full). */
const FIRST_CAPACITY = 64;

/**
 * The timeouts of every request in flight on one timer: a request is a slot in a ring, not a timer
 * of its own (arming and clearing a timer per request cost as much as a small delivery). The timer
 * is armed for the earliest deadline; when it fires, what has expired is expired and it is armed
 * for the next. Wall-clock time, on purpose (see transport.ts).
 *
 * A ring, not a Set: a Set that many entries pass through is rehashed every few hundred of them,
 * and the table it leaves behind still points at the entries that were in it. Once such a table has
 * been promoted to the old generation, every young collection keeps those entries alive (and what
 * they hold: the request's promise, its result) until the next full collection, so they are copied
 * and promoted too: at 10,000 deliveries/s that was a megabyte and a half more to copy per young
 * collection (bench/README.md). The ring is allocated once, its slots are cleared as entries leave,
 * and a ring outgrown is emptied before it is dropped.
 */
export class Deadlines {
  private ring: (Expiring | undefined)[] = new Array<Expiring | undefined>(FIRST_CAPACITY).fill(undefined);
  /** Positions (ever increasing; slot = position mod capacity) of the oldest used slot and the next free one. */
  private head = 0;
  private tail = 0;
  private count = 0;
  private timer: NodeJS.Timeout | undefined;
  /** When the timer fires (performance.now() scale), if armed. */
  private armedFor = Infinity;

  add(entry: Expiring): void {
    if (this.tail - this.head === this.ring.length) this.grow();
    this.ring[this.tail % this.ring.length] = entry;
    this.tail += 1;
    this.count += 1;
    if (entry.deadline < this.armedFor) this.arm(entry.deadline);
  }

  /** Forgets an entry (found from the oldest on: answers mostly come back in the order requests went out). */
  remove(entry: Expiring): void {
    const ring = this.ring;
    for (let at = this.head; at < this.tail; at++) {
      if (ring[at % ring.length] !== entry) continue;
      ring[at % ring.length] = undefined;
      this.count -= 1;
      break;
    }
    if (this.count === 0) {
      this.head = this.tail = 0;
      this.disarm();
      return;
    }
    while (this.head < this.tail && ring[this.head % ring.length] === undefined) this.head += 1;
  }

  get size(): number {
    return this.count;
  }

  clear(): void {
    this.ring.fill(undefined);
    this.head = this.tail = this.count = 0;
    this.disarm();
  }

  /** Twice the slots, the entries moved over in order, and the old ring emptied before it is dropped. */
  private grow(): void {
    const old = this.ring;
    const ring = new Array<Expiring | undefined>(old.length * 2).fill(undefined);
    let n = 0;
    for (let at = this.head; at < this.tail; at++) {
      const entry = old[at % old.length];
      if (entry !== undefined) ring[n++] = entry;
    }
    old.fill(undefined);
    this.ring = ring;
    this.head = 0;
    this.tail = n;
  }

  private arm(at: number): void {
    this.disarm();
    this.armedFor = at;
    this.timer = setTimeout(() => this.fire(), Math.max(0, at - performance.now()));
    this.timer.unref();
  }

  private disarm(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.armedFor = Infinity;
  }

  private fire(): void {
    this.timer = undefined;
    this.armedFor = Infinity;
    const now = performance.now();
    const expired: Expiring[] = [];
    let next = Infinity;
    for (let at = this.head; at < this.tail; at++) {
      const entry = this.ring[at % this.ring.length];
      if (entry === undefined) continue;
      if (entry.deadline <= now) expired.push(entry);
      else if (entry.deadline < next) next = entry.deadline;
    }
    for (const entry of expired) {
      this.remove(entry);
      entry.expire();
    }
    if (next < Infinity && this.timer === undefined) this.arm(next);
  }
}
