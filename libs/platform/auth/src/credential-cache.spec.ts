import { CredentialCache } from './credential-cache';

describe('CredentialCache (issue 17)', () => {
  let now = 1_000;
  beforeEach(() => {
    now = 1_000;
    jest.spyOn(performance, 'now').mockImplementation(() => now);
  });
  afterEach(() => jest.restoreAllMocks());

  const tenantKey = (tenantId: string) => ({
    kind: 'tenant' as const,
    tenantId,
    apiKeyId: `k-${tenantId}`,
    scopes: [],
  });

  it('keeps an accepted credential for the TTL, then asks again', () => {
    const cache = new CredentialCache(1_000);
    cache.set('tfk_a', tenantKey('t1'));
    now += 999;
    expect(cache.get('tfk_a')).toEqual(tenantKey('t1'));
    now += 1;
    expect(cache.get('tfk_a')).toBeNull();
  });

  it('forgets every credential of one tenant, and only those', () => {
    const cache = new CredentialCache(1_000);
    cache.set('tfk_a', tenantKey('t1'));
    cache.set('tfs_b', { kind: 'mfa_server', tenantId: 't1', serverId: 's', providerId: 'p' });
    cache.set('tfk_c', tenantKey('t2'));
    cache.forgetTenant('t1');
    expect(cache.get('tfk_a')).toBeNull();
    expect(cache.get('tfs_b')).toBeNull();
    expect(cache.get('tfk_c')).toEqual(tenantKey('t2'));
  });

  it('0 keeps nothing; a flood of credentials does not grow it past its bound', () => {
    const off = new CredentialCache(0);
    off.set('tfk_a', tenantKey('t1'));
    expect(off.get('tfk_a')).toBeNull();
    const cache = new CredentialCache(1_000);
    for (let i = 0; i <= 10_000; i++) cache.set(`tfk_${i}`, tenantKey('t'));
    expect(cache.get('tfk_0')).toBeNull(); // the oldest went first
    expect(cache.get('tfk_10000')).not.toBeNull();
  });
});
