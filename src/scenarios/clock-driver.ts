import { VirtualClock, type Clock } from '../kernel/clock.js';

/** How long the driver moves time between two turns of the event loop (ms of real time). */
const DRIVER_SLICE_MS = 10;

/**
 * On a virtual clock, moves time to the next timer at the pace of the fastest running run (speed
 * 0: at once). A run that starts or ends while the driver sleeps wakes it, so a faster run never
 * waits for a slower one's timers. Time is never held for an integration: a customer waits for
 * it in real time (patience, grace) and schedules nothing meanwhile, so its chat's clock stands
 * still by itself.
 */
export class VirtualClockDriver {
  private driving = false;
  /** Ends the driver's current real-time sleep early (a run started or ended: the pace may change). */
  private wakeDriver: (() => void) | undefined;

  /** `speeds` are the speeds of the running runs (empty: nothing to drive). */
  constructor(
    private readonly clock: Clock,
    private readonly speeds: () => number[],
  ) {}

  /** Starts driving (a run started), or wakes the driver when it already does. */
  drive(): void {
    const clock = this.clock;
    if (!(clock instanceof VirtualClock)) return;
    if (this.driving) {
      this.wake();
      return;
    }
    this.driving = true;
    void this.loop(clock).finally(() => {
      this.driving = false;
    });
  }

  /** A run started or ended: the pace may change. */
  wake(): void {
    this.wakeDriver?.();
  }

  private async loop(clock: VirtualClock): Promise<void> {
    let sliceStarted = performance.now();
    while (this.speeds().length > 0) {
      if (performance.now() - sliceStarted < DRIVER_SLICE_MS) {
        // Let the runs' continuations finish: a tick runs once every queued promise job has.
        await new Promise((resolve) => process.nextTick(resolve));
      } else {
        // Then pending I/O (the API's clients): a busy driver must not starve them, nor they it.
        await new Promise((resolve) => setImmediate(resolve));
        sliceStarted = performance.now();
      }
      const next = clock.nextDueAt();
      if (next === undefined) {
        await this.sleep(10);
        continue;
      }
      if (!(await this.step(clock, next))) continue;
      if (this.speeds().length === 0) break;
      if (next > clock.now()) clock.setTime(next);
      else clock.advance(0);
    }
  }

  /** Waits the real time until `next` at the fastest pace; false when woken meanwhile (look again). */
  private async step(clock: VirtualClock, next: number): Promise<boolean> {
    const speeds = this.speeds();
    const fastest = speeds.includes(0) ? Infinity : Math.max(...speeds);
    const from = clock.now();
    const real = (next - from) / fastest;
    if (real <= 0) return true;
    const started = performance.now();
    if (!(await this.sleep(real))) return true;
    // The pace changed: keep the time that passed at the old pace, then look again.
    const passed = Math.floor((performance.now() - started) * fastest);
    if (passed > 0 && clock.now() === from) clock.setTime(Math.min(next - 1, from + passed));
    return false;
  }

  /** Sleeps `ms` of real time; resolves early (with true) when woken. */
  private sleep(ms: number): Promise<boolean> {
    return new Promise((resolve) => {
      const timer = setTimeout(
        () => {
          this.wakeDriver = undefined;
          resolve(false);
        },
        Math.min(ms, 2_147_483_647),
      );
      this.wakeDriver = () => {
        clearTimeout(timer);
        this.wakeDriver = undefined;
        resolve(true);
      };
    });
  }
}
