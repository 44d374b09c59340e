/** Something that can run out of time: its deadline on performance.now()'s scale, and what to do then. */
export interface Expiring {
  readonly deadline: number;
  expire(): void;
}

/**
 * The timeouts of every request in flight on one timer: a request is a set entry, not a timer of
 * its own (arming and clearing a timer per request cost as much as a small delivery). The timer
 * is armed for the earliest deadline; when it fires, what has expired is expired and it is armed
 * for the next. Wall-clock time, on purpose (see transport.ts).
 */
export class Deadlines {
  private readonly entries = new Set<Expiring>();
  private timer: NodeJS.Timeout | undefined;
  /** When the timer fires (performance.now() scale), if armed. */
  private armedFor = Infinity;

  add(entry: Expiring): void {
    this.entries.add(entry);
    if (entry.deadline < this.armedFor) this.arm(entry.deadline);
  }

  remove(entry: Expiring): void {
    this.entries.delete(entry);
    if (this.entries.size === 0) this.disarm();
  }

  get size(): number {
    return this.entries.size;
  }

  clear(): void {
    this.entries.clear();
    this.disarm();
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
    for (const entry of this.entries) {
      if (entry.deadline <= now) expired.push(entry);
      else if (entry.deadline < next) next = entry.deadline;
    }
    for (const entry of expired) {
      this.entries.delete(entry);
      entry.expire();
    }
    if (next < Infinity && this.timer === undefined) this.arm(next);
  }
}
