import { MetricsAccess } from './access';

const KEY = 'k'.repeat(40);

describe('MetricsAccess (docs/decisions/0024)', () => {
  it('takes the operator key in a Bearer header only, compared whole', () => {
    const access = new MetricsAccess({ operatorKey: KEY, allow: [] });
    expect(access.allows('203.0.113.1', `Bearer ${KEY}`)).toBe(true);
    expect(access.allows('203.0.113.1', `bearer ${KEY}`)).toBe(true);
    expect(access.allows('203.0.113.1', KEY)).toBe(false);
    expect(access.allows('203.0.113.1', `Bearer ${KEY}x`)).toBe(false);
    expect(access.allows('203.0.113.1', `Bearer ${KEY.slice(1)}`)).toBe(false);
    expect(access.allows('203.0.113.1', undefined)).toBe(false);
  });

  it('without an operator key, no bearer value opens it', () => {
    const access = new MetricsAccess({ operatorKey: undefined, allow: [] });
    expect(access.allows('127.0.0.1', 'Bearer ')).toBe(false);
    expect(access.allows('127.0.0.1', 'Bearer undefined')).toBe(false);
  });

  it('lets allow-listed addresses and CIDRs in, IPv4 clients on dual-stack sockets included', () => {
    const access = new MetricsAccess({ operatorKey: null, allow: ['10.1.0.0/16', '192.0.2.7', '2001:db8::/32'] });
    expect(access.allows('10.1.200.3', undefined)).toBe(true);
    expect(access.allows('::ffff:10.1.200.3', undefined)).toBe(true);
    expect(access.allows('192.0.2.7', undefined)).toBe(true);
    expect(access.allows('2001:db8::1', undefined)).toBe(true);
    expect(access.allows('10.2.0.1', undefined)).toBe(false);
    expect(access.allows('192.0.2.8', undefined)).toBe(false);
    expect(access.allows('2001:db9::1', undefined)).toBe(false);
    expect(access.allows('not an address', undefined)).toBe(false);
    expect(access.allows(undefined, undefined)).toBe(false);
  });
});
