import { afterEach, describe, expect, it, vi } from 'vitest';
import { loadFixtures } from '../../../src/store/fixtures.js';
import type { TenantData } from '../../../src/store/model.js';
import { Store } from '../../../src/store/store.js';
import { Tenant } from '../../../src/store/tenant.js';
import { TenantIndex, type DeferredTenant } from '../../../src/store/tenant-index.js';
import { emptyTenantData } from '../../helpers/tenant-data.js';

const data = (id: string, apiKeys?: string[]): TenantData =>
  emptyTenantData(
    id,
    apiKeys
      ? { gurusup: { name: id, apiKeys, language: 'en', autoReply: true, systemUserFid: 'sys', threads: [] } }
      : {},
  );

/** A deferred tenant that counts how often it is made. */
function deferred(id: string): DeferredTenant & { made: number } {
  const slot = {
    id,
    tokens: [`tok-${id}`],
    apiKeys: [`key-${id}`],
    made: 0,
    make: () => {
      slot.made++;
      return new Tenant(data(id, [`key-${id}`]));
    },
  };
  return slot;
}

describe('TenantIndex', () => {
  it('makes a deferred tenant on its first lookup only, and once', () => {
    const index = new TenantIndex();
    const a = deferred('a');
    index.add(a);
    expect(index.size).toBe(1);
    expect(index.ids()).toEqual(['a']);
    expect(index.tokenHolder('tok-a')).toBe('a');
    expect(index.apiKeyHolder('key-a')).toBe('a');
    expect(index.has('a')).toBe(true);
    expect(a.made).toBe(0);

    const byToken = index.byTokenOf('tok-a');
    expect(a.made).toBe(1);
    expect(byToken).toBeInstanceOf(Tenant);
    expect(index.get('a')).toBe(byToken);
    expect(index.byApiKeyOf('key-a')).toBe(byToken);
    expect(index.all()).toEqual([byToken]);
    expect(a.made).toBe(1);
  });

  it('keeps the order tenants were added in when a deferred one is made', () => {
    const index = new TenantIndex();
    index.add(deferred('first'));
    index.add(new Tenant(data('second')));
    index.get('first');
    expect(index.ids()).toEqual(['first', 'second']);
    expect(index.all().map((t) => t.id)).toEqual(['first', 'second']);
  });

  it('removes a deferred tenant and its keys without making it', () => {
    const index = new TenantIndex();
    const a = deferred('a');
    index.add(a);
    expect(index.remove('a')).toBe(true);
    expect(index.remove('a')).toBe(false);
    expect(index.byTokenOf('tok-a')).toBeUndefined();
    expect(index.apiKeyHolder('key-a')).toBeUndefined();
    expect(a.made).toBe(0);
  });
});

describe('Store: built-in tenants parsed on first lookup', () => {
  afterEach(() => vi.restoreAllMocks());

  it('a store that is never read parses no seed data; the first lookup parses it once', () => {
    const options = { fixtures: loadFixtures(), seed: 42, seedTime: Date.UTC(2026, 10, 22), seedCache: false };
    const warm = new Store(options);
    const expected = JSON.stringify(warm.tenants()[0]?.data);

    const parse = vi.spyOn(JSON, 'parse');
    const store = new Store(options);
    store.reset();
    expect(parse).not.toHaveBeenCalled();

    const tenant = store.tenantByToken('demo-token');
    expect(parse).toHaveBeenCalledTimes(1);
    expect(store.tenants()).toEqual([tenant]);
    expect(store.tenant('guuru-qa')).toBe(tenant);
    expect(store.tenantByGurusupKey('demo-api-key')).toBe(tenant);
    expect(parse).toHaveBeenCalledTimes(1);
    expect(JSON.stringify(tenant?.data)).toBe(expected);
  });
});
