import { describe, expect, it } from 'vitest';
import { SystemClock, VirtualClock } from '../../../src/kernel/clock.js';

describe('VirtualClock', () => {
  it('only moves when advanced, firing due timers in time order', () => {
    const clock = new VirtualClock(1_000);
    const fired: string[] = [];
    clock.schedule(300, () => fired.push(`b@${clock.now()}`));
    clock.schedule(100, () => fired.push(`a@${clock.now()}`));
    clock.schedule(300, () => fired.push(`c@${clock.now()}`));
    const cancelled = clock.schedule(200, () => fired.push('never'));
    cancelled.cancel();
    expect(clock.now()).toBe(1_000);
    clock.advance(250);
    expect(fired).toEqual(['a@1100']);
    expect(clock.now()).toBe(1_250);
    clock.advance(1_000);
    expect(fired).toEqual(['a@1100', 'b@1300', 'c@1300']);
    expect(clock.now()).toBe(2_250);
    expect(clock.pendingTimers()).toBe(0);
  });

  it('runs timers scheduled by timers within the same advance', () => {
    const clock = new VirtualClock(0);
    const fired: number[] = [];
    clock.schedule(10, () => {
      fired.push(clock.now());
      clock.schedule(10, () => fired.push(clock.now()));
    });
    clock.advance(100);
    expect(fired).toEqual([10, 20]);
  });

  it('lets cancelled timers go without waiting for time to move', () => {
    const clock = new VirtualClock(0);
    const fired: number[] = [];
    for (let i = 0; i < 10_000; i++) clock.schedule(1_000 + i, () => fired.push(i)).cancel();
    const kept = clock.schedule(5, () => fired.push(-1));
    expect(clock.pendingTimers()).toBe(1);
    expect(clock.heldTimers()).toBeLessThanOrEqual(130);
    clock.advance(20_000);
    expect(fired).toEqual([-1]);
    kept.cancel(); // after it fired: nothing to do
    expect(clock.heldTimers()).toBe(0);
  });

  it('refuses to go back in time', () => {
    const clock = new VirtualClock(5_000);
    expect(() => clock.advance(-1)).toThrow(RangeError);
    expect(() => clock.setTime(4_000)).toThrow(/back in time/);
  });
});

describe('SystemClock', () => {
  it('reads the real time', () => {
    const before = Date.now();
    const now = new SystemClock().now();
    expect(now).toBeGreaterThanOrEqual(before);
    expect(now).toBeLessThanOrEqual(Date.now());
  });
});
