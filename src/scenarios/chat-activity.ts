import { Interrupted, type Interrupt } from './interrupt.js';

/** A timer this much late: the process itself was stalled, the time meanwhile was not observed. */
const STALL_MS = 250;

interface ChatState {
  /** Deliveries of the chat not yet delivered or given up (queued, sending, retrying…). */
  pending: Set<string>;
  /** Real time (performance.now) of the last thing that happened in the chat. */
  last: number;
  waiters: Set<() => void>;
}

/**
 * Whether the integrator may still be reacting to a chat, in real time: webhooks of the chat still
 * on their way, or something that happened less than a grace period ago (a delivery answered, an
 * API call). A reactive customer waits for its chat to be quiet before it acts, so an integration
 * gets the same chance to finish (a burst of messages, a close right after a reply) at any speed.
 */
export class ChatActivity {
  private readonly chats = new Map<string, ChatState>();

  constructor(private readonly now: () => number = () => performance.now()) {}

  private state(key: string): ChatState {
    let state = this.chats.get(key);
    if (!state) {
      state = { pending: new Set(), last: this.now(), waiters: new Set() };
      this.chats.set(key, state);
    }
    return state;
  }

  enqueued(key: string, deliveryId: string): void {
    const state = this.state(key);
    state.pending.add(deliveryId);
    this.touch(key);
  }

  settled(key: string, deliveryId: string): void {
    const state = this.chats.get(key);
    if (!state) return;
    state.pending.delete(deliveryId);
    this.touch(key);
  }

  /** Something happened in the chat (an API call, a domain event). */
  touch(key: string): void {
    const state = this.chats.get(key);
    if (!state) return;
    state.last = this.now();
    for (const wake of [...state.waiters]) wake();
  }

  /** Deliveries of the chat still under way. */
  pending(key: string): number {
    return this.chats.get(key)?.pending.size ?? 0;
  }

  /**
   * Resolves once nothing of the chat is on its way and `graceMs` of real time passed since the
   * last activity. A timer firing more than STALL_MS late means this process was stalled (a busy
   * machine): what the integrator sent meanwhile may be unread yet, so the grace starts again.
   */
  async quiet(key: string, graceMs: number, interrupt?: Interrupt): Promise<void> {
    const state = this.state(key);
    let stalledUntil = -Infinity;
    for (;;) {
      if (interrupt?.interrupted) throw new Interrupted();
      // Forgotten (its run is over): nobody waits for it any more.
      if (this.chats.get(key) !== state) return;
      const idleFor = this.now() - Math.max(state.last, stalledUntil);
      if (state.pending.size === 0 && idleFor >= graceMs) return;
      await new Promise<void>((resolve, reject) => {
        const finish = (error?: Error) => {
          clearTimeout(timer);
          state.waiters.delete(wake);
          remove?.();
          if (error) reject(error);
          else resolve();
        };
        const wake = () => finish();
        // Re-checked on every change and when the grace period would end.
        const ms = state.pending.size > 0 ? 1_000 : Math.max(1, graceMs - idleFor);
        const due = this.now() + ms;
        const timer = setTimeout(() => {
          if (this.now() - due > STALL_MS) stalledUntil = this.now();
          wake();
        }, ms);
        state.waiters.add(wake);
        const remove = interrupt?.add(() => finish(new Interrupted()));
      });
    }
  }

  forget(key: string): void {
    const state = this.chats.get(key);
    if (state) for (const wake of [...state.waiters]) wake();
    this.chats.delete(key);
  }
}
