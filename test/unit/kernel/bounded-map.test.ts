import { describe, expect, it } from 'vitest';
import { BoundedMap } from '../../../src/kernel/bounded-map.js';

describe('BoundedMap (the request journal and the delivery log keep memory bounded with it)', () => {
  it('keeps at most `limit` entries, dropping the oldest first, and counts what it dropped', () => {
    const map = new BoundedMap<string>(2, 1_000);
    map.add('1', 'a', 10);
    map.add('2', 'b', 10);
    map.add('3', 'c', 10);
    expect([...map.values()]).toEqual(['b', 'c']);
    expect(map.get('1')).toBeUndefined();
    expect(map.evicted).toBe(1);
    expect(map.bytes).toBe(20);
  });

  it('drops the oldest entries until the kept sizes fit in `maxBytes`', () => {
    const map = new BoundedMap<string>(100, 25);
    map.add('1', 'a', 10);
    map.add('2', 'b', 10);
    map.add('3', 'c', 20);
    expect([...map.values()]).toEqual(['c']);
    expect(map.bytes).toBe(20);
    expect(map.evicted).toBe(2);
  });

  it('clear forgets every entry and says how many there were', () => {
    const map = new BoundedMap<number>(10, 100);
    map.add('1', 1, 5);
    map.add('2', 2, 5);
    expect(map.clear()).toBe(2);
    expect(map.size).toBe(0);
    expect(map.bytes).toBe(0);
  });
});
