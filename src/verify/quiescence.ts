/**
 * The one observation rule of verify: an integration's reactions to an event are judged once the
 * chat has been quiet (no Admin API call on it, no delivery to it in flight) for a grace period,
 * and at the latest when the check's upper bound has passed. Never on a fixed window: a fixed
 * window ends in the middle of a correct integration's work at some pace (a close 1.5 s after the
 * reply), so the verdict would depend on the machine. Real time (performance.now): the integration
 * is a real process, whatever the emulator's clock does.
 */

/** How long a chat must be quiet before its reactions are counted (docs/verify.md, "How reactions are observed"). */
export const QUIET_GRACE_MS = 1_000;

/**
 * A wake-up later than this means this process itself was stalled (a busy machine): what the
 * integration sent meanwhile may still sit unread in a socket, so the grace starts again.
 */
export const STALL_MS = 250;

/** The upper bound of one observation: the integration's time to act (--timeout) and then the grace. */
export const observationBound = (timeoutMs: number): number => timeoutMs + QUIET_GRACE_MS;

export interface QuietRule {
  graceMs: number;
  /** The observation ends here even if the chat never went quiet (or `ready` never held). */
  boundMs: number;
}

export interface QuietOutcome {
  /** True when the chat was quiet for the grace (and `ready` held); false when the bound ended the observation. */
  quiet: boolean;
  /** Real time the observation took. */
  waitedMs: number;
}

interface Activity {
  inFlight: number;
  last: number;
}

/** Activity per key (a chat): deliveries in flight and the time of the last thing that happened. */
export class Quiescence {
  private readonly activity = new Map<string, Activity>();
  private readonly wakers = new Set<() => void>();

  constructor(private readonly now: () => number = () => performance.now()) {}

  /** Something happened on the chat (a call of the integration, a delivery answered). */
  touch(key: string): void {
    this.of(key).last = this.now();
    this.wake();
  }

  /** A delivery to the chat is in flight until the returned function is called. */
  begin(key: string): () => void {
    const a = this.of(key);
    a.inFlight += 1;
    a.last = this.now();
    this.wake();
    let ended = false;
    return () => {
      if (ended) return;
      ended = true;
      a.inFlight -= 1;
      a.last = this.now();
      this.wake();
    };
  }

  /**
   * Resolves once every one of `keys` has had nothing in flight and no activity for `rule.graceMs`
   * while `ready` holds (e.g. "a first reaction came"), or once `rule.boundMs` has passed.
   */
  async until(
    keys: readonly string[],
    rule: QuietRule,
    options: { ready?: () => boolean; signal?: AbortSignal } = {},
  ): Promise<QuietOutcome> {
    const started = this.now();
    const deadline = started + rule.boundMs;
    let stalledUntil = -Infinity;
    for (;;) {
      const now = this.now();
      const ready = options.ready?.() ?? true;
      let inFlight = 0;
      let last = -Infinity;
      for (const key of keys) {
        const a = this.activity.get(key);
        if (!a) continue;
        inFlight += a.inFlight;
        last = Math.max(last, a.last);
      }
      const idleFor = now - Math.max(last, stalledUntil);
      if (ready && inFlight === 0 && idleFor >= rule.graceMs) return { quiet: true, waitedMs: now - started };
      if (now >= deadline || options.signal?.aborted) return { quiet: false, waitedMs: now - started };
      const untilQuiet = ready && inFlight === 0 ? rule.graceMs - idleFor : Infinity;
      const ms = Math.max(1, Math.min(untilQuiet, deadline - now));
      await this.sleep(ms, options.signal);
      if (this.now() - (now + ms) > STALL_MS) stalledUntil = this.now();
    }
  }

  private of(key: string): Activity {
    let a = this.activity.get(key);
    if (!a) {
      a = { inFlight: 0, last: this.now() };
      this.activity.set(key, a);
    }
    return a;
  }

  private wake(): void {
    for (const wake of [...this.wakers]) wake();
  }

  /** Waits `ms`, or less when anything changes (re-checked then) or the signal aborts. */
  private sleep(ms: number, signal?: AbortSignal): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.wakers.delete(done);
        signal?.removeEventListener('abort', done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.wakers.add(done);
      signal?.addEventListener('abort', done, { once: true });
    });
  }
}
