import { describe, expect, it } from 'vitest';
import { Generators } from '../../../src/kernel/generators.js';
import { Random } from '../../../src/kernel/random.js';

const draws = (random: Random, n = 5) => Array.from({ length: n }, () => random.uuid());

describe('Random state', () => {
  it('restore() continues exactly where state() was taken', () => {
    const a = new Random(42);
    draws(a, 3);
    const saved = a.state();
    const next = draws(a);
    expect(draws(new Random(1).restore(saved))).toEqual(next);
  });

  it('fork() leaves the old stream: nothing the unforked stream would draw next comes out', () => {
    const a = new Random(42);
    const b = new Random(42).fork(1);
    const fromA = new Set(draws(a, 200));
    expect(draws(b, 200).filter((id) => fromA.has(id))).toEqual([]);
    // Deterministic: the same state and salt give the same stream.
    expect(draws(new Random(42).fork(1))).toEqual(draws(new Random(42).fork(1)));
    expect(draws(new Random(42).fork(2))).not.toEqual(draws(new Random(42).fork(1)));
  });

  it('refuses a damaged state', () => {
    expect(() => new Random(1).restore([1, 2, 3] as never)).toThrow(RangeError);
    expect(() => new Random(1).restore([1, 2, 3, -4] as never)).toThrow(RangeError);
  });
});

describe('Generators', () => {
  it('a fresh start with the same seed draws the same ids, keys and tenant numbers', () => {
    const a = new Generators(7);
    const b = new Generators(7);
    expect([a.domain.chatId(), a.webhookKeys.uuid(), a.tenants.slug(6), a.nextTenantNumber()]).toEqual([
      b.domain.chatId(),
      b.webhookKeys.uuid(),
      b.tenants.slug(6),
      b.nextTenantNumber(),
    ]);
  });

  it('resuming saved state draws nothing the previous process drew, even after the save', () => {
    const first = new Generators(7);
    const before = [...draws(first.domain, 50), ...draws(first.webhookKeys, 50)];
    first.nextTenantNumber();
    const saved = first.state();
    // Drawn after the save, then a crash: the restarted process must not draw these again.
    const lost = [...draws(first.domain, 50), ...draws(first.webhookKeys, 50)];

    const second = new Generators(7);
    second.resume(saved);
    const after = [...draws(second.domain, 100), ...draws(second.webhookKeys, 100)];
    const earlier = new Set([...before, ...lost]);
    expect(after.filter((id) => earlier.has(id))).toEqual([]);
    expect(second.nextTenantNumber()).toBe(2);
    expect(second.state().generation).toBe(1);
  });

  it('a reset restarts only the domain stream; tenant ids and webhook keys go on', () => {
    const g = new Generators(3);
    const firstChat = g.domain.chatId();
    const firstKey = g.webhookKeys.uuid();
    g.resetDomain();
    expect(g.domain.chatId()).toBe(firstChat);
    expect(g.webhookKeys.uuid()).not.toBe(firstKey);
  });

  it('names what is wrong with a damaged saved state', () => {
    const good = new Generators(1).state();
    expect(Generators.problem(good)).toBeUndefined();
    expect(Generators.problem({ ...good, generation: -1 })).toMatch(/generation/);
    expect(Generators.problem({ ...good, streams: { ...good.streams, webhookKeys: [1, 2] } })).toMatch(
      /streams.webhookKeys/,
    );
  });
});
