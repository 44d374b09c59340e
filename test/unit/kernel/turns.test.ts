import { describe, expect, it } from 'vitest';
import { TurnQueue } from '../../../src/kernel/turns.js';

// Long synchronous jobs (a tenant's seed generation) one per event-loop turn, so what arrives
// meanwhile is served between two of them rather than after the whole burst.

const busy = (ms: number) => {
  const until = performance.now() + ms;
  while (performance.now() < until) {
    // a job holding the loop
  }
};

describe('TurnQueue', () => {
  it('runs the jobs in order, and lets the loop serve a timer due meanwhile between two of them', async () => {
    const queue = new TurnQueue();
    const order: string[] = [];
    const jobs = [1, 2, 3, 4, 5].map((n) =>
      queue.run(() => {
        busy(5);
        order.push(`job ${n}`);
        return n;
      }),
    );
    // Due after the first job: run back to back, all five jobs would come first.
    setTimeout(() => order.push('timer'), 1);
    expect(await Promise.all(jobs)).toEqual([1, 2, 3, 4, 5]);
    expect(order.filter((entry) => entry.startsWith('job'))).toEqual(['job 1', 'job 2', 'job 3', 'job 4', 'job 5']);
    expect(order.indexOf('timer')).toBeGreaterThan(0);
    expect(order.indexOf('timer')).toBeLessThan(3);
  });

  it('a job that throws rejects its own promise only; the next job runs', async () => {
    const queue = new TurnQueue();
    const failing = queue.run(() => {
      throw new Error('no room');
    });
    const next = queue.run(() => 'ran');
    await expect(failing).rejects.toThrow('no room');
    expect(await next).toBe('ran');
  });
});
