import type { TenantChange, TenantChangeFeed } from '@twofold/platform/db';
import { StartContextCache, type TenantStartContext } from './start-context-cache';

/** A feed the test drives: what `TenantChanges` reports from its LISTEN connection. */
class Feed implements TenantChangeFeed {
  listening = true;
  private listener: ((change: TenantChange) => void) | null = null;
  subscribe(listener: (change: TenantChange) => void): void {
    this.listener = listener;
  }
  emit(change: TenantChange): void {
    this.listener?.(change);
  }
}

const A = '00000000-0000-4000-8000-00000000000a';
const B = '00000000-0000-4000-8000-00000000000b';
const P = '00000000-0000-4000-8000-0000000000f1';

const part = (tier: 'free' | 'standard'): TenantStartContext => ({
  tier,
  dataRegion: 'us',
  appPasswordsAllowed: false,
  policy: [{ method: 'sms', enabled: true }],
  providers: [],
  server: null,
  deliveryCountries: ['US'],
  smsVelocityPerHour: null,
  routedCountries: ['US'],
});

describe('StartContextCache (docs/decisions/0029)', () => {
  let feed: Feed;
  let cache: StartContextCache;
  beforeEach(() => {
    feed = new Feed();
    cache = new StartContextCache(60_000, feed);
  });

  it('keys by tenant, provider and server: another tenant or another provider never gets the entry', () => {
    cache.set(A, null, null, part('standard'), cache.epoch);
    expect(cache.get(A, null, null)?.tier).toBe('standard');
    expect(cache.get(B, null, null)).toBeNull();
    expect(cache.get(A, P, null)).toBeNull();
    expect(cache.get(A, null, P)).toBeNull();
  });

  it("a tenant's notification drops that tenant's entries only; '*' and a reset drop all", () => {
    cache.set(A, null, null, part('standard'), cache.epoch);
    cache.set(A, P, null, part('standard'), cache.epoch);
    cache.set(B, null, null, part('free'), cache.epoch);
    feed.emit({ kind: 'tenant', tenantId: A });
    expect(cache.get(A, null, null)).toBeNull();
    expect(cache.get(A, P, null)).toBeNull();
    expect(cache.get(B, null, null)?.tier).toBe('free');
    feed.emit({ kind: 'all' });
    expect(cache.size).toBe(0);
    cache.set(B, null, null, part('free'), cache.epoch);
    feed.emit({ kind: 'reset' });
    expect(cache.size).toBe(0);
  });

  it('a read that started before an invalidation does not store its answer', () => {
    const epoch = cache.epoch;
    feed.emit({ kind: 'tenant', tenantId: B });
    cache.set(A, null, null, part('standard'), epoch);
    expect(cache.get(A, null, null)).toBeNull();
  });

  it('serves and keeps nothing while the subscription is down', () => {
    cache.set(A, null, null, part('standard'), cache.epoch);
    feed.listening = false;
    expect(cache.enabled).toBe(false);
    expect(cache.get(A, null, null)).toBeNull();
    cache.set(B, null, null, part('free'), cache.epoch);
    feed.listening = true;
    expect(cache.get(B, null, null)).toBeNull();
  });

  it('expires after the TTL on the monotonic clock', () => {
    let now = 1_000;
    const spy = jest.spyOn(performance, 'now').mockImplementation(() => now);
    try {
      const short = new StartContextCache(50, feed);
      short.set(A, null, null, part('standard'), short.epoch);
      now += 49;
      expect(short.get(A, null, null)).not.toBeNull();
      now += 1;
      expect(short.get(A, null, null)).toBeNull();
    } finally {
      spy.mockRestore();
    }
  });

  it('is off with a TTL of 0 or without a feed', () => {
    for (const off of [new StartContextCache(0, feed), new StartContextCache(5_000)]) {
      expect(off.enabled).toBe(false);
      off.set(A, null, null, part('standard'), off.epoch);
      expect(off.get(A, null, null)).toBeNull();
    }
  });

  it('entries are frozen: a request cannot change what the next one reads', () => {
    cache.set(A, null, null, part('standard'), cache.epoch);
    const got = cache.get(A, null, null) as TenantStartContext;
    expect(Object.isFrozen(got.policy)).toBe(true);
    expect(() => (got.deliveryCountries as string[]).push('SO')).toThrow();
  });
});
