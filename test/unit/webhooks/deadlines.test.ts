import { performance } from 'node:perf_hooks';
import { describe, expect, it } from 'vitest';
import { Deadlines } from '../../../src/webhooks/deadlines.js';

describe('deadlines past the first ring', () => {
  it('keeps every entry through growth and out-of-order removal, and expires exactly the ones left', async () => {
    const deadlines = new Deadlines();
    const expired: number[] = [];
    const entries = Array.from({ length: 300 }, (_, i) => ({
      deadline: performance.now() + 30 + (i % 7),
      expire: () => expired.push(i),
    }));
    // Interleaved: some added, some removed, more added (the ring grows twice with gaps in it).
    for (const entry of entries.slice(0, 100)) deadlines.add(entry);
    for (let i = 0; i < 100; i += 3) deadlines.remove(entries[i]!);
    for (const entry of entries.slice(100)) deadlines.add(entry);
    for (let i = 299; i >= 100; i -= 2) deadlines.remove(entries[i]!);
    deadlines.remove(entries[0]!); // removed twice: no effect
    const kept = entries.map((_, i) => i).filter((i) => (i < 100 ? i % 3 !== 0 : (299 - i) % 2 !== 0));
    expect(deadlines.size).toBe(kept.length);
    await new Promise((resolve) => setTimeout(resolve, 60));
    expect(expired.sort((a, b) => a - b)).toEqual(kept);
    expect(deadlines.size).toBe(0);
  });

  it('starts over empty once everything is removed, and a cleared one expires nothing', async () => {
    const deadlines = new Deadlines();
    const expired: string[] = [];
    const entry = (name: string, inMs: number) => ({
      deadline: performance.now() + inMs,
      expire: () => expired.push(name),
    });
    const a = entry('a', 10);
    deadlines.add(a);
    deadlines.remove(a);
    deadlines.add(entry('b', 15));
    deadlines.clear();
    deadlines.add(entry('c', 20));
    await new Promise((resolve) => setTimeout(resolve, 40));
    expect(expired).toEqual(['c']);
  });
});
