import { normalisePhone, normaliseUserName, termCovers } from './user';

describe('user rules', () => {
  it('normalises phone numbers to E.164 (R22)', () => {
    expect(normalisePhone('+1 (425) 555-0100')).toEqual({ ok: true, e164: '+14255550100' });
    expect(normalisePhone('425-555-0100')).toEqual({ ok: true, e164: '+14255550100' });
    expect(normalisePhone('+44 20 7946 0958')).toEqual({ ok: true, e164: '+442079460958' });
    expect(normalisePhone('+49 30 901820')).toEqual({ ok: true, e164: '+4930901820' });
  });

  it('refuses invalid numbers instead of storing them as typed', () => {
    for (const bad of ['12', '+1 555', 'call me', '+999 1234567', '']) expect(normalisePhone(bad).ok).toBe(false);
  });

  it('compares user names without case', () => {
    expect(normaliseUserName('  Alice@Contoso.COM ')).toBe('alice@contoso.com');
  });

  it('a license term covers [start, end)', () => {
    const term = { termStart: new Date('2026-01-01T00:00:00Z'), termEnd: new Date('2027-01-01T00:00:00Z') };
    expect(termCovers(term, new Date('2026-06-01T00:00:00Z'))).toBe(true);
    expect(termCovers(term, new Date('2027-01-01T00:00:00Z'))).toBe(false);
    expect(termCovers(term, new Date('2025-12-31T23:59:59Z'))).toBe(false);
  });
});
