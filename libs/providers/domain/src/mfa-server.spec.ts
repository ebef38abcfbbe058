import {
  formatActivationCredential,
  formatServerCredential,
  hashCredential,
  isActivationCredentialUsable,
  isWellFormedActivationCredential,
  isWellFormedServerCredential,
  mfaServerStatus,
} from './mfa-server';
import { resolveRelinkTarget, tenantsAffectedByLink } from './link';

const A = '6f1c1c39-3c0e-4b3e-9c55-6a3f7d1f0a11';
const B = '00000000-0000-4000-8000-000000000000';

describe('R12 credentials', () => {
  it('formats tfa_/tfs_ + 32 bytes base64url and recognises only that shape', () => {
    const a = formatActivationCredential(new Uint8Array(32).fill(7));
    const s = formatServerCredential(new Uint8Array(32).fill(7));
    expect(isWellFormedActivationCredential(a)).toBe(true);
    expect(isWellFormedServerCredential(s)).toBe(true);
    expect(isWellFormedActivationCredential(s)).toBe(false);
    expect(isWellFormedServerCredential(`${s}x`)).toBe(false);
    expect(() => formatServerCredential(new Uint8Array(16))).toThrow();
  });

  it('stores SHA-256 hex', () => {
    expect(hashCredential('abc')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
  });

  it('is usable once, before it expires, unless revoked', () => {
    const now = new Date('2026-01-01T00:00:00Z');
    const later = new Date('2026-01-01T01:00:00Z');
    expect(isActivationCredentialUsable({ expiresAt: later, usedAt: null, revokedAt: null }, now)).toBe(true);
    expect(isActivationCredentialUsable({ expiresAt: now, usedAt: null, revokedAt: null }, now)).toBe(false);
    expect(isActivationCredentialUsable({ expiresAt: later, usedAt: now, revokedAt: null }, now)).toBe(false);
    expect(isActivationCredentialUsable({ expiresAt: later, usedAt: null, revokedAt: now }, now)).toBe(false);
  });

  it('tells an admin revoke from an R8 re-activation', () => {
    expect(mfaServerStatus(null, false)).toBe('active');
    expect(mfaServerStatus(new Date(), false)).toBe('revoked');
    expect(mfaServerStatus(new Date(), true)).toBe('reactivation_required');
  });
});

describe('R8 link changes', () => {
  it('affects the tenant left and the tenant joined, and nothing when unchanged', () => {
    expect(tenantsAffectedByLink({ from: A, to: null })).toEqual([A]);
    expect(tenantsAffectedByLink({ from: null, to: A })).toEqual([A]);
    expect(tenantsAffectedByLink({ from: A, to: B })).toEqual([A, B]);
    expect(tenantsAffectedByLink({ from: A, to: A })).toEqual([]);
    expect(tenantsAffectedByLink({ from: null, to: null })).toEqual([]);
  });

  it('R8: links to the own tenant or none freely; another tenant only with its valid consent', () => {
    const P = '33333333-3333-4333-8333-333333333333';
    const now = new Date('2026-11-25T12:00:00Z');
    const consent = {
      tenantId: B,
      providerId: P,
      expiresAt: new Date('2026-11-26T00:00:00Z'),
      usedAt: null,
      revokedAt: null,
    };
    expect(resolveRelinkTarget(A, P, A, null, now)).toBe(A);
    expect(resolveRelinkTarget(A, P, null, null, now)).toBeNull();
    expect(resolveRelinkTarget(A, P, B, consent, now)).toBe(B);
    expect(resolveRelinkTarget(A, P, B, { ...consent, providerId: null }, now)).toBe(B);
    for (const bad of [
      null,
      { ...consent, tenantId: A },
      { ...consent, providerId: A },
      { ...consent, usedAt: now },
      { ...consent, revokedAt: now },
      { ...consent, expiresAt: now },
    ]) {
      expect(() => resolveRelinkTarget(A, P, B, bad, now)).toThrow(/not found/);
    }
  });
});
