/**
 * Time for one emulator instance. Everything that reads the time or waits goes through a Clock,
 * so tests and scenarios can run a day of traffic in milliseconds with a VirtualClock.
 */
export interface TimerHandle {
  cancel(): void;
}

export interface Clock {
  /** Milliseconds since the Unix epoch. */
  now(): number;
  /** Runs `fn` once after `ms` milliseconds of this clock's time. */
  schedule(ms: number, fn: () => void): TimerHandle;
  readonly kind: 'system' | 'virtual';
}

export class SystemClock implements Clock {
  readonly kind = 'system' as const;
  now(): number {
    return Date.now();
  }
  schedule(ms: number, fn: () => void): TimerHandle {
    const timer = setTimeout(fn, Math.max(0, ms));
    timer.unref?.();
    return { cancel: () => clearTimeout(timer) };
  }
}

interface PendingTimer {
  at: number;
  order: number;
  fn: () => void;
  /** Cancelled, or fired: no longer pending. */
  cancelled: boolean;
}

const NOTHING = () => undefined;

/** A clock that only moves when told to: `advance(ms)` runs every timer that falls due, in order. */
export class VirtualClock implements Clock {
  readonly kind = 'virtual' as const;
  private current: number;
  private timers: PendingTimer[] = [];
  private order = 0;
  /** Cancelled timers still in `timers`: let go once they are half of it, so nothing cancelled piles up while time stands still. */
  private cancelledHeld = 0;

  constructor(start: number | Date = Date.UTC(2026, 0, 1)) {
    this.current = typeof start === 'number' ? start : start.getTime();
  }

  now(): number {
    return this.current;
  }

  schedule(ms: number, fn: () => void): TimerHandle {
    const timer: PendingTimer = { at: this.current + Math.max(0, ms), order: this.order++, fn, cancelled: false };
    this.timers.push(timer);
    return {
      cancel: () => {
        if (timer.cancelled) return;
        timer.cancelled = true;
        timer.fn = NOTHING;
        this.cancelledHeld += 1;
        if (this.cancelledHeld > 64 && this.cancelledHeld * 2 > this.timers.length) this.dropCancelled();
      },
    };
  }

  /** Moves time forward by `ms`, firing due timers in time order (ties in scheduling order). */
  advance(ms: number): void {
    if (!Number.isFinite(ms) || ms < 0) throw new RangeError(`advance(ms) needs a non-negative number, got ${ms}`);
    const target = this.current + ms;
    for (;;) {
      const next = this.nextDue(target);
      if (!next) break;
      this.timers.splice(this.timers.indexOf(next), 1);
      next.cancelled = true;
      this.current = next.at;
      next.fn();
    }
    this.current = target;
  }

  /** Sets the time (forward only), firing what falls due. */
  setTime(ms: number): void {
    if (ms < this.current) throw new RangeError('a VirtualClock cannot go back in time');
    this.advance(ms - this.current);
  }

  /** When the next pending timer falls due, if any (what a driver advances to). */
  nextDueAt(): number | undefined {
    let at: number | undefined;
    for (const t of this.timers) if (!t.cancelled && (at === undefined || t.at < at)) at = t.at;
    return at;
  }

  pendingTimers(): number {
    return this.timers.filter((t) => !t.cancelled).length;
  }

  /** Timers the clock still holds, cancelled ones not yet let go included (diagnostics). */
  heldTimers(): number {
    return this.timers.length;
  }

  private dropCancelled(): void {
    this.timers = this.timers.filter((t) => !t.cancelled);
    this.cancelledHeld = 0;
  }

  private nextDue(target: number): PendingTimer | undefined {
    this.dropCancelled();
    let best: PendingTimer | undefined;
    for (const t of this.timers) {
      if (t.at > target) continue;
      if (!best || t.at < best.at || (t.at === best.at && t.order < best.order)) best = t;
    }
    return best;
  }
}
