import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { Quiescence } from '../../../src/verify/quiescence.js';

// The observation rule of verify on fake timers: a chat is judged once it has been quiet for the
// grace (nothing in flight, no activity) while `ready` holds, or at the bound.

describe('Quiescence', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  const rule = { graceMs: 1_000, boundMs: 5_000 };
  const make = () => new Quiescence(() => Date.now());
  /** Resolves the observation's outcome, advancing fake time until it settles. */
  const settled = async <T>(promise: Promise<T>): Promise<{ value?: T }> => {
    const box: { value?: T } = {};
    void promise.then((value) => (box.value = value));
    await vi.advanceTimersByTimeAsync(0);
    return box;
  };

  it('judges a chat once it has been quiet for the grace, measured from its last activity', async () => {
    const q = make();
    q.touch('a');
    const box = await settled(q.until(['a'], rule));
    await vi.advanceTimersByTimeAsync(600);
    q.touch('a'); // a call 600 ms in: the grace starts again
    await vi.advanceTimersByTimeAsync(900);
    expect(box.value).toBeUndefined();
    await vi.advanceTimersByTimeAsync(100);
    expect(box.value).toEqual({ quiet: true, waitedMs: 1_600 });
  });

  it('a delivery in flight keeps the chat busy however long it takes, up to the bound', async () => {
    const q = make();
    const end = q.begin('a');
    const box = await settled(q.until(['a'], rule));
    await vi.advanceTimersByTimeAsync(3_000);
    expect(box.value).toBeUndefined();
    end();
    await vi.advanceTimersByTimeAsync(999);
    expect(box.value).toBeUndefined();
    await vi.advanceTimersByTimeAsync(1);
    expect(box.value).toEqual({ quiet: true, waitedMs: 4_000 });
  });

  it('waits for `ready` (a first reaction) and says when the bound ended the observation instead', async () => {
    const q = make();
    q.touch('a');
    const box = await settled(q.until(['a'], rule, { ready: () => false }));
    await vi.advanceTimersByTimeAsync(4_999);
    expect(box.value).toBeUndefined();
    await vi.advanceTimersByTimeAsync(1);
    expect(box.value).toEqual({ quiet: false, waitedMs: 5_000 });
  });

  it('activity on another chat does not delay the judgement of this one', async () => {
    const q = make();
    q.touch('a');
    const box = await settled(q.until(['a'], rule));
    for (let i = 0; i < 5; i++) {
      await vi.advanceTimersByTimeAsync(200);
      q.touch('b');
    }
    expect(box.value).toEqual({ quiet: true, waitedMs: 1_000 });
  });

  it('a stall of this process (a timer firing late) is not quiet: the grace starts again after it', async () => {
    let skew = 0;
    const q = new Quiescence(() => Date.now() + skew);
    q.touch('a');
    const box = await settled(q.until(['a'], rule));
    await vi.advanceTimersByTimeAsync(500);
    skew = 2_000; // the process froze for 2 s: the timer due at 1 s fires at 3 s
    await vi.advanceTimersByTimeAsync(500);
    expect(box.value).toBeUndefined();
    await vi.advanceTimersByTimeAsync(999);
    expect(box.value).toBeUndefined();
    await vi.advanceTimersByTimeAsync(1);
    expect(box.value).toEqual({ quiet: true, waitedMs: 4_000 });
  });
});
